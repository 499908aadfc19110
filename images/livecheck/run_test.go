package livecheck_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/pshed/pshedtest"
	"github.com/goerst/erst/erst/sim"
	"github.com/goerst/erst/erst/store"
	"github.com/goerst/erst/images"
	"github.com/goerst/erst/images/livecheck"
)

// machine is a simulated platform: a store file that outlives each
// "boot", opened afresh by each Env.Open as the live device would be.
type machine struct {
	t      *testing.T
	path   string
	table  []byte // nil: the simulated device's own table
	noERST bool
}

func newMachine(t *testing.T) *machine {
	t.Helper()
	m := &machine{t: t, path: filepath.Join(t.TempDir(), "store")}
	st, err := store.Create(m.path, store.DefaultSize, store.DefaultRecordSize)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	return m
}

func (m *machine) env(seed uint64) livecheck.Env {
	return livecheck.Env{
		Table: func() ([]byte, error) {
			if m.noERST {
				return nil, fmt.Errorf("/sys/firmware/acpi/tables/ERST: %w: no ERST table", acpi.ErrNotFound) // as acpi.ReadLiveTable says it
			}
			if m.table != nil {
				return m.table, nil
			}
			return sim.BuildTable(sim.Q35Bar0).Encode(), nil
		},
		Open: func(t *acpi.ERST) (*erst.Device, func() error, error) {
			st, err := store.Open(m.path)
			if err != nil {
				return nil, nil, err
			}
			dev, err := sim.New(st)
			if err != nil {
				st.Close()
				return nil, nil, err
			}
			d, err := erst.Open(t, dev)
			if err != nil {
				st.Close()
				return nil, nil, err
			}
			return d, st.Close, nil
		},
		Machine: livecheck.Machine{Vendor: "QEMU", Product: "Standard PC", Kernel: "6.1.0-57-amd64"},
		Seed:    seed,
		Now:     func() time.Time { return time.Date(2026, 12, 6, 15, 0, 0, 0, time.UTC) },
	}
}

// records returns the store's records by id.
func (m *machine) records() map[uint64][]byte {
	m.t.Helper()
	st, err := store.Open(m.path)
	if err != nil {
		m.t.Fatal(err)
	}
	defer st.Close()
	dev, err := sim.New(st)
	if err != nil {
		m.t.Fatal(err)
	}
	d, err := erst.Open(dev.Table(), dev)
	if err != nil {
		m.t.Fatal(err)
	}
	ids, err := d.IDs()
	if err != nil {
		m.t.Fatal(err)
	}
	out := map[uint64][]byte{}
	for _, id := range ids {
		if out[id], err = d.Read(id); err != nil {
			m.t.Fatal(err)
		}
	}
	return out
}

func (m *machine) write(recs ...[]byte) {
	m.t.Helper()
	st, err := store.Open(m.path)
	if err != nil {
		m.t.Fatal(err)
	}
	defer st.Close()
	dev, _ := sim.New(st)
	d, err := erst.Open(dev.Table(), dev)
	if err != nil {
		m.t.Fatal(err)
	}
	for _, r := range recs {
		if err := d.Write(r); err != nil {
			m.t.Fatal(err)
		}
	}
}

func readReport(t *testing.T, stick string) *livecheck.Report {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(stick, livecheck.Dir, livecheck.ReportJSON))
	if err != nil {
		t.Fatal(err)
	}
	var r livecheck.Report
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

// TestTwoBoots: boot 1 resets, boot 2 powers off with a passing report
// that lists every conform check, and the foreign records are there,
// byte for byte, and counted.
func TestTwoBoots(t *testing.T) {
	m := newMachine(t)
	foreign := [][]byte{pshedtest.NewRecord(300, 0x1111), pshedtest.NewRecord(1000, 0x2222)}
	m.write(foreign...)
	before := m.records()
	stick := t.TempDir()

	r, act, err := livecheck.Run(m.env(0x5eed), stick)
	if err != nil || act != livecheck.Reset {
		t.Fatalf("boot 1: %v, %v; want reset (report:\n%s)", act, err, r.Text())
	}
	if r.Verdict != livecheck.VerdictIncomplete || r.Persistence.Result != "pending" {
		t.Errorf("boot 1's report: verdict %q, persistence %q", r.Verdict, r.Persistence.Result)
	}
	if _, err := os.Stat(filepath.Join(stick, livecheck.Dir, livecheck.NotesFile)); err != nil {
		t.Fatalf("boot 1 left no notes: %v", err)
	}
	if n := len(m.records()); n != len(before)+livecheck.SeededRecords {
		t.Errorf("after boot 1 the store holds %d records, want %d", n, len(before)+livecheck.SeededRecords)
	}

	r, act, err = livecheck.Run(m.env(0xdead), stick) // boot 2's seed is not used
	if err != nil || act != livecheck.PowerOff {
		t.Fatalf("boot 2: %v, %v; want power off", act, err)
	}
	got := readReport(t, stick)
	if got.Verdict != livecheck.VerdictPass || len(got.Failed) != 0 {
		t.Fatalf("verdict %q failed %v; report:\n%s", got.Verdict, got.Failed, r.Text())
	}
	if got.Conform == nil || len(got.Conform.Checks) < 10 || !got.Conform.Passed || got.Conform.Foreign != 2 {
		t.Errorf("conform: %+v", got.Conform)
	}
	p := got.Persistence
	if p.Result != "pass" || p.Intact != livecheck.SeededRecords || p.Cleared != livecheck.SeededRecords || p.Seed != "0x5eed" {
		t.Errorf("persistence: %+v", p)
	}
	if !got.Store.Unchanged || got.Store.Before != 2 || got.Store.After != 2 {
		t.Errorf("store: %+v", got.Store)
	}
	after := m.records()
	if len(after) != len(before) {
		t.Errorf("store holds %d records, held %d", len(after), len(before))
	}
	for id, rec := range before {
		if !bytes.Equal(after[id], rec) {
			t.Errorf("record %#x changed", id)
		}
	}
	if _, err := os.Stat(filepath.Join(stick, livecheck.Dir, livecheck.NotesFile)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("boot 2 left the notes: %v", err)
	}
	txt, err := os.ReadFile(filepath.Join(stick, livecheck.Dir, livecheck.ReportText))
	if err != nil || !strings.HasPrefix(string(txt), "ERST live check: PASS\n") {
		t.Errorf("report.txt: %v\n%s", err, txt)
	}

	// A third boot starts a new check.
	if _, act, _ = livecheck.Run(m.env(7), stick); act != livecheck.Reset {
		t.Errorf("third boot: %v, want a new boot 1 (reset)", act)
	}
}

// TestLostRecord: a record that did not survive the reset fails the
// check; the others are still cleared.
func TestLostRecord(t *testing.T) {
	m := newMachine(t)
	stick := t.TempDir()
	r, act, err := livecheck.Run(m.env(1), stick)
	if err != nil || act != livecheck.Reset {
		t.Fatalf("boot 1: %v %v", act, err)
	}
	lost := r.Persistence.IDs[1]
	st, _ := store.Open(m.path)
	dev, _ := sim.New(st)
	d, _ := erst.Open(dev.Table(), dev)
	var id uint64
	fmt.Sscanf(lost, "0x%x", &id)
	if err := d.Clear(id); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if _, act, err := livecheck.Run(m.env(1), stick); err != nil || act != livecheck.PowerOff {
		t.Fatalf("boot 2: %v %v", act, err)
	}
	got := readReport(t, stick)
	if got.Verdict != livecheck.VerdictFail || !slices.Contains(got.Failed, "persistence") {
		t.Errorf("verdict %q failed %v", got.Verdict, got.Failed)
	}
	if p := got.Persistence; p.Missing != 1 || p.Intact != livecheck.SeededRecords-1 || p.Cleared != livecheck.SeededRecords-1 {
		t.Errorf("persistence: %+v", p)
	}
	if n := len(m.records()); n != 0 {
		t.Errorf("%d records left", n)
	}
}

// TestNoERST: no table, a report that says so, power off, no notes.
func TestNoERST(t *testing.T) {
	m := newMachine(t)
	m.noERST = true
	stick := t.TempDir()
	r, act, err := livecheck.Run(m.env(1), stick)
	if err != nil || act != livecheck.PowerOff || r.Verdict != livecheck.VerdictNoERST {
		t.Fatalf("%v %v %q", act, err, r.Verdict)
	}
	if got := readReport(t, stick); got.Verdict != livecheck.VerdictNoERST || got.Table != nil {
		t.Errorf("report: %+v", got)
	}
}

// TestTableRefused: a table lint refuses is reported with its findings
// and the device is never opened.
func TestTableRefused(t *testing.T) {
	m := newMachine(t)
	raw := sim.BuildTable(sim.Q35Bar0).Encode()
	raw[36] = 13 // Serialization Header Length: neither 48 nor 12
	m.table = raw
	env := m.env(1)
	env.Open = func(*acpi.ERST) (*erst.Device, func() error, error) {
		t.Error("the device was opened")
		return nil, nil, errors.New("no")
	}
	r, act, err := livecheck.Run(env, t.TempDir())
	if err != nil || act != livecheck.PowerOff || r.Verdict != livecheck.VerdictTableRefused || !slices.Contains(r.Failed, "lint/header-length") {
		t.Fatalf("%v %v %q %v", act, err, r.Verdict, r.Failed)
	}
}

// TestReportOnly: the switch file on the stick: a report, nothing in the
// store written.
func TestReportOnly(t *testing.T) {
	m := newMachine(t)
	m.write(pshedtest.NewRecord(200, 0x33))
	stick := t.TempDir()
	os.MkdirAll(filepath.Join(stick, livecheck.Dir), 0o755)
	os.WriteFile(filepath.Join(stick, livecheck.Dir, livecheck.ReportOnlyFile), nil, 0o644)
	r, act, err := livecheck.Run(m.env(1), stick)
	if err != nil || act != livecheck.PowerOff || r.Verdict != livecheck.VerdictReportOnly || !r.ReportOnly {
		t.Fatalf("%v %v %q", act, err, r.Verdict)
	}
	if r.Device == nil || r.Device.RecordCount != 1 || r.Conform != nil || r.Persistence != nil {
		t.Errorf("report: %+v", r)
	}
}

// TestStickLayout: the image build (package images) puts the marker
// where the check looks for it, and boots with erst_disable.
func TestStickLayout(t *testing.T) {
	if want := livecheck.Dir + "/" + livecheck.MarkerFile; images.LiveMarker != want {
		t.Errorf("images.LiveMarker = %q, the check looks for %q", images.LiveMarker, want)
	}
	if !slices.Contains(strings.Fields(images.LiveCmdline), "erst_disable") {
		t.Errorf("images.LiveCmdline %q lacks erst_disable: Linux's driver would own the device", images.LiveCmdline)
	}
}
