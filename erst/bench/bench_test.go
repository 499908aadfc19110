package bench

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/cper"
	"github.com/goerst/erst/erst/sim"
	"github.com/goerst/erst/erst/sim/simtest"
	"github.com/goerst/erst/erst/store"
)

// faultyBench is a device over an in-memory simulated store whose access
// hook, once set, sees every register access.
type faultyBench struct {
	dev  *erst.Device
	sim  *sim.Device
	st   *store.Store
	hook func(sim.Access)
}

func newFaultyBench(t *testing.T) *faultyBench {
	t.Helper()
	fb := &faultyBench{}
	r := simtest.New(t, 64<<10, simtest.WithSim(sim.WithAccessHook(func(a sim.Access) {
		if fb.hook != nil {
			fb.hook(a)
		}
	})))
	fb.dev, fb.sim, fb.st = r.Driver, r.Sim, r.Store
	return fb
}

// onAction calls f on the n-th write of action a to the ACTION register.
func (fb *faultyBench) onAction(a acpi.Action, n int, f func()) {
	seen := 0
	fb.hook = func(acc sim.Access) {
		if acc.Write && acc.Addr == fb.sim.Bar0()+sim.ActionOffset && acc.Value == uint64(a) {
			if seen++; seen == n {
				f()
			}
		}
	}
}

func (fb *faultyBench) run(t *testing.T, ctx context.Context) error {
	t.Helper()
	rec, err := Record(512, ID)
	if err != nil {
		t.Fatal(err)
	}
	_, err = run(ctx, fb.dev, rec, 5, 0)
	return err
}

// TestBenchClearsOnError: when an operation fails after bench's record
// was written, the record is cleared on the way out; when the clear
// fails too, the error says what is left and how to remove it.
func TestBenchClearsOnError(t *testing.T) {
	// The first BEGIN_READ is the check that bench's id is free; the
	// second is the first timed read, right after the first write.
	t.Run("read fails", func(t *testing.T) {
		fb := newFaultyBench(t)
		fb.onAction(acpi.BeginReadOperation, 2, func() { fb.sim.ForceStatus(acpi.StatusFailed, 1, false) })
		err := fb.run(t, context.Background())
		if err == nil || !strings.HasPrefix(err.Error(), "read: ") || strings.Contains(err.Error(), "cleaning up") {
			t.Errorf("run = %v; want the read's failure alone", err)
		}
		if ids := fb.st.IDs(); len(ids) != 0 {
			t.Errorf("store holds %#x after the failed run; want nothing", ids)
		}
	})
	t.Run("read and clear fail", func(t *testing.T) {
		fb := newFaultyBench(t)
		fb.onAction(acpi.BeginReadOperation, 2, func() { fb.sim.ForceStatus(acpi.StatusFailed, -1, false) })
		err := fb.run(t, context.Background())
		if err == nil || !strings.Contains(err.Error(), "cleaning up") || !strings.Contains(err.Error(), "erst clear 0x62656e6368000000") {
			t.Errorf("run = %v; want the read's failure and the clear's, with what to run", err)
		}
		if ids := fb.st.IDs(); !slices.Equal(ids, []uint64{ID}) {
			t.Errorf("store holds %#x; want bench's record, which could not be cleared", ids)
		}
	})
}

// TestBenchInterrupted: an interrupt stops the run between iterations
// and the record is not left behind.
func TestBenchInterrupted(t *testing.T) {
	fb := newFaultyBench(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fb.onAction(acpi.BeginWriteOperation, 1, cancel)
	err := fb.run(t, ctx)
	if err == nil || err.Error() != "interrupted after 1 of 5 iterations" {
		t.Errorf("run = %v; want it interrupted after the first iteration", err)
	}
	if ids := fb.st.IDs(); len(ids) != 0 {
		t.Errorf("store holds %#x after the interrupted run; want nothing", ids)
	}
}

// TestPairedRatio: floor_ratio compares each iteration's driver time
// with its own floor's, so that a machine that runs in phases of
// different speed (TCG on a shared host) does not decide it. Here the
// driver is 10% over its floor in every iteration, but more of the
// driver's iterations than the floor's fell into the slow phase: the
// ratio of the medians says 3x, the paired ratio 1.1.
func TestPairedRatio(t *testing.T) {
	us := func(v ...float64) []time.Duration {
		d := make([]time.Duration, len(v))
		for i, x := range v {
			d[i] = time.Duration(x * float64(time.Microsecond))
		}
		return d
	}
	for _, c := range []struct {
		name       string
		lat, floor []time.Duration
		want       float64
	}{
		{"phases", us(22, 22, 66, 66, 66), us(20, 20, 20, 60, 60), 1.1},
		{"one", us(11), us(10), 1.1},
		{"median of three", us(10, 20, 33), us(10, 10, 30), 1.1},
		{"zero floors left out", us(10, 11, 5), us(0, 10, 0), 1.1},
		{"none", nil, nil, 0},
		{"only zero floors", us(10), us(0), 0},
	} {
		if got := PairedRatio(c.lat, c.floor); got < c.want-1e-9 || got > c.want+1e-9 {
			t.Errorf("%s: pairedRatio = %v, want %v", c.name, got, c.want)
		}
	}
	// The "phases" case's medians: 66 µs against 20 µs.
	o := &opTimes{lat: us(22, 22, 66, 66, 66), floor: us(20, 20, 20, 60, 60)}
	if j := o.summary("write"); j.FloorRatio < 1.1-1e-9 || j.FloorRatio > 1.1+1e-9 || j.P50NS != 66000 || j.FloorP50NS != 20000 {
		t.Errorf("summary: p50 %d, floor p50 %d, floor_ratio %v; want 66000, 20000, 1.1", j.P50NS, j.FloorP50NS, j.FloorRatio)
	}
}

// TestRunRefusesOptions: options Run cannot use are ErrOptions, and the
// store is not touched.
func TestRunRefusesOptions(t *testing.T) {
	fb := newFaultyBench(t)
	touched := false
	fb.hook = func(sim.Access) { touched = true }
	for _, o := range []Options{
		{N: 0},
		{N: 10_000_001},
		{N: 1, Fill: -1},
		{N: 1, RecordSize: MinRecordSize - 1},
		{N: 1, RecordSize: 8193}, // beyond the 8 KiB range
	} {
		if _, err := Run(context.Background(), fb.dev, o); !errors.Is(err, ErrOptions) {
			t.Errorf("Run(%+v) = %v; want ErrOptions", o, err)
		}
	}
	if touched {
		t.Error("Run with bad options accessed the device")
	}
}

// TestRecord: Run's records are valid CPER of exactly the size asked,
// under the id asked, made by bench's creator.
func TestRecord(t *testing.T) {
	for _, n := range []int{MinRecordSize, 1000, 8192} {
		rec, err := Record(n, ID+7)
		if err != nil {
			t.Fatal(err)
		}
		r, err := cper.Parse(rec)
		if err != nil || len(rec) != n || r.Header.RecordID != ID+7 || r.Header.Creator != cper.CreatorID(creator) {
			t.Errorf("Record(%d): %d bytes, %v, %+v", n, len(rec), err, r)
		}
	}
	if _, err := Record(MinRecordSize-1, ID); !errors.Is(err, ErrOptions) {
		t.Errorf("Record(%d) = %v; want ErrOptions", MinRecordSize-1, err)
	}
}
