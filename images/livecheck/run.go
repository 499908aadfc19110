package livecheck

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
	"time"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/acpi/lint"
	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/conform"
	"github.com/goerst/erst/erst/store"
	"github.com/goerst/erst/erst/torture"
)

// Files in the stick's Dir.
const (
	// Dir is the check's directory on the stick: \erst.
	Dir = "erst"
	// MarkerFile marks the stick: the init program uses the first FAT
	// file system that holds Dir/MarkerFile.
	MarkerFile = "erst-live"
	// NotesFile carries the run from boot 1 to boot 2; boot 2 removes it.
	NotesFile = "notes.json"
	// ReportJSON and ReportText are the report, written at the end of
	// each boot (boot 1's says incomplete).
	ReportJSON = "report.json"
	ReportText = "report.txt"
	// ReportOnlyFile, when present in Dir, is the report-only switch,
	// the same as ReportOnlyParam on the kernel command line.
	ReportOnlyFile = "report-only"
)

// ReportOnlyParam on the kernel command line makes the check read only:
// the table, lint and the device's range, no record written or cleared.
const ReportOnlyParam = "erst.live=report-only"

// SeededRecords is how many records boot 1 writes for the reset.
const SeededRecords = 4

// Action is what the machine must do after Run.
type Action int

const (
	// PowerOff: the check is over.
	PowerOff Action = iota
	// Reset: boot 1 is done; reset the platform so that boot 2 runs.
	Reset
)

func (a Action) String() string {
	if a == Reset {
		return "reset"
	}
	return "power off"
}

// Env is the machine the check runs on.
type Env struct {
	// Table returns the raw ERST table; an error wrapping acpi.ErrNotFound
	// (as acpi.ReadLiveTable's does) or fs.ErrNotExist means there is
	// none.
	Table func() ([]byte, error)
	// Open opens the device the table describes; close releases it.
	Open func(t *acpi.ERST) (d *erst.Device, close func() error, err error)
	// Machine identifies the machine (DMI, kernel).
	Machine Machine
	// Seed is boot 1's seed for the seeded records.
	Seed uint64
	// ReportOnly makes the check read only (ReportOnlyParam).
	ReportOnly bool
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (e *Env) now() time.Time {
	if e.Now != nil {
		return e.Now().UTC()
	}
	return time.Now().UTC()
}

// Notes is NotesFile: what boot 2 needs from boot 1.
type Notes struct {
	// Report is boot 1's report; boot 2 completes it.
	Report Report `json:"report"`
	// Before are the identifiers the store held when boot 1 started.
	Before []string `json:"before"`
	// RangeLength is the record length the seeded records were made for.
	RangeLength uint64 `json:"range_length"`
}

// Run does one boot's part of the check with the stick at dir: boot 2
// when dir holds NotesFile, else boot 1. It writes the report (and in
// boot 1 the notes) into dir's Dir and returns it with the action that
// comes next. The error is for a stick that cannot be written: the
// report, printed, is then all there is.
func Run(env Env, dir string) (*Report, Action, error) {
	d := filepath.Join(dir, Dir)
	if _, err := os.Stat(filepath.Join(d, ReportOnlyFile)); err == nil {
		env.ReportOnly = true
	}
	b, err := os.ReadFile(filepath.Join(d, NotesFile))
	switch {
	case err == nil:
		var n Notes
		if err := json.Unmarshal(b, &n); err != nil {
			// Notes that cannot be read cannot name the records to
			// clear: start over, saying so.
			os.Remove(filepath.Join(d, NotesFile))
			r, act := Boot1(env)
			r.Errors = append(r.Errors, fmt.Sprintf("%s: %v: ignored, the check started again", NotesFile, err))
			return finish(d, r, act, nil)
		}
		r := Boot2(env, &n)
		return finish(d, r, PowerOff, nil)
	case errors.Is(err, fs.ErrNotExist):
		r, act := Boot1(env)
		var n *Notes
		if act == Reset {
			n = r.notes
			n.Report = *r
		}
		return finish(d, r, act, n)
	default:
		r, _ := Boot1(Env{Table: env.Table, Machine: env.Machine, ReportOnly: true, Now: env.Now, Open: env.Open})
		r.Errors = append(r.Errors, fmt.Sprintf("%s: %v", NotesFile, err))
		return finish(d, r, PowerOff, nil)
	}
}

// finish writes the notes (when n is set) and the report into d. Without
// notes on the stick there is no boot 2, so a failure to write them
// turns the reset into a power-off.
func finish(d string, r *Report, act Action, n *Notes) (*Report, Action, error) {
	if err := os.MkdirAll(d, 0o755); err != nil {
		return r, PowerOff, err
	}
	if n != nil {
		if err := writeFile(filepath.Join(d, NotesFile), mustJSON(n)); err != nil {
			r.Errors = append(r.Errors, fmt.Sprintf("writing %s: %v: no reset, the seeded records stay in the store", NotesFile, err))
			act = PowerOff
		}
	} else if act == PowerOff {
		if err := os.Remove(filepath.Join(d, NotesFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			r.Errors = append(r.Errors, fmt.Sprintf("removing %s: %v", NotesFile, err))
		}
	}
	if err := writeFile(filepath.Join(d, ReportJSON), mustJSON(r)); err != nil {
		return r, act, err
	}
	return r, act, writeFile(filepath.Join(d, ReportText), []byte(r.Text()))
}

// writeFile writes a whole file and syncs it: the platform is reset or
// powered off right after.
func writeFile(path string, b []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func mustJSON(v any) []byte {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		panic(err) // plain structs: cannot fail
	}
	return append(b, '\n')
}

// Boot1 is boot 1: the table, lint, the device's range, conform, and
// the seeded records. It returns Reset when the records were written and
// boot 2 must check them; the report then says incomplete.
func Boot1(env Env) (*Report, Action) {
	r := &Report{Schema: SchemaVersion, Machine: env.Machine, ReportOnly: env.ReportOnly, Lint: []lint.Finding{}, Failed: []string{}, Errors: []string{}, Store: Store{After: -1}}
	r.Boot1 = &Span{Start: env.now()}
	defer func() { r.Boot1.End = env.now() }()
	raw, err := env.Table()
	if errors.Is(err, acpi.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
		r.Verdict = VerdictNoERST
		return r, PowerOff
	}
	if err != nil {
		r.Errors = append(r.Errors, "reading the ERST table: "+err.Error())
		r.Verdict = VerdictTableRefused
		r.Failed = append(r.Failed, "table")
		return r, PowerOff
	}
	t, err := lint.Decode(raw)
	if err != nil {
		r.Errors = append(r.Errors, "decoding the ERST table: "+err.Error())
		r.Verdict = VerdictTableRefused
		r.Failed = append(r.Failed, "table")
		return r, PowerOff
	}
	r.Table = tableOf(t)
	if found := lint.Check(t, raw); found != nil {
		r.Lint = found
	}
	if lint.HasErrors(r.Lint) {
		for _, f := range r.Lint {
			if f.Severity == lint.Error {
				r.Failed = append(r.Failed, "lint/"+f.Code)
			}
		}
		r.Verdict = VerdictTableRefused
		return r, PowerOff
	}
	d, closeDev, err := env.Open(t)
	if err != nil {
		r.Errors = append(r.Errors, "opening the device: "+err.Error())
		r.Failed = append(r.Failed, "device")
		r.Verdict = VerdictDeviceRefused
		return r, PowerOff
	}
	defer closeDev()
	rng := d.Range()
	r.Device = &Device{RangeBase: hex(rng.Base), RangeLength: rng.Length, Attributes: hex(rng.Attributes), NVRAM: rng.NVRAM()}
	if rng.HasTimings {
		r.Device.Timings = hex(uint64(rng.Timings))
	}
	if r.Device.RecordCount, err = d.Count(); err != nil {
		r.Errors = append(r.Errors, "GET_RECORD_COUNT: "+err.Error())
	}
	before, err := d.IDs()
	if err != nil {
		r.Errors = append(r.Errors, "listing the records: "+err.Error())
		r.Failed = append(r.Failed, "boot1")
		r.Verdict = VerdictFail
		return r, PowerOff
	}
	r.Store.Before = len(before)
	if env.ReportOnly {
		r.Verdict = VerdictReportOnly
		return r, PowerOff
	}
	recLen := int(rng.Length)
	if rng.NVRAM() {
		recLen = store.DefaultRecordSize // the driver's NVRAM slot, as erst conform takes it
	}
	rep, err := conform.Run(d, conform.Options{RecordLength: recLen})
	if err != nil {
		r.Errors = append(r.Errors, "conform: "+err.Error())
		r.Failed = append(r.Failed, "conform")
	} else {
		r.Conform = conformOf(rep)
		for _, n := range rep.Failed() {
			r.Failed = append(r.Failed, "conform/"+n)
		}
	}
	g, err := torture.New(env.Seed, uint64(recLen))
	if err != nil {
		r.Errors = append(r.Errors, "seeded records: "+err.Error())
		r.Failed = append(r.Failed, "persistence")
		r.Verdict = VerdictFail
		return r, PowerOff
	}
	p := &Persistence{Seed: hex(env.Seed), Result: "pending", IDs: []string{}, Sizes: []int{}, Faults: []string{}}
	r.Persistence = p
	_, err = g.Torture(d, torture.Options{N: SeededRecords, Start: 1, ReadBack: true, Ack: func(id uint64) error {
		p.IDs = append(p.IDs, hex(id))
		p.Sizes = append(p.Sizes, g.Size(id))
		return nil
	}})
	if err != nil {
		r.Errors = append(r.Errors, "writing the seeded records: "+err.Error())
		p.Result = "fail"
		r.Failed = append(r.Failed, "persistence")
		// What was acknowledged stays noted: boot 2 still clears it.
	}
	if len(p.IDs) == 0 {
		r.Verdict = VerdictFail
		return r, PowerOff
	}
	r.Verdict = VerdictIncomplete
	ids := make([]string, len(before))
	for i, id := range before {
		ids[i] = hex(id)
	}
	r.notes = &Notes{Before: ids, RangeLength: uint64(recLen)}
	return r, Reset
}

// Boot2 is boot 2: it checks and clears boot 1's seeded records and
// completes boot 1's report.
func Boot2(env Env, n *Notes) *Report {
	r := n.Report
	r.Boot2 = &Span{Start: env.now()}
	defer func() { r.Boot2.End = env.now() }()
	fail := func(what, msg string) *Report {
		r.Errors = append(r.Errors, msg)
		r.Failed = append(r.Failed, what)
		r.Verdict = VerdictFail
		return &r
	}
	p := r.Persistence
	if p == nil {
		return fail("boot2", "the notes hold no seeded records")
	}
	raw, err := env.Table()
	if err != nil {
		return fail("boot2", "reading the ERST table after the reset: "+err.Error())
	}
	t, err := lint.Decode(raw)
	if err != nil {
		return fail("boot2", "decoding the ERST table after the reset: "+err.Error())
	}
	d, closeDev, err := env.Open(t)
	if err != nil {
		return fail("boot2", "opening the device after the reset: "+err.Error())
	}
	defer closeDev()
	seed, err := parseHex(p.Seed)
	if err != nil {
		return fail("boot2", fmt.Sprintf("%s: seed %q: %v", NotesFile, p.Seed, err))
	}
	g, err := torture.New(seed, n.RangeLength)
	if err != nil {
		return fail("boot2", err.Error())
	}
	vr, err := g.Verify(d)
	if err != nil {
		return fail("persistence", "verifying the seeded records: "+err.Error())
	}
	intact := map[uint64]bool{}
	for _, id := range vr.Intact {
		intact[id] = true
	}
	faulty := map[uint64]error{}
	for _, f := range vr.Faults {
		faulty[f.ID] = f.Err
	}
	var mine []uint64
	for _, s := range p.IDs {
		id, err := erst.ParseID(s)
		if err != nil {
			return fail("boot2", fmt.Sprintf("%s: %v", NotesFile, err))
		}
		mine = append(mine, id)
		switch {
		case intact[id]:
			p.Intact++
		case faulty[id] != nil:
			p.Damaged++
			p.Faults = append(p.Faults, fmt.Sprintf("%s: %v", s, faulty[id]))
		default:
			p.Missing++
			p.Faults = append(p.Faults, s+": missing after the reset")
		}
	}
	// Records of this seed that boot 1 did not note (a write that was
	// not acknowledged but landed) are the check's too.
	for _, id := range append(slices.Clone(vr.Intact), faultIDs(vr)...) {
		if !slices.Contains(mine, id) {
			mine = append(mine, id)
		}
	}
	p.Result = "pass"
	if p.Intact != len(p.IDs) || len(p.IDs) < SeededRecords {
		p.Result = "fail"
	}
	for _, id := range mine {
		if !intact[id] && faulty[id] == nil {
			continue // missing: nothing to clear
		}
		if err := d.Clear(id); err != nil {
			p.Result = "fail"
			p.Faults = append(p.Faults, fmt.Sprintf("%s: clear: %v", hex(id), err))
			continue
		}
		p.Cleared++
	}
	if p.Result == "fail" && !slices.Contains(r.Failed, "persistence") {
		r.Failed = append(r.Failed, "persistence")
	}
	after, err := d.IDs()
	if err != nil {
		return fail("store-unchanged", "listing the records after the check: "+err.Error())
	}
	r.Store.After = len(after)
	got := make([]string, len(after))
	for i, id := range after {
		got[i] = hex(id)
	}
	slices.Sort(got)
	want := slices.Clone(n.Before)
	slices.Sort(want)
	r.Store.Unchanged = slices.Equal(got, want)
	if !r.Store.Unchanged {
		r.Failed = append(r.Failed, "store-unchanged")
	}
	r.Verdict = VerdictPass
	if len(r.Failed) > 0 {
		r.Verdict = VerdictFail
	}
	return &r
}

func faultIDs(vr *torture.Report) []uint64 {
	var ids []uint64
	for _, f := range vr.Faults {
		ids = append(ids, f.ID)
	}
	return ids
}

func tableOf(t *acpi.ERST) *Table {
	var dis bytes.Buffer
	if err := t.Disassemble(&dis); err != nil {
		dis.WriteString("disassembly failed: " + err.Error())
	}
	h := t.Header
	return &Table{
		OEMID: strings.TrimRight(string(h.OEMID[:]), " \x00"), OEMTableID: strings.TrimRight(string(h.OEMTableID[:]), " \x00"),
		OEMRevision: h.OEMRevision, CreatorID: strings.TrimRight(string(h.CreatorID[:]), " \x00"),
		Revision: h.Revision, Length: h.Length, Entries: len(t.Entries), Disassembly: dis.String(),
	}
}

func conformOf(rep *conform.Report) *Conform {
	c := &Conform{RecordLength: rep.RecordLength, Room: rep.Free, Foreign: rep.Foreign, Passed: len(rep.Failed()) == 0, Checks: []Check{}}
	for _, res := range rep.Results {
		reason := strings.Join(strings.Fields(res.Reason()), " ")
		c.Checks = append(c.Checks, Check{Name: res.Name, Result: res.Outcome.String(), Reason: reason})
	}
	return c
}

func hex(v uint64) string { return fmt.Sprintf("%#x", v) }

func parseHex(s string) (uint64, error) {
	var v uint64
	_, err := fmt.Sscanf(s, "0x%x", &v)
	return v, err
}
