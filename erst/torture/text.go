package torture

import (
	"errors"
	"fmt"
	"io"

	"github.com/goerst/erst/internal/textout"
)

// Log writes the lines of a torture run that [ReadAcks] reads back: "ack
// ID" for each acknowledged write and "clear ID" before each record
// cleared. Its methods fit [Options.Ack] and [Options.Clearing].
type Log struct{ W io.Writer }

// Ack writes "ack ID".
func (l Log) Ack(id uint64) error {
	_, err := fmt.Fprintf(l.W, "ack %#x\n", id)
	return err
}

// Clear writes "clear ID".
func (l Log) Clear(id uint64) error {
	_, err := fmt.Fprintf(l.W, "clear %#x\n", id)
	return err
}

// WriteText prints the line a torture run ends with (a line [ReadAcks]
// skips): what it wrote and cleared, on device, as the caller names it.
func (s Stats) WriteText(w io.Writer, device string) error {
	var err error
	if s.Written == 0 {
		_, err = fmt.Fprintf(w, "torture: seed %#x: nothing written\n", s.Seed)
	} else {
		_, err = fmt.Fprintf(w, "torture: seed %#x: %d records acknowledged (%#x to %#x), %d of its own cleared to make room, on the %s\n",
			s.Seed, s.Written, s.First, s.Last, s.Cleared, device)
	}
	return err
}

// ReportJSON is the JSON form of a [Report], the document erst verify
// -json prints; the field order is the document's. Identifiers are 0x-hex
// strings; the lists are empty, never null.
type ReportJSON struct {
	Seed       string      `json:"seed"`
	OK         bool        `json:"ok"` // Report.OK
	Intact     []string    `json:"intact"`
	Faults     []FaultJSON `json:"faults"`
	Missing    []string    `json:"missing"`
	OtherSeeds int         `json:"other_seeds"`
	Others     int         `json:"others"`
}

// FaultJSON is one [Fault] of a [ReportJSON].
type FaultJSON struct {
	ID      string `json:"id"`
	Corrupt bool   `json:"corrupt"` // false: the read failed
	Error   string `json:"error"`   // one line
}

// JSON returns r's JSON form.
func (r *Report) JSON() ReportJSON {
	j := ReportJSON{Seed: hex(r.Seed), OK: r.OK(), Intact: hexes(r.Intact), Faults: []FaultJSON{}, Missing: hexes(r.Missing), OtherSeeds: r.OtherSeeds, Others: r.Others}
	for _, f := range r.Faults {
		j.Faults = append(j.Faults, FaultJSON{ID: hex(f.ID), Corrupt: errors.Is(f.Err, ErrCorrupt), Error: textout.OneLine(f.Err.Error())})
	}
	return j
}

// WriteText prints r for a person: a line per fault ("corrupt ID: ..." or
// "unreadable ID: ..."), a line per missing record ("missing ID: ...") and
// a summary line. acks names where a VerifyAcked report's acknowledgements
// came from (a file name); Verify's reports ignore it.
func (r *Report) WriteText(w io.Writer, acks string) error {
	p := textout.New(w)
	for _, f := range r.Faults {
		what := "unreadable"
		if errors.Is(f.Err, ErrCorrupt) {
			what = "corrupt"
		}
		p.Printf("%s %#x: %s\n", what, f.ID, textout.OneLine(f.Err.Error()))
	}
	why := "between the seed's lowest and highest counter in the store"
	switch {
	case r.Acked && acks != "":
		why = "acknowledged in " + acks + " and not cleared since"
	case r.Acked:
		why = "acknowledged and not cleared since"
	}
	for _, id := range r.Missing {
		p.Printf("missing %#x: %s, not in the store\n", id, why)
	}
	p.Printf("verify: seed %#x: %d records intact, %d failed, %d missing; %d torture records of other seeds and %d other records left alone\n",
		r.Seed, len(r.Intact), len(r.Faults), len(r.Missing), r.OtherSeeds, r.Others)
	return p.Err()
}

// Err is nil when r is OK, else an error naming the records that failed
// verification and those missing.
func (r *Report) Err() error {
	if r.OK() {
		return nil
	}
	ids := make([]string, 0, len(r.Faults)+len(r.Missing))
	for _, f := range r.Faults {
		ids = append(ids, hex(f.ID))
	}
	ids = append(ids, hexes(r.Missing)...)
	return fmt.Errorf("%d of %d records of seed %#x failed verification, %d missing: %v", len(r.Faults), r.Found(), r.Seed, len(r.Missing), ids)
}

func hex(v uint64) string { return fmt.Sprintf("%#x", v) }

// hexes returns ids as hex strings; an empty list, never nil.
func hexes(ids []uint64) []string {
	s := make([]string, 0, len(ids))
	for _, id := range ids {
		s = append(s, hex(id))
	}
	return s
}
