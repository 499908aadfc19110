package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/metrics"
	"slices"
	"syscall"
	"time"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/cper"
	"github.com/goerst/erst/erst/store"
	"github.com/goerst/erst/internal/size"
)

func init() {
	register(&command{name: "bench", summary: `Time count, ids, dummy-write, write, read and clear on the device, -n times each.
Prints per operation the mean, median, 99th percentile, minimum and maximum
latency, the register accesses per operation (each one a VM exit on real
hardware) beside the fewest the table allows, the Go heap allocations per
operation (counted in untimed runs after the timed ones, at most 100), and
floor×: the driver against the same register accesses replayed raw, without
the interpreter, in the same iteration (the median of the iterations'
ratios; JSON floor_ratio; -samples adds every iteration's times). Writes,
reads back and clears one record of -size bytes per iteration, under id
` + hex64(benchID) + `; with -fill N, N more records are stored first (ids
from ` + hex64(benchID+1) + `), so that ids is timed at scale. It refuses to
run if a record in [` + hex64(benchID) + `, ` + hex64(benchIDEnd) + `] is
stored, and clears what it wrote, also on error or interrupt, so the store
keeps the records it had.`, setup: setupBench})
}

// The id range bench keeps for itself ("bench" followed by zeros, as
// pshedtest uses "pshed"), and the one id it writes.
const (
	benchID    uint64 = 0x6265_6e63_6800_0000
	benchIDEnd uint64 = benchID + 1<<32 - 1
)

// benchCreator is the CPER CreatorID of bench's records, so that one a
// killed run left behind is recognisable in erst ls, and benchSection the
// type of their one section (random GUIDs).
var (
	benchCreator = benchGUID("3d5c114c-909e-4241-b777-f173b8b939f5")
	benchSection = benchGUID("d0758901-8348-4b4c-98a0-ee77d1439cff")
)

func benchGUID(s string) cper.GUID {
	g, err := cper.ParseGUID(s)
	if err != nil {
		panic(err)
	}
	return g
}

// nvramSlot is the driver's default NVRAM slot (erst.WithNVRAMSlotSize),
// the largest record it writes in NVRAM mode.
const nvramSlot = store.DefaultRecordSize

// benchOps is the order bench reports operations in.
var benchOps = []string{"count", "ids", "dummy-write", "write", "read", "clear"}

// benchResult is the -json output.
type benchResult struct {
	Device      string        `json:"device"`
	Iterations  int           `json:"iterations"`
	RecordSize  int           `json:"record_size"`
	RangeLength uint64        `json:"range_length"`
	NVRAM       bool          `json:"nvram"`
	RecordID    string        `json:"record_id"`
	Operations  []benchOpJSON `json:"operations"`
}

// benchOpJSON is one operation's figures; latencies in nanoseconds.
type benchOpJSON struct {
	Op            string  `json:"op"`
	Count         int     `json:"count"`
	MeanNS        int64   `json:"mean_ns"`
	P50NS         int64   `json:"p50_ns"`
	P99NS         int64   `json:"p99_ns"`
	MinNS         int64   `json:"min_ns"`
	MaxNS         int64   `json:"max_ns"`
	AccessesPerOp float64 `json:"accesses_per_op"`
	// AccessesMin is the fewest register accesses the table's actions
	// allow for the operation, with one busy poll (erst.Device.MinAccesses;
	// for ids, per GET_RECORD_IDENTIFIER times the records plus 2).
	AccessesMin int `json:"accesses_min"`
	// AllocsPerOp is the Go heap allocations per operation, the driver's
	// and the device's (runtime/metrics /gc/heap/allocs:objects), counted
	// in a pass of min(N, 100) untimed runs after the timed ones.
	AllocsPerOp float64 `json:"allocs_per_op"`
	// FloorP50NS is the median time of the same register accesses
	// replayed raw, without the interpreter (erst.Device.Replay, with the
	// record's copy into or out of the range for write and read), and
	// FloorRatio what the driver costs over that floor: the median, over
	// the iterations, of the driver's time divided by its floor's in the
	// same iteration. Paired so, a change in the machine's speed during
	// the run cancels out (under TCG it runs in phases up to 3x apart,
	// lasting tens to hundreds of iterations), where P50NS / FloorP50NS,
	// the ratio of two medians, moves with how each side's runs happen to
	// fall into those phases. The replays of write and clear run after
	// the timed clear, the clear's after the write's, so that each finds
	// the store as its timed run did.
	FloorP50NS int64   `json:"floor_p50_ns"`
	FloorRatio float64 `json:"floor_ratio"`
	// SamplesNS, with -samples, is every timed iteration's time in order:
	// [driver, floor] nanoseconds (floor 0 where none was timed), for
	// looking at what a median hides, such as the phases of a TCG guest.
	SamplesNS [][2]int64 `json:"samples_ns,omitempty"`
	// Skipped says why the operation did not run (count 0).
	Skipped string `json:"skipped,omitempty"`
}

// opTimes collects one operation's latencies and register accesses.
type opTimes struct {
	lat       []time.Duration
	floor     []time.Duration // replays of trace
	trace     *[]erst.Access  // the accesses of the first run
	accesses  int64
	allocs    uint64 // in allocRuns untimed runs
	allocRuns int
	min       int
	skipped   string
}

// summary computes the figures; percentiles are nearest-rank.
func (o *opTimes) summary(name string) benchOpJSON {
	j := benchOpJSON{Op: name, Count: len(o.lat), Skipped: o.skipped}
	if len(o.lat) == 0 {
		return j
	}
	s := slices.Clone(o.lat)
	slices.Sort(s)
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	rank := func(p int) time.Duration { return s[(p*len(s)+99)/100-1] }
	j.MeanNS = int64(sum) / int64(len(s))
	j.P50NS, j.P99NS = int64(rank(50)), int64(rank(99))
	j.MinNS, j.MaxNS = int64(s[0]), int64(s[len(s)-1])
	j.AccessesPerOp = float64(o.accesses) / float64(len(s))
	j.AccessesMin = o.min
	if o.allocRuns > 0 {
		j.AllocsPerOp = float64(o.allocs) / float64(o.allocRuns)
	}
	if len(o.floor) > 0 {
		f := slices.Clone(o.floor)
		slices.Sort(f)
		j.FloorP50NS = int64(f[(50*len(f)+99)/100-1])
		j.FloorRatio = pairedRatio(o.lat, o.floor)
	}
	return j
}

// samples is o's timed iterations in order, [driver, floor] nanoseconds.
func (o *opTimes) samples() [][2]int64 {
	s := make([][2]int64, len(o.lat))
	for i, d := range o.lat {
		s[i][0] = int64(d)
		if i < len(o.floor) {
			s[i][1] = int64(o.floor[i])
		}
	}
	return s
}

// pairedRatio is the median of lat[i] / floor[i] (nearest rank), over
// the iterations where both were timed and the floor took some time; 0
// when there are none.
func pairedRatio(lat, floor []time.Duration) float64 {
	r := make([]float64, 0, min(len(lat), len(floor)))
	for i := range min(len(lat), len(floor)) {
		if floor[i] > 0 {
			r = append(r, float64(lat[i])/float64(floor[i]))
		}
	}
	if len(r) == 0 {
		return 0
	}
	slices.Sort(r)
	return r[(50*len(r)+99)/100-1]
}

func setupBench(fs *flag.FlagSet) func(*env, []string) error {
	n := fs.Int("n", 1000, "run each operation `N` times")
	recSize := size.Flag(0)
	fs.Var(&recSize, "size", "record size in `bytes`, at least 200 (K suffix allowed; default: the largest the device takes, the error log address range length, 8192 on QEMU)")
	fill := fs.Int("fill", 0, "store `N` more records before timing (cleared after), so that ids is timed at scale")
	asJSON := fs.Bool("json", false, "print JSON (latencies in nanoseconds)")
	samples := fs.Bool("samples", false, "with -json: add each operation's time in every iteration, the driver's and its floor's (samples_ns)")
	return func(e *env, args []string) error {
		if len(args) > 0 {
			return usagef("bench takes flags only")
		}
		if *samples && !*asJSON {
			return usagef("-samples needs -json")
		}
		if *n < 1 || *n > 10_000_000 {
			return usagef("-n %d: want 1 to 10000000", *n)
		}
		if *fill < 0 || *fill > 1_000_000 {
			return usagef("-fill %d: want 0 to 1000000", *fill)
		}
		if recSize != 0 && recSize < cper.PstoreHeaderSize {
			return usagef("-size %d: a record with one section takes at least %d bytes", recSize, cper.PstoreHeaderSize)
		}
		d, err := e.openDeviceWrite()
		if err != nil {
			return err
		}
		r := d.Range()
		maxSize := r.Length
		if r.NVRAM() {
			maxSize = min(maxSize, nvramSlot)
		}
		sz := uint64(recSize)
		if sz == 0 {
			sz = maxSize
		}
		if sz > maxSize {
			return usagef("-size %d: the device takes records of at most %d bytes", sz, maxSize)
		}
		rec, err := benchRecord(int(sz), benchID)
		if err != nil {
			return err
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		times, err := runBench(ctx, d, rec, *n, *fill)
		if err != nil {
			return err
		}
		res := benchResult{
			Device: d.where, Iterations: *n, RecordSize: len(rec), RangeLength: r.Length,
			NVRAM: r.NVRAM(), RecordID: hex64(benchID),
		}
		for _, op := range benchOps {
			j := times[op].summary(op)
			if *samples {
				j.SamplesNS = times[op].samples()
			}
			res.Operations = append(res.Operations, j)
		}
		if *asJSON {
			return printJSON(e.stdout, res)
		}
		printBench(e, res)
		return nil
	}
}

// benchRecord builds a valid CPER record of exactly n bytes under id. It
// has no timestamp, so that the bytes depend on n and id alone.
func benchRecord(n int, id uint64) ([]byte, error) {
	b := cper.Builder{
		RecordID:    id,
		NoTimestamp: true,
		Severity:    cper.SeverityInformational,
		Creator:     cper.CreatorID(benchCreator),
		Persistence: cper.PersistenceInfo(cper.PersistenceSignature),
		Sections: []cper.SectionSpec{{
			Type:     cper.SectionType(benchSection),
			Severity: cper.SeverityInformational,
			Flags:    cper.SectionPrimary,
			Body:     bytes.Repeat([]byte("erst bench\n"), n)[:n-cper.PstoreHeaderSize],
		}},
	}
	r, err := b.Build()
	if err != nil {
		return nil, err
	}
	return r.Marshal()
}

// runBench times the operations, after storing fill more records; the
// store ends as it began, whatever happens. It stops early, with an
// error, when ctx is cancelled.
func runBench(ctx context.Context, d *device, rec []byte, n, fill int) (_ map[string]*opTimes, err error) {
	stored, err := checkBenchIDsFree(d)
	if err != nil {
		return nil, err
	}
	times := map[string]*opTimes{}
	for _, op := range benchOps {
		trace := make([]erst.Access, 0, 256)
		times[op] = &opTimes{lat: make([]time.Duration, 0, n), floor: make([]time.Duration, 0, n), trace: &trace}
	}
	for op, eop := range map[string]erst.Operation{
		"count": erst.OpCount, "dummy-write": erst.OpDummyWrite,
		"write": erst.OpWrite, "read": erst.OpRead, "clear": erst.OpClear,
	} {
		times[op].min, _ = d.MinAccesses(eop)
	}
	if next, ok := d.MinAccesses(erst.OpNextID); ok {
		// IDs: one GET_RECORD_IDENTIFIER per record, one for the end,
		// one for its second pass (erst.Device.IDs).
		times["ids"].min = next * (stored + fill + 2)
	}
	allocs := []metrics.Sample{{Name: "/gc/heap/allocs:objects"}}
	heapAllocs := func() uint64 {
		metrics.Read(allocs)
		if allocs[0].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return allocs[0].Value.Uint64()
	}
	// counting is set for the pass that counts allocations: reading the
	// runtime's counter right before a timed run would have that run
	// start on the caches the read disturbed (under TCG some 2 µs of a
	// 20 µs write), so the timed passes read only the clock.
	counting := false
	// measure times f the one way driver and floor alike are timed.
	measure := func(f func() error) (time.Duration, error) {
		t0 := time.Now()
		err := f()
		return time.Since(t0), err
	}
	// floor replays the accesses of op's first run raw, with in copied
	// into the range before and out filled from it after. It must run with
	// the device in the state the timed run found it (the record stored
	// or not), so that the device does the same work.
	floor := func(op string, in, out []byte) error {
		if counting {
			return nil
		}
		o := times[op]
		dt, err := measure(func() error { return d.Replay(*o.trace, in, out) })
		if err != nil {
			return fmt.Errorf("%s: floor: %w", op, err)
		}
		o.floor = append(o.floor, dt)
		return nil
	}
	// timed runs f, one operation, recording its accesses the first time;
	// then, unless later, its floor. The accesses are the driver's own
	// count (erst.Device.Accesses), not a trace hook: the hook's call per
	// access would be timed as the driver's. In the counting pass it
	// counts f's allocations instead.
	timed := func(op string, f func() error, in, out []byte, later bool) error {
		o := times[op]
		if counting {
			m0 := heapAllocs()
			err := f()
			m1 := heapAllocs()
			if err != nil {
				return fmt.Errorf("%s: %w", op, err)
			}
			o.allocs += m1 - m0
			o.allocRuns++
			return nil
		}
		run := f
		if len(o.lat) == 0 {
			run = func() error { return d.Record(o.trace, f) }
		}
		a0 := d.Accesses()
		dt, err := measure(run)
		a1 := d.Accesses()
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		o.lat = append(o.lat, dt)
		o.accesses += int64(a1 - a0)
		if later {
			return nil
		}
		return floor(op, in, out)
	}

	// The fill records, cleared on the way out.
	filled := 0
	defer func() {
		var errs []error
		for i := range filled {
			id := benchID + 1 + uint64(i)
			if cerr := d.Clear(id); cerr != nil && !errors.Is(cerr, erst.ErrRecordNotFound) {
				errs = append(errs, fmt.Errorf("%s: %w", hex64(id), cerr))
			}
		}
		if len(errs) > 0 {
			err = errors.Join(err, fmt.Errorf("cleaning up the -fill records: %w (remove them with 'erst clear')", errors.Join(errs...)))
		}
	}()
	for i := range fill {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("interrupted after storing %d of %d -fill records", i, fill)
		}
		r, err := benchRecord(len(rec), benchID+1+uint64(i))
		if err != nil {
			return nil, err
		}
		filled = i + 1 // a failed write may still have stored it
		if err := d.Write(r); err != nil {
			return nil, fmt.Errorf("-fill: record %d of %d: %w", i+1, fill, err)
		}
	}
	interrupted := func(i int) error {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted after %d of %d iterations", i, n)
		}
		return nil
	}

	var ids []uint64 // reused: ids times the enumeration, not the slice's growth
	if !d.Machine().Has(acpi.BeginDummyWriteOperation) {
		times["dummy-write"].skipped = "the table has no BEGIN_DUMMY_WRITE_OPERATION"
	}
	// From the first write on, the record may be stored: clear it on the
	// way out unless the last clear is known to have worked.
	written := false
	defer func() {
		if !written {
			return
		}
		if cerr := d.Clear(benchID); cerr != nil && !errors.Is(cerr, erst.ErrRecordNotFound) {
			err = errors.Join(err, fmt.Errorf("cleaning up: %w (the store still holds bench's record %s; run 'erst clear %s')", cerr, hex64(benchID), hex64(benchID)))
		}
	}()
	got, floorOut := make([]byte, len(rec)), make([]byte, len(rec))
	// The timed pass of n iterations, then the pass that counts
	// allocations, of at most 100.
	for pass, iters := range []int{n, min(n, 100)} {
		counting = pass == 1
		for i := range iters {
			if err := interrupted(i); err != nil {
				return nil, err
			}
			if err := timed("count", func() error { _, err := d.Count(); return err }, nil, nil, false); err != nil {
				return nil, err
			}
			if err := timed("ids", func() (err error) { ids, err = d.AppendIDs(ids[:0]); return err }, nil, nil, false); err != nil {
				return nil, err
			}
			if times["dummy-write"].skipped == "" {
				if err := timed("dummy-write", d.DummyWrite, nil, nil, false); err != nil {
					return nil, err
				}
			}
		}
		for i := range iters {
			if err := interrupted(i); err != nil {
				return nil, err
			}
			// The floors of write and clear run after the timed clear, so
			// that each finds the store as its timed run did.
			written = true
			if err := timed("write", func() error { return d.Write(rec) }, nil, nil, true); err != nil {
				return nil, err
			}
			if err := timed("read", func() (err error) { _, err = d.ReadInto(benchID, got); return err }, nil, floorOut, false); err != nil {
				return nil, err
			}
			if !bytes.Equal(got, rec) {
				return nil, fmt.Errorf("read: record %s came back different from what was written", hex64(benchID))
			}
			if err := timed("clear", func() error { return d.Clear(benchID) }, nil, nil, true); err != nil {
				return nil, err
			}
			if err := floor("write", rec, nil); err != nil {
				return nil, err
			}
			if err := floor("clear", nil, nil); err != nil {
				return nil, err
			}
			// The replays do not check statuses: the record may be left.
		}
	}
	return times, nil
}

// checkBenchIDsFree refuses a store that holds a record in bench's id
// range: a user's record, which a write would replace, or a leftover of a
// run that was killed. benchID itself is looked up directly first:
// on QEMU, reading a missing id moves the enumeration cursor, and the
// enumeration after it puts the cursor back at the start, so the timed
// enumerations all start from there. It returns how many records the
// store holds.
func checkBenchIDsFree(d *device) (int, error) {
	_, err := d.Read(benchID)
	switch {
	case err == nil:
		return 0, fmt.Errorf("the store holds record %s, the id bench writes: 'erst clear %s' removes it", hex64(benchID), hex64(benchID))
	case !errors.Is(err, erst.ErrRecordNotFound) && !errors.Is(err, erst.ErrStoreEmpty):
		return 0, err
	}
	ids, err := d.IDs()
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		if id >= benchID && id <= benchIDEnd {
			return 0, fmt.Errorf("the store holds record %s, in the id range bench keeps for itself [%s, %s]: a leftover of an interrupted bench? See it with 'erst read %s'; 'erst clear %s' removes it", hex64(id), hex64(benchID), hex64(benchIDEnd), hex64(id), hex64(id))
		}
	}
	return len(ids), nil
}

// printBench prints the results as a table for a person.
func printBench(e *env, res benchResult) {
	w := e.stdout
	mode := "exchange buffer"
	if res.NVRAM {
		mode = "NVRAM"
	}
	fmt.Fprintf(w, "device:  %s (%s, range %d bytes)\n", res.Device, mode, res.RangeLength)
	fmt.Fprintf(w, "records: %d bytes, id %s; %d iterations\n\n", res.RecordSize, res.RecordID, res.Iterations)
	fmt.Fprintf(w, "%-12s %6s %10s %10s %10s %10s %10s %12s %8s %10s %7s\n", "op", "count", "mean µs", "p50 µs", "p99 µs", "min µs", "max µs", "accesses/op", "(least)", "allocs/op", "floor×")
	us := func(ns int64) string { return fmt.Sprintf("%.1f", float64(ns)/1e3) }
	for _, o := range res.Operations {
		if o.Skipped != "" {
			fmt.Fprintf(w, "%-12s skipped: %s\n", o.Op, o.Skipped)
			continue
		}
		fmt.Fprintf(w, "%-12s %6d %10s %10s %10s %10s %10s %12.1f %8d %10.1f %7.2f\n", o.Op, o.Count, us(o.MeanNS), us(o.P50NS), us(o.P99NS), us(o.MinNS), us(o.MaxNS), o.AccessesPerOp, o.AccessesMin, o.AllocsPerOp, o.FloorRatio)
	}
}
