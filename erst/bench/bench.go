// Package bench times an ERST driver's operations (count, ids, dummy
// write, write, read, clear) against the floor its table sets: the
// fewest register accesses the table's actions allow
// ([erst.Device.MinAccesses]) and the time of the same accesses replayed
// raw, without the interpreter ([erst.Device.Replay]). It is what
// `erst bench` runs and prints.
//
// Run writes, reads back and clears one record per iteration under [ID],
// refuses a store holding a record in [ID, IDEnd], and leaves the store
// with the records it had, also on error or when its context ends.
package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/cper"
)

// The id range [Run] keeps for itself ("bench" followed by zeros, as
// pshedtest uses "pshed"), and the one id it writes; -fill records take
// the ids after it.
const (
	ID    uint64 = 0x6265_6e63_6800_0000
	IDEnd uint64 = ID + 1<<32 - 1
)

// MinRecordSize is the smallest record [Run] writes: a CPER header and one
// section descriptor.
const MinRecordSize = cper.PstoreHeaderSize

// Ops is the order [Run] reports operations in.
var Ops = []string{"count", "ids", "dummy-write", "write", "read", "clear"}

// ErrOptions matches (errors.Is) the error for [Options] [Run] cannot use,
// whose message names the option as `erst bench` spells its flag.
var ErrOptions = errors.New("bad benchmark options")

// optionsError is an ErrOptions with its own message.
type optionsError string

func (e optionsError) Error() string        { return string(e) }
func (e optionsError) Is(target error) bool { return target == ErrOptions }

func badOption(format string, args ...any) error {
	return optionsError(fmt.Sprintf(format, args...))
}

// Options configure one [Run].
type Options struct {
	N          int  // iterations of each operation, 1 to 10,000,000
	Fill       int  // records stored before timing (cleared after), 0 to 1,000,000
	RecordSize int  // bytes per record, MinRecordSize to the device's largest; 0: the largest
	Samples    bool // keep every iteration's times in OpReport.SamplesNS
}

// Validate checks the options that do not depend on a device.
func (o Options) Validate() error {
	switch {
	case o.N < 1 || o.N > 10_000_000:
		return badOption("-n %d: want 1 to 10000000", o.N)
	case o.Fill < 0 || o.Fill > 1_000_000:
		return badOption("-fill %d: want 0 to 1000000", o.Fill)
	case o.RecordSize != 0 && o.RecordSize < MinRecordSize:
		return badOption("-size %d: a record with one section takes at least %d bytes", o.RecordSize, MinRecordSize)
	}
	return nil
}

// recordSize is the size of the records Run writes on d.
func (o Options) recordSize(d *erst.Device) (int, error) {
	largest := d.MaxRecordSize()
	switch {
	case o.RecordSize == 0:
		return largest, nil
	case o.RecordSize > largest:
		return 0, badOption("-size %d: the device takes records of at most %d bytes", o.RecordSize, largest)
	}
	return o.RecordSize, nil
}

// Report is a [Run]'s figures, as `erst bench -json` prints them.
type Report struct {
	Device      string     `json:"device"` // set by the caller: what d is
	Iterations  int        `json:"iterations"`
	RecordSize  int        `json:"record_size"`
	RangeLength uint64     `json:"range_length"`
	NVRAM       bool       `json:"nvram"`
	RecordID    string     `json:"record_id"`
	Operations  []OpReport `json:"operations"`
}

// OpReport is one operation's figures; latencies in nanoseconds.
type OpReport struct {
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
	// for ids, per GET_RECORD_IDENTIFIER times the records plus 2); 0
	// where the table gives none.
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
	// same iteration (PairedRatio). Paired so, a change in the machine's
	// speed during the run cancels out (under TCG it runs in phases up to
	// 3x apart, lasting tens to hundreds of iterations), where P50NS /
	// FloorP50NS, the ratio of two medians, moves with how each side's
	// runs happen to fall into those phases. The replays of write and
	// clear run after the timed clear, the clear's after the write's, so
	// that each finds the store as its timed run did.
	FloorP50NS int64   `json:"floor_p50_ns"`
	FloorRatio float64 `json:"floor_ratio"`
	// SamplesNS, with Options.Samples, is every timed iteration's time in
	// order: [driver, floor] nanoseconds (floor 0 where none was timed),
	// for looking at what a median hides, such as the phases of a TCG
	// guest.
	SamplesNS [][2]int64 `json:"samples_ns,omitempty"`
	// Skipped says why the operation did not run (count 0).
	Skipped string `json:"skipped,omitempty"`
}

// Record builds a valid CPER record of exactly n bytes (at least
// [MinRecordSize]) under id, as [Run] writes them. It has no timestamp, so
// that the bytes depend on n and id alone.
func Record(n int, id uint64) ([]byte, error) {
	if n < MinRecordSize {
		return nil, badOption("a %d-byte record: a record with one section takes at least %d bytes", n, MinRecordSize)
	}
	b := cper.Builder{
		RecordID:    id,
		NoTimestamp: true,
		Severity:    cper.SeverityInformational,
		Creator:     cper.CreatorID(creator),
		Persistence: cper.PersistenceInfo(cper.PersistenceSignature),
		Sections: []cper.SectionSpec{{
			Type:     cper.SectionType(section),
			Severity: cper.SeverityInformational,
			Flags:    cper.SectionPrimary,
			Body:     bytes.Repeat([]byte("erst bench\n"), n)[:n-cper.PstoreHeaderSize],
		}},
	}
	return b.Bytes()
}

// creator is the CPER CreatorID of Run's records, so that one a killed
// run left behind is recognisable in erst ls, and section the type of
// their one section (random GUIDs).
var (
	creator = mustGUID("3d5c114c-909e-4241-b777-f173b8b939f5")
	section = mustGUID("d0758901-8348-4b4c-98a0-ee77d1439cff")
)

// mustGUID parses one of the constant GUIDs above; TestRecord holds them
// valid.
func mustGUID(s string) cper.GUID {
	g, err := cper.ParseGUID(s)
	if err != nil {
		panic(err)
	}
	return g
}

// PairedRatio is the median of lat[i] / floor[i] (nearest rank), over
// the iterations where both were timed and the floor took some time; 0
// when there are none.
func PairedRatio(lat, floor []time.Duration) float64 {
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

// opTimes collects one operation's latencies and register accesses.
type opTimes struct {
	lat       []time.Duration
	floor     []time.Duration        // replays of trace
	trace     *[]erst.RecordedAccess // the accesses of the first run
	accesses  int64
	allocs    uint64 // in allocRuns untimed runs
	allocRuns int
	min       int
	skipped   string
}

// summary computes the figures; percentiles are nearest-rank.
func (o *opTimes) summary(name string) OpReport {
	j := OpReport{Op: name, Count: len(o.lat), Skipped: o.skipped}
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
		j.FloorRatio = PairedRatio(o.lat, o.floor)
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

// Run times d's operations o.N times each, after storing o.Fill more
// records; the store ends as it began, whatever happens. It stops early,
// with an error, when ctx ends. Bad options are [ErrOptions], before d is
// touched.
func Run(ctx context.Context, d *erst.Device, o Options) (*Report, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	size, err := o.recordSize(d)
	if err != nil {
		return nil, err
	}
	rec, err := Record(size, ID)
	if err != nil {
		return nil, err
	}
	times, err := run(ctx, d, rec, o.N, o.Fill)
	if err != nil {
		return nil, err
	}
	r := d.Range()
	rep := &Report{
		Iterations: o.N, RecordSize: len(rec), RangeLength: r.Length,
		NVRAM: r.NVRAM(), RecordID: hex64(ID),
	}
	for _, op := range Ops {
		j := times[op].summary(op)
		if o.Samples {
			j.SamplesNS = times[op].samples()
		}
		rep.Operations = append(rep.Operations, j)
	}
	return rep, nil
}

func hex64(v uint64) string { return fmt.Sprintf("%#x", v) }
