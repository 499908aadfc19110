package pshed_test

import (
	"fmt"
	"testing"

	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/hw"
	"github.com/goerst/erst/erst/pshed"
	"github.com/goerst/erst/erst/pshed/pshedtest"
	"github.com/goerst/erst/erst/sim"
	"github.com/goerst/erst/erst/store"
)

// simAdapter is an Adapter over the driver over a simulated device whose
// store holds n 4 KiB records (ids 1..n), and a count of the device's
// register accesses.
func simAdapter(t testing.TB, n int) (*pshed.Adapter, *int) {
	t.Helper()
	const rs = 4096
	im, err := store.NewImage((n+n/256+8)*rs, rs)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.New(im)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if _, err := st.Write(pshedtest.NewRecord(128, uint64(i+1))); err != nil {
			t.Fatal(err)
		}
	}
	accesses := 0
	clock := hw.NewFakeClock()
	dev, err := sim.New(st, sim.WithClock(clock), sim.WithAccessHook(func(sim.Access) { accesses++ }))
	if err != nil {
		t.Fatal(err)
	}
	drv, err := erst.Open(dev.Table(), dev, erst.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	return pshed.NewAdapter(drv), &accesses
}

// iterate follows ReadErrorRecord from id 0 to the end and returns the
// ids visited, in order.
func iterate(t testing.TB, a pshed.Persistence) []uint64 {
	t.Helper()
	buf := make([]byte, 4096)
	var seen []uint64
	id := uint64(0)
	for {
		next, n, st := a.ReadErrorRecord(0, id, buf)
		if st != pshed.StatusSuccess {
			t.Fatalf("ReadErrorRecord(%#x) = %v after %d records", id, st, len(seen))
		}
		cur, _ := pshedtest.RecordID(buf[:n])
		seen = append(seen, cur)
		if next == cur || len(seen) > 1<<20 {
			return seen
		}
		id = next
	}
}

// An iteration visits every record exactly once, however many (Linux's
// cache, and once this driver, stopped at 1,024), and costs one
// enumeration plus one read per record in register accesses: linear.
func TestAdapterIteratesEveryRecordInLinearAccesses(t *testing.T) {
	for _, n := range []int{1025, 5000} {
		a, accesses := simAdapter(t, n)
		*accesses = 0
		seen := iterate(t, a)
		if len(seen) != n {
			t.Fatalf("%d records: iteration saw %d", n, len(seen))
		}
		for i, id := range seen {
			if id != uint64(i+1) {
				t.Fatalf("%d records: record %d of the iteration is %#x, want %#x", n, i, id, i+1)
			}
		}
		// Per record: a read (12 accesses on QEMU's table) and its id in
		// the one enumeration (2); plus the enumeration's end.
		if limit := 14*n + 16; *accesses > limit {
			t.Errorf("%d records: %d register accesses, more than %d (linear)", n, *accesses, limit)
		}
	}
}

// ~0 is never a stored id: STATUS_OBJECT_NOT_FOUND, as for any other id
// that is not stored, on a store with records too.
func TestAdapterReadInvalidIDNotFound(t *testing.T) {
	for _, n := range []int{0, 3} {
		a, _ := simAdapter(t, n)
		for _, id := range []uint64{erst.InvalidID, 0x7777} {
			if _, _, st := a.ReadErrorRecord(0, id, make([]byte, 4096)); st != pshed.StatusObjectNotFound {
				t.Errorf("%d records: ReadErrorRecord(%#x) = %v, want %v", n, id, st, pshed.StatusObjectNotFound)
			}
		}
	}
}

// BenchmarkAdapterIterate reads every record of a store of N records
// through ReadErrorRecord, as the PSHED does at boot: the cost per record
// stays flat as N grows (accesses/record is exact; ns/record shows the
// simulator's own per-lookup scan, which is QEMU's).
func BenchmarkAdapterIterate(b *testing.B) {
	for _, n := range []int{100, 1000, 5000} {
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
			a, accesses := simAdapter(b, n)
			*accesses = 0
			for b.Loop() {
				if got := len(iterate(b, a)); got != n {
					b.Fatalf("iteration saw %d of %d records", got, n)
				}
			}
			b.ReportMetric(float64(*accesses)/float64(b.N)/float64(n), "accesses/record")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/record")
		})
	}
}

// Over the erst driver, ReadErrorRecord reads into the caller's buffer:
// no allocation once the iteration order is known.
func TestAdapterReadAllocatesNothing(t *testing.T) {
	a, _ := simAdapter(t, 5)
	buf := make([]byte, 4096)
	if _, _, st := a.ReadErrorRecord(0, 0, buf); st != pshed.StatusSuccess {
		t.Fatal(st)
	}
	n := testing.AllocsPerRun(20, func() {
		if next, _, st := a.ReadErrorRecord(0, 3, buf); st != pshed.StatusSuccess || next != 4 {
			t.Fatalf("ReadErrorRecord(3) = next %d, %v", next, st)
		}
	})
	if n != 0 {
		t.Errorf("ReadErrorRecord: %v allocations per call, want 0", n)
	}
	// A short buffer still gets the length, and is left alone.
	short := make([]byte, 64)
	if _, n, st := a.ReadErrorRecord(0, 3, short); st != pshed.StatusBufferTooSmall || n != 128 {
		t.Errorf("short buffer: %d, %v; want 128, STATUS_BUFFER_TOO_SMALL", n, st)
	}
}
