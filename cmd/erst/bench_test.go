package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goerst/erst/erst/bench"
	"github.com/goerst/erst/erst/store/storetest"
)

// These tests check what bench prints and what it leaves in the store,
// never how fast anything was.

const benchStoreRecordSize = 8192

// benchStore makes a 64 KiB store (QEMU's default) holding records
// 0x1111 in slot 1 and 0x3333 in slot 3; slot 2 is free but holds the
// bytes of record 0x2222, cleared (QEMU's clear leaves a slot's bytes).
func benchStore(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "s.img")
	for _, id := range []string{"0x1111", "0x2222", "0x3333"} {
		mustRun(t, mustRun(t, nil, "new", "-id", id, "-text", "record "+id), "-store", path, "write")
	}
	mustRun(t, nil, "-store", path, "clear", "0x2222")
	return path
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// wantAfterBench is the store file a bench run with records of size
// bytes must leave: the file before, except the first free slot (slot 2
// of benchStore), which holds bench's record as QEMU's write leaves it
// (the record, then 0xFF to the end of the slot): QEMU's clear removes
// the record from the map and the count but leaves its bytes.
func wantAfterBench(t *testing.T, before []byte, size int) []byte {
	t.Helper()
	rec, err := bench.Record(size, bench.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := bytes.Clone(before)
	copy(want[2*benchStoreRecordSize:], slotImage(rec, benchStoreRecordSize))
	return want
}

// TestBenchLeavesStoreAsItWas runs bench with text output on a store
// holding records: every operation is reported -n times, and the file
// afterwards is the file before, byte for byte, but for the free slot
// bench's record passed through.
func TestBenchLeavesStoreAsItWas(t *testing.T) {
	path := benchStore(t)
	before := readFile(t, path)
	lsBefore := mustRun(t, nil, "-store", path, "ls")

	out := mustRun(t, nil, "-store", path, "bench", "-n", "20", "-size", "256")

	if d := storetest.Diff(readFile(t, path), wantAfterBench(t, before, 256)); d != "" {
		t.Errorf("bench changed the store beyond the free slot it used: %s", d)
	}
	if ls := mustRun(t, nil, "-store", path, "ls"); !bytes.Equal(ls, lsBefore) {
		t.Errorf("ls after bench:\n%s\nwant, as before:\n%s", ls, lsBefore)
	}

	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) != 4+len(bench.Ops) {
		t.Fatalf("bench printed %d lines, want %d:\n%s", len(lines), 4+len(bench.Ops), out)
	}
	if !strings.HasPrefix(lines[0], "device:  simulated store "+path) || lines[1] != "records: 256 bytes, id 0x62656e6368000000; 20 iterations" || lines[2] != "" {
		t.Errorf("header:\n%s", strings.Join(lines[:3], "\n"))
	}
	if got := strings.Fields(lines[3]); !slices.Equal(got, []string{"op", "count", "mean", "µs", "p50", "µs", "p99", "µs", "min", "µs", "max", "µs", "accesses/op", "(least)", "allocs/op", "floor×"}) {
		t.Errorf("column header %q", lines[3])
	}
	for i, line := range lines[4:] {
		f := strings.Fields(line)
		if len(f) != 11 || f[0] != bench.Ops[i] || f[1] != "20" {
			t.Errorf("line %q: want %s, count 20 and nine figures", line, bench.Ops[i])
			continue
		}
		var v [6]float64
		for j := range v {
			var err error
			if v[j], err = strconv.ParseFloat(f[2+j], 64); err != nil || v[j] < 0 {
				t.Errorf("%s: column %d is %q, want a non-negative number", f[0], 2+j, f[2+j])
			}
		}
		if mean, p50, p99, lo, hi := v[0], v[1], v[2], v[3], v[4]; !(lo <= p50 && p50 <= p99 && p99 <= hi && lo <= mean && mean <= hi) {
			t.Errorf("%s: mean %v, p50 %v, p99 %v, min %v, max %v out of order", f[0], mean, p50, p99, lo, hi)
		}
		if v[5] <= 0 {
			t.Errorf("%s: %v register accesses per operation", f[0], v[5])
		}
	}
}

// benchJSON is the -json schema, spelt out here so that a change to it
// is a deliberate one.
type benchJSON struct {
	Device      string `json:"device"`
	Iterations  int    `json:"iterations"`
	RecordSize  int    `json:"record_size"`
	RangeLength uint64 `json:"range_length"`
	NVRAM       bool   `json:"nvram"`
	RecordID    string `json:"record_id"`
	Operations  []struct {
		Op            string  `json:"op"`
		Count         int     `json:"count"`
		MeanNS        int64   `json:"mean_ns"`
		P50NS         int64   `json:"p50_ns"`
		P99NS         int64   `json:"p99_ns"`
		MinNS         int64   `json:"min_ns"`
		MaxNS         int64   `json:"max_ns"`
		AccessesPerOp float64 `json:"accesses_per_op"`
		AccessesMin   int     `json:"accesses_min"`
		AllocsPerOp   float64 `json:"allocs_per_op"`
		FloorP50NS    int64   `json:"floor_p50_ns"`
		FloorRatio    float64 `json:"floor_ratio"`
		Skipped       string  `json:"skipped"`
	} `json:"operations"`
}

func TestBenchJSON(t *testing.T) {
	path := benchStore(t)
	before := readFile(t, path)
	out := mustRun(t, nil, "-store", path, "bench", "-json", "-n", "7")
	if d := storetest.Diff(readFile(t, path), wantAfterBench(t, before, benchStoreRecordSize)); d != "" {
		t.Errorf("bench -json changed the store beyond the free slot it used: %s", d)
	}

	dec := json.NewDecoder(bytes.NewReader(out))
	dec.DisallowUnknownFields()
	var j benchJSON
	if err := dec.Decode(&j); err != nil {
		t.Fatalf("bench -json: %v\n%s", err, out)
	}
	// Every field is there, even when zero or false.
	var keys map[string]any
	if err := json.Unmarshal(out, &keys); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"device", "iterations", "record_size", "range_length", "nvram", "record_id", "operations"} {
		if _, ok := keys[k]; !ok {
			t.Errorf("bench -json has no %q", k)
		}
	}
	if j.Device != "simulated store "+path || j.Iterations != 7 || j.RecordSize != benchStoreRecordSize ||
		j.RangeLength != benchStoreRecordSize || j.NVRAM || j.RecordID != "0x62656e6368000000" {
		t.Errorf("bench -json: %+v; want 7 iterations of full-size (8192-byte) records in the exchange buffer", j)
	}
	var ops []string
	for _, o := range j.Operations {
		ops = append(ops, o.Op)
		if o.Count != 7 || o.Skipped != "" {
			t.Errorf("%s: count %d, skipped %q; want 7 runs", o.Op, o.Count, o.Skipped)
		}
		if !(0 < o.MinNS && o.MinNS <= o.P50NS && o.P50NS <= o.P99NS && o.P99NS <= o.MaxNS && o.MinNS <= o.MeanNS && o.MeanNS <= o.MaxNS) {
			t.Errorf("%s: mean %d, p50 %d, p99 %d, min %d, max %d ns out of order", o.Op, o.MeanNS, o.P50NS, o.P99NS, o.MinNS, o.MaxNS)
		}
		// The simulated device answers every operation at once, so each
		// run of an operation makes the same accesses.
		if o.AccessesPerOp <= 0 || o.AccessesPerOp != float64(int(o.AccessesPerOp)) {
			t.Errorf("%s: %v accesses per operation, want the same whole number every time", o.Op, o.AccessesPerOp)
		}
		// The driver makes the fewest accesses QEMU's table allows.
		if o.AccessesPerOp != float64(o.AccessesMin) {
			t.Errorf("%s: %v accesses per operation, the table allows %d", o.Op, o.AccessesPerOp, o.AccessesMin)
		}
		if o.AllocsPerOp < 0 {
			t.Errorf("%s: %v allocations per operation", o.Op, o.AllocsPerOp)
		}
		if o.FloorP50NS <= 0 || o.FloorRatio <= 0 {
			t.Errorf("%s: floor %d ns, ratio %v; want both measured", o.Op, o.FloorP50NS, o.FloorRatio)
		}
		// QEMU's GET_RECORD_COUNT: write the action to ACTION, read VALUE.
		if o.Op == "count" && o.AccessesPerOp != 2 {
			t.Errorf("count: %v accesses, want 2", o.AccessesPerOp)
		}
	}
	if !slices.Equal(ops, bench.Ops) {
		t.Errorf("operations %v, want %v", ops, bench.Ops)
	}
}

// TestBenchSamples: -samples adds every iteration's driver and floor
// times to -json, the figures the row's summary is made of.
func TestBenchSamples(t *testing.T) {
	path := benchStore(t)
	out := mustRun(t, nil, "-store", path, "bench", "-json", "-samples", "-n", "5", "-size", "1K")
	var j struct {
		Operations []struct {
			Op         string     `json:"op"`
			P50NS      int64      `json:"p50_ns"`
			FloorP50NS int64      `json:"floor_p50_ns"`
			FloorRatio float64    `json:"floor_ratio"`
			SamplesNS  [][2]int64 `json:"samples_ns"`
		} `json:"operations"`
	}
	if err := json.Unmarshal(out, &j); err != nil {
		t.Fatalf("bench -json -samples: %v\n%s", err, out)
	}
	if len(j.Operations) != len(bench.Ops) {
		t.Fatalf("%d operations, want %d", len(j.Operations), len(bench.Ops))
	}
	for _, o := range j.Operations {
		if len(o.SamplesNS) != 5 {
			t.Errorf("%s: %d samples, want 5", o.Op, len(o.SamplesNS))
			continue
		}
		var lat, floor []time.Duration
		for _, s := range o.SamplesNS {
			if s[0] <= 0 || s[1] <= 0 {
				t.Errorf("%s: sample %v, want a driver and a floor time", o.Op, s)
			}
			lat, floor = append(lat, time.Duration(s[0])), append(floor, time.Duration(s[1]))
		}
		sorted := func(d []time.Duration) []time.Duration { d = slices.Clone(d); slices.Sort(d); return d }
		if p50 := int64(sorted(lat)[2]); p50 != o.P50NS {
			t.Errorf("%s: p50 %d ns, the samples' median %d", o.Op, o.P50NS, p50)
		}
		if p50 := int64(sorted(floor)[2]); p50 != o.FloorP50NS {
			t.Errorf("%s: floor p50 %d ns, the samples' median %d", o.Op, o.FloorP50NS, p50)
		}
		if r := bench.PairedRatio(lat, floor); r != o.FloorRatio {
			t.Errorf("%s: floor_ratio %v, the samples' paired median %v", o.Op, o.FloorRatio, r)
		}
	}
	// Without -samples, -json has none.
	if out := mustRun(t, nil, "-store", path, "bench", "-json", "-n", "2"); bytes.Contains(out, []byte("samples_ns")) {
		t.Error("bench -json without -samples printed samples_ns")
	}
}

// TestBenchRefusesItsIDRange: a stored record in bench's id range may be
// a user's, which a write would replace, or a leftover of a killed run;
// bench then touches nothing and says which record is in the way.
func TestBenchRefusesItsIDRange(t *testing.T) {
	for _, id := range []uint64{bench.ID, bench.ID + 5, bench.IDEnd} {
		path := benchStore(t)
		mustRun(t, mustRun(t, nil, "new", "-id", hex64(id)), "-store", path, "write")
		before := readFile(t, path)
		code, out, errs := runCmd(t, nil, "-store", path, "bench", "-n", "3")
		if code != exitFailure || len(out) != 0 || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, hex64(id)) {
			t.Errorf("bench over record %s: exit %d, stdout %q, stderr %q; want exit 1 and one line naming the record", hex64(id), code, out, errs)
		}
		if !bytes.Equal(readFile(t, path), before) {
			t.Errorf("bench over record %s changed the store", hex64(id))
		}
	}
}

// TestBenchFullStore: the first write fails for want of space; the store
// is left exactly as it was.
func TestBenchFullStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.img")
	for id := 1; id <= 7; id++ { // 7 slots in 64 KiB
		mustRun(t, mustRun(t, nil, "new", "-id", strconv.Itoa(id)), "-store", path, "write")
	}
	before := readFile(t, path)
	code, out, errs := runCmd(t, nil, "-store", path, "bench", "-n", "3", "-size", "512")
	if code != exitFailure || len(out) != 0 || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, "not enough space") {
		t.Errorf("bench on a full store: exit %d, stdout %q, stderr %q; want exit 1 and one line saying the store is full", code, out, errs)
	}
	if !bytes.Equal(readFile(t, path), before) {
		t.Error("bench on a full store changed it")
	}
}

func TestBenchUsage(t *testing.T) {
	path := benchStore(t)
	before := readFile(t, path)
	for _, args := range [][]string{
		{"-n", "0"},
		{"-n", "-3"},
		{"-n", "many"},
		{"-size", "199"},  // below header + one section descriptor
		{"-size", "8193"}, // beyond the 8 KiB exchange buffer
		{"-size", "1Q"},
		{"-bogus"},
		{"extra"},
		{"-samples"}, // only with -json
	} {
		code, out, errs := runCmd(t, nil, append([]string{"-store", path, "bench"}, args...)...)
		if code != exitUsage || len(out) != 0 || errs == "" {
			t.Errorf("bench %v: exit %d, stdout %q, stderr %q; want exit 2 with a message", args, code, out, errs)
		}
	}
	if !bytes.Equal(readFile(t, path), before) {
		t.Error("bench with bad flags changed the store")
	}
}

// TestBenchWithoutDevice: without -store, bench opens the live device as
// every other subcommand does, and fails the same way where there is
// none.
func TestBenchWithoutDevice(t *testing.T) {
	code, _, errs := runCmd(t, nil, "info")
	if code == exitOK {
		t.Skip("this machine has a live ERST device; not testing its absence")
	}
	bcode, out, berrs := runCmd(t, nil, "bench")
	want := strings.Replace(errs, "erst info:", "erst bench:", 1)
	if bcode != code || len(out) != 0 || berrs != want || strings.Count(berrs, "\n") != 1 {
		t.Errorf("bench without a device: exit %d, stdout %q, stderr %q; want exit %d and %q, as info", bcode, out, berrs, code, want)
	}
}

// TestBenchFill: -fill N stores N more records before timing, so ids
// enumerates them (and its least accesses count them), and clears them
// after: the records the store held are the ones it holds afterwards.
func TestBenchFill(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.img")
	mustRun(t, mustRun(t, nil, "new", "-id", "0x1111"), "-store", path, "-store-size", "1M", "-record-size", "4096", "write")
	lsBefore := mustRun(t, nil, "-store", path, "ls")
	out := mustRun(t, nil, "-store", path, "bench", "-json", "-n", "3", "-fill", "40", "-size", "512")
	var j benchJSON
	if err := json.Unmarshal(out, &j); err != nil {
		t.Fatal(err)
	}
	for _, o := range j.Operations {
		if o.AccessesPerOp != float64(o.AccessesMin) {
			t.Errorf("%s: %v accesses per operation, the table allows %d", o.Op, o.AccessesPerOp, o.AccessesMin)
		}
		// 41 records: 2 accesses per GET_RECORD_IDENTIFIER, 43 of them.
		if o.Op == "ids" && o.AccessesMin != 2*(41+2) {
			t.Errorf("ids: least accesses %d, want %d for 41 records", o.AccessesMin, 2*(41+2))
		}
	}
	if ls := mustRun(t, nil, "-store", path, "ls"); !bytes.Equal(ls, lsBefore) {
		t.Errorf("ls after bench -fill:\n%s\nwant, as before:\n%s", ls, lsBefore)
	}
	if code, _, errs := runCmd(t, nil, "-store", path, "bench", "-fill", "-1"); code != exitUsage {
		t.Errorf("bench -fill -1: exit %d, %s; want %d", code, errs, exitUsage)
	}
}
