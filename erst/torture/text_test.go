package torture_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/goerst/erst/erst/torture"
)

// What Log writes is what ReadAcks reads: after a run that filled the
// store and cleared its own oldest records, the acknowledged records not
// cleared since are those in the store; the summary line is skipped.
func TestLogIsWhatReadAcksReads(t *testing.T) {
	r := newRig(t)
	g := newGen(t, 9)
	var out bytes.Buffer
	log := torture.Log{W: &out}
	s, err := g.Torture(r.drv, torture.Options{N: 10, Ack: log.Ack, Clearing: log.Clear})
	if err != nil {
		t.Fatal(err)
	}
	if s.Seed != 9 || s.Cleared == 0 {
		t.Fatalf("stats %+v: want seed 9 and records cleared to make room", s)
	}
	if !bytes.HasPrefix(out.Bytes(), fmt.Appendf(nil, "ack %#x\n", g.ID(1))) || !bytes.Contains(out.Bytes(), fmt.Appendf(nil, "\nclear %#x\n", g.ID(1))) {
		t.Errorf("log:\n%s\nwant it to start with ack %#x and to clear it", out.Bytes(), g.ID(1))
	}
	if err := s.WriteText(&out, "store x"); err != nil {
		t.Fatal(err)
	}
	acked, err := torture.ReadAcks(&out)
	if err != nil {
		t.Fatal(err)
	}
	ids, _ := r.drv.IDs()
	if !sameSet(acked, ids) {
		t.Errorf("ReadAcks of the log = %#x; the store holds %#x", acked, ids)
	}
}

func TestStatsWriteText(t *testing.T) {
	for _, tc := range []struct {
		s    torture.Stats
		want string
	}{
		{torture.Stats{Seed: 0x2a}, "torture: seed 0x2a: nothing written\n"},
		{torture.Stats{Seed: 1, Written: 3, Cleared: 1, First: 0x7e01, Last: 0x7e03},
			"torture: seed 0x1: 3 records acknowledged (0x7e01 to 0x7e03), 1 of its own cleared to make room, on the store x\n"},
	} {
		var b bytes.Buffer
		if err := tc.s.WriteText(&b, "store x"); err != nil || b.String() != tc.want {
			t.Errorf("WriteText(%+v) = %q, %v; want %q", tc.s, b.String(), err, tc.want)
		}
	}
}

// report has an intact record, a corrupt one, an unreadable one whose
// error spans two lines and a missing one.
func report() *torture.Report {
	return &torture.Report{Seed: 3, Intact: []uint64{0x7e01}, Faults: []torture.Fault{
		{ID: 0x7e02, Err: fmt.Errorf("byte 7 is 0x1: %w", torture.ErrCorrupt)},
		{ID: 0x7e03, Err: errors.New("read failed\n status 3 ")},
	}, Missing: []uint64{0x7e04}, OtherSeeds: 1, Others: 2}
}

// The JSON document keeps the field names and order erst verify -json has
// always printed, hex ids, empty lists as [] and errors on one line.
func TestReportJSON(t *testing.T) {
	b, err := json.Marshal(report().JSON())
	if err != nil {
		t.Fatal(err)
	}
	want := `{"seed":"0x3","ok":false,"intact":["0x7e01"],` +
		`"faults":[{"id":"0x7e02","corrupt":true,"error":"byte 7 is 0x1: torture record corrupt"},{"id":"0x7e03","corrupt":false,"error":"read failed;  status 3"}],` +
		`"missing":["0x7e04"],"other_seeds":1,"others":2}`
	if string(b) != want {
		t.Errorf("JSON:\n got %s\nwant %s", b, want)
	}
	b, _ = json.Marshal((&torture.Report{Seed: 1}).JSON())
	if want := `{"seed":"0x1","ok":true,"intact":[],"faults":[],"missing":[],"other_seeds":0,"others":0}`; string(b) != want {
		t.Errorf("JSON of an empty report:\n got %s\nwant %s", b, want)
	}
}

// WriteText names each fault and missing record on its line, the reason a
// record is missing by the rule that found it, and ends with the summary.
func TestReportWriteText(t *testing.T) {
	faults := "corrupt 0x7e02: byte 7 is 0x1: torture record corrupt\n" +
		"unreadable 0x7e03: read failed;  status 3\n"
	summary := "verify: seed 0x3: 1 records intact, 2 failed, 1 missing; 1 torture records of other seeds and 2 other records left alone\n"
	for _, tc := range []struct {
		acked bool
		acks  string
		why   string
	}{
		{false, "", "between the seed's lowest and highest counter in the store"},
		{false, "ignored", "between the seed's lowest and highest counter in the store"},
		{true, "run.log", "acknowledged in run.log and not cleared since"},
		{true, "", "acknowledged and not cleared since"},
	} {
		rep := report()
		rep.Acked = tc.acked
		var b bytes.Buffer
		if err := rep.WriteText(&b, tc.acks); err != nil {
			t.Fatal(err)
		}
		if want := faults + "missing 0x7e04: " + tc.why + ", not in the store\n" + summary; b.String() != want {
			t.Errorf("WriteText (acked %v, %q):\n%s\nwant\n%s", tc.acked, tc.acks, b.String(), want)
		}
	}
}

func TestReportErr(t *testing.T) {
	err := report().Err()
	if want := "2 of 3 records of seed 0x3 failed verification, 1 missing: [0x7e02 0x7e03 0x7e04]"; err == nil || err.Error() != want {
		t.Errorf("Err = %v; want %s", err, want)
	}
	if err := (&torture.Report{Intact: []uint64{1}}).Err(); err != nil {
		t.Errorf("Err of an intact report = %v", err)
	}
}

// Verify and VerifyAcked say which seed they checked; VerifyAcked marks its
// Missing as acknowledged records.
func TestReportSeedAndAcked(t *testing.T) {
	r := newRig(t)
	g := newGen(t, 0x51)
	if _, err := g.Torture(r.drv, torture.Options{N: 2}); err != nil {
		t.Fatal(err)
	}
	rep, err := g.Verify(r.drv)
	if err != nil || rep.Seed != 0x51 || rep.Acked {
		t.Errorf("Verify: %+v, %v; want seed 0x51, not acked", rep, err)
	}
	rep, err = g.VerifyAcked(r.drv, []uint64{g.ID(1), g.ID(2), g.ID(3)})
	if err != nil || rep.Seed != 0x51 || !rep.Acked || !slices.Equal(rep.Missing, []uint64{g.ID(3)}) {
		t.Errorf("VerifyAcked: %+v, %v; want seed 0x51, acked, %#x missing", rep, err, g.ID(3))
	}
}
