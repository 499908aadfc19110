// Package conform checks an ERST device the way a firmware engineer
// needs it checked on a platform: the driver-level behaviour Linux and
// Windows rely on (ACPI 6.5 §18.5: write, read, clear, count, dummy write,
// command statuses, a full store, the execute timings the table
// announces) and the PSHED persistence contract (package pshedtest), on a
// store that may hold other records.
//
// Run uses only the identifiers pshedtest reserves ([pshedtest.Reserved]).
// Each check clears the records it wrote; after each, [Run] enumerates the
// store, notes any reserved record still there (NothingLeft reports it)
// and clears it, so that the next check starts clean. At the end it
// checks that every other record reads back byte for byte as before. It
// needs room for [pshedtest.Room] records of the range length.
package conform

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/cper"
	"github.com/goerst/erst/erst/pshed"
	"github.com/goerst/erst/erst/pshed/pshedtest"
)

// MaxFill bounds how many records FullStore writes into a store of
// unknown size before it gives up waiting for NOT_ENOUGH_SPACE.
const MaxFill = 4096

// ErrCannotRun is wrapped by [Run]'s error when the run cannot start: the
// store cannot be enumerated, holds records with reserved identifiers
// (left by an interrupted run), or has too little free space.
var ErrCannotRun = errors.New("the conformance run cannot start")

// Options adjust [Run].
type Options struct {
	// RecordLength is the longest record the checks write; 0 means the
	// error log address range length. In NVRAM mode, where the range is
	// the whole store, pass the driver's slot size
	// (erst.WithNVRAMSlotSize).
	RecordLength int
	// Free is how many records of RecordLength the store has room for,
	// when FreeKnown (the caller knows: a simulated store), 0 for a full
	// one. Unknown (FreeKnown false, Free 0), the FullStore check finds
	// out by filling the store, up to MaxFill.
	Free      int
	FreeKnown bool
	// Samples is how many dummy writes the Timings check times; 0 means
	// 50.
	Samples int
	// Clock measures the Timings check; nil means the system clock.
	Clock func() time.Time
}

// Report is the outcome of a run.
type Report struct {
	Range        erst.Range
	RecordLength int  // the longest record the checks wrote
	Free         int  // room in records of RecordLength: Options.Free or what FullStore found
	FreeKnown    bool // Free is known; false: neither given nor found
	Foreign      int  // other records in the store, left alone
	Results      []pshedtest.Result
}

// Failed returns the names of the checks that failed.
func (r *Report) Failed() []string {
	var names []string
	for _, res := range r.Results {
		if res.Outcome == pshedtest.Fail {
			names = append(names, res.Name)
		}
	}
	return names
}

// own identifiers of this package's checks, inside pshedtest's reserved
// range and apart from the identifiers its checks use.
func own(n int) uint64 { return pshedtest.IDBase + 1<<39 + uint64(n) }

// run is one conformance run's state.
type run struct {
	d       *erst.Device
	o       Options
	rep     *Report
	foreign map[uint64][]byte // other records as read before the checks
	order   []uint64          // their ids in store order
	wrote   map[uint64]bool   // ids the running check wrote, for tidy
	left    []string          // what the sweeps found: NothingLeft's findings
}

// Run checks d. The error, wrapping [ErrCannotRun], is for a run that could
// not start; failed checks are in the [Report].
func Run(d *erst.Device, o Options) (*Report, error) {
	if o.Samples <= 0 {
		o.Samples = 50
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.RecordLength <= 0 || uint64(o.RecordLength) > d.Range().Length {
		o.RecordLength = int(d.Range().Length)
	}
	r := &run{d: d, o: o, rep: &Report{Range: d.Range(), RecordLength: o.RecordLength, Free: o.Free, FreeKnown: o.FreeKnown}, foreign: map[uint64][]byte{}, wrote: map[uint64]bool{}}
	ids, err := d.IDs()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCannotRun, err)
	}
	var mine []uint64
	for _, id := range ids {
		if pshedtest.Reserved(id) {
			mine = append(mine, id)
		} else {
			r.order = append(r.order, id)
		}
	}
	if len(mine) > 0 {
		return nil, fmt.Errorf("%w: the store holds %d records with the ids conform reserves (%#x..., left by an interrupted run?); clear them first", ErrCannotRun, len(mine), mine[0])
	}
	r.rep.Foreign = len(r.order)
	if o.Free != 0 && !o.FreeKnown {
		return nil, fmt.Errorf("%w: Options.Free is %d with FreeKnown false: set FreeKnown, or leave Free 0 for unknown", ErrCannotRun, o.Free)
	}
	if o.FreeKnown && o.Free < pshedtest.Room {
		return nil, fmt.Errorf("%w: it needs room for %d records of %d bytes; the store has room for %d", ErrCannotRun, pshedtest.Room, o.RecordLength, o.Free)
	}
	for _, c := range r.checks() {
		c.Run = r.tidied(c.Run)
		r.rep.Results = append(r.rep.Results, pshedtest.Run(c, pshedtest.Target{}))
		r.sweep(c.Name)
	}
	for _, c := range pshedtest.Checks() {
		tg := pshedtest.Target{
			Persistence:   pshed.NewAdapter(reservedStore{d, r.wrote}),
			RangeLength:   o.RecordLength,
			Capacity:      r.rep.Free,
			CapacityKnown: r.rep.FreeKnown,
		}
		c.Run = r.tidied(c.Run)
		res := pshedtest.Run(c, tg)
		res.Name = "pshed/" + res.Name
		r.rep.Results = append(r.rep.Results, res)
		r.sweep(res.Name)
	}
	for _, c := range []pshedtest.Check{{Name: "ForeignUntouched", Run: r.checkForeignUntouched}, {Name: "NothingLeft", Run: r.checkNothingLeft}} {
		r.rep.Results = append(r.rep.Results, pshedtest.Run(c, pshedtest.Target{}))
	}
	return r.rep, nil
}

// checks are the driver-level checks, in order. Each ignores its Target.
func (r *run) checks() []pshedtest.Check {
	return []pshedtest.Check{
		{Name: "Table", Run: r.checkTable},
		{Name: "ForeignReadable", Run: r.checkForeignReadable},
		{Name: "Timings", Run: r.checkTimings},
		{Name: "FullStore", Run: r.checkFullStore},
		{Name: "WriteReadClear", Run: r.checkWriteReadClear},
		{Name: "PersistenceSignature", Run: r.checkPersistenceSignature},
		{Name: "Overwrite", Run: r.checkOverwrite},
		{Name: "MissingRecord", Run: r.checkMissingRecord},
		{Name: "DummyWrite", Run: r.checkDummyWrite},
	}
}

// tidied has check f clear, when it ends (failed, skipped or passed),
// every record it wrote, as a caller of the driver would: a clear that
// fails fails the check. A device that acknowledges a clear and keeps the
// record is left to the sweep to find.
func (r *run) tidied(f func(pshedtest.TB, pshedtest.Target)) func(pshedtest.TB, pshedtest.Target) {
	return func(t pshedtest.TB, tg pshedtest.Target) {
		defer r.tidy(t)
		f(t, tg)
	}
}

func (r *run) tidy(t pshedtest.TB) {
	ids := slices.Sorted(maps.Keys(r.wrote))
	clear(r.wrote)
	for _, id := range ids {
		if err := r.d.Clear(id); err != nil && !errors.Is(err, erst.ErrRecordNotFound) && !errors.Is(err, erst.ErrStoreEmpty) {
			t.Errorf("clear of record %#x, which the check wrote: %v", id, err)
		}
	}
}

// sweep runs after the check named after: any reserved record still in
// the store is one the check left behind although it cleared what it
// wrote. It is noted for NothingLeft and cleared, so that the next check
// starts clean; a sweep that cannot enumerate or clear is noted too.
func (r *run) sweep(after string) {
	ids, err := r.d.IDs()
	if err != nil {
		r.left = append(r.left, fmt.Sprintf("after %s, the store could not be enumerated: %v", after, err))
		return
	}
	left := slices.DeleteFunc(ids, func(id uint64) bool { return !pshedtest.Reserved(id) })
	if len(left) == 0 {
		return
	}
	r.left = append(r.left, fmt.Sprintf("%s left %d records behind after clearing what it wrote: %#x", after, len(left), left[:min(len(left), 8)]))
	for _, id := range left {
		if err := r.d.Clear(id); err != nil {
			r.left = append(r.left, fmt.Sprintf("the sweep after %s could not clear record %#x: %v", after, id, err))
		}
	}
}

// write writes rec and notes its id for tidy.
func (r *run) write(rec []byte) error {
	r.wrote[erst.RecordID(rec)] = true
	return r.d.Write(rec)
}

func (r *run) record(size int, n int) []byte { return pshedtest.NewRecord(size, own(n)) }

// Table: the range the table's GET_ERROR_LOG_ADDRESS_* actions report,
// and the timings it announces, are usable.
func (r *run) checkTable(t pshedtest.TB, _ pshedtest.Target) {
	rg := r.d.Range()
	if rg.NVRAM() {
		t.Logf("error log range %#x, %d bytes, NVRAM (records written in place)", rg.Base, rg.Length)
	} else {
		t.Logf("error log range %#x, %d bytes", rg.Base, rg.Length)
	}
	if rg.HasTimings && rg.Timings.Nominal() > rg.Timings.Max() {
		t.Errorf("GET_EXECUTE_OPERATION_TIMINGS %#x announces a nominal time (%v) above the maximum (%v)", uint64(rg.Timings), rg.Timings.Nominal(), rg.Timings.Max())
	}
	if rg.HasTimings && rg.Timings.Max() == 0 {
		t.Errorf("GET_EXECUTE_OPERATION_TIMINGS %#x announces a maximum execute time of 0", uint64(rg.Timings))
	}
}

// ForeignReadable: every record already in the store reads back (the
// copy ForeignUntouched compares with at the end).
func (r *run) checkForeignReadable(t pshedtest.TB, _ pshedtest.Target) {
	for _, id := range r.order {
		rec, err := r.d.Read(id)
		if err != nil {
			t.Errorf("read of record %#x, already in the store: %v", id, err)
			continue
		}
		r.foreign[id] = rec
	}
	t.Logf("%d records already in the store read back", len(r.foreign))
}

// Timings: the operations take, in the median, no longer than the
// maximum execute time the table announces (GET_EXECUTE_OPERATION_TIMINGS,
// ACPI 6.5 Table 18.28; microseconds, or milliseconds on a range marked
// slow as Linux 6.7+ reads it). Each sample is a whole dummy write, every
// register access included, so the figure is an upper bound on the
// execute time itself.
func (r *run) checkTimings(t pshedtest.TB, _ pshedtest.Target) {
	rg := r.d.Range()
	if !rg.HasTimings {
		t.Skipf("the table has no GET_EXECUTE_OPERATION_TIMINGS (ACPI 6.3+): nothing announced to measure against")
	}
	max, nominal := rg.Timings.Max(), rg.Timings.Nominal()
	if rg.Attributes&acpi.AttrSlow != 0 {
		max, nominal = max*1000, nominal*1000
	}
	op := r.d.DummyWrite
	what := "dummy write"
	if err := op(); errors.Is(err, erst.ErrMissingAction) {
		op, what = func() error { return r.write(r.record(cper.HeaderSize, 1)) }, "128-byte write"
	}
	samples := make([]time.Duration, 0, r.o.Samples)
	for range r.o.Samples {
		start := r.o.Clock()
		err := op()
		took := r.o.Clock().Sub(start)
		if err != nil {
			t.Fatalf("%s %d of %d: %v (after %v)", what, len(samples)+1, r.o.Samples, err, took)
		}
		samples = append(samples, took)
	}
	slices.Sort(samples)
	median, slowest := samples[len(samples)/2], samples[len(samples)-1]
	figures := fmt.Sprintf("median %v, slowest %v over %d %ss; the table announces nominal %v, maximum %v",
		median.Round(time.Microsecond/10), slowest.Round(time.Microsecond/10), len(samples), what, nominal, max)
	if median > max {
		t.Errorf("%s: slower than the announced maximum", figures)
		return
	}
	t.Logf("%s", figures)
}

// FullStore: the store takes records of the range length until it is
// full (as many as it has room for, when that is known), then refuses the
// next with NOT_ENOUGH_SPACE (ACPI 6.5 Table 18.30) without changing the
// count or the other records; clearing one makes room again.
func (r *run) checkFullStore(t pshedtest.TB, _ pshedtest.Target) {
	size := r.o.RecordLength
	limit := MaxFill
	if r.o.FreeKnown {
		limit = r.o.Free + 1
	}
	before, err := r.d.Count()
	if err != nil {
		t.Fatalf("GET_RECORD_COUNT: %v", err)
	}
	taken := 0
	var refusal error
	for n := 1; n <= limit; n++ {
		if err := r.write(r.record(size, n)); err != nil {
			refusal = err
			break
		}
		taken++
	}
	switch {
	case refusal == nil:
		t.Fatalf("the store took %d records of %d bytes and never reported NOT_ENOUGH_SPACE", taken, size)
	case !errors.Is(refusal, erst.ErrNotEnoughSpace):
		t.Fatalf("write %d of %d-byte records: %v, want command status NOT_ENOUGH_SPACE when full", taken+1, size, refusal)
	case r.o.FreeKnown && taken != r.o.Free:
		t.Fatalf("the store took %d records of %d bytes before NOT_ENOUGH_SPACE; it has room for %d", taken, size, r.o.Free)
	}
	if !r.o.FreeKnown {
		r.rep.Free, r.rep.FreeKnown = taken, true
	}
	if n, err := r.d.Count(); err != nil || n != before+uint64(taken) {
		t.Errorf("GET_RECORD_COUNT of the full store = %d, %v; want %d (%d before, %d written, the refused one not counted)", n, err, before+uint64(taken), before, taken)
	}
	for id, want := range r.foreign {
		if got, err := r.d.Read(id); err != nil || !bytes.Equal(got, want) {
			t.Errorf("record %#x, already in the store, does not read back the same from a full store: %v", id, err)
		}
	}
	if taken == 0 {
		t.Fatalf("the store had no room for a single %d-byte record", size)
	}
	if err := r.d.Clear(own(1)); err != nil {
		t.Fatalf("clear in a full store: %v", err)
	}
	if err := r.write(r.record(size, limit+1)); err != nil {
		t.Errorf("write after clearing one record of a full store: %v", err)
	}
	t.Logf("room for %d records of %d bytes", taken, size)
}

// WriteReadClear: records of the smallest and the largest size read back
// byte for byte, by id and as the first record; GET_RECORD_COUNT follows;
// a cleared record is gone.
func (r *run) checkWriteReadClear(t pshedtest.TB, _ pshedtest.Target) {
	before, err := r.d.Count()
	if err != nil {
		t.Fatalf("GET_RECORD_COUNT: %v", err)
	}
	recs := [][]byte{r.record(cper.HeaderSize, 1), r.record(r.o.RecordLength, 2)}
	for _, rec := range recs {
		if err := r.write(rec); err != nil {
			t.Fatalf("write of a %d-byte record: %v", len(rec), err)
		}
	}
	for _, rec := range recs {
		id := erst.RecordID(rec)
		if got, err := r.d.Read(id); err != nil || !bytes.Equal(got, rec) {
			t.Errorf("read of the %d-byte record %#x: %d bytes, %v; want the record written", len(rec), id, len(got), err)
		}
	}
	if n, err := r.d.Count(); err != nil || n != before+2 {
		t.Errorf("GET_RECORD_COUNT after two writes = %d, %v; want %d", n, err, before+2)
	}
	if err := r.d.Clear(own(1)); err != nil {
		t.Fatalf("clear: %v", err)
	}
	if _, err := r.d.Read(own(1)); !errors.Is(err, erst.ErrRecordNotFound) {
		t.Errorf("read of a cleared record: %v, want RECORD_NOT_FOUND", err)
	}
	if n, err := r.d.Count(); err != nil || n != before+1 {
		t.Errorf("GET_RECORD_COUNT after a clear = %d, %v; want %d", n, err, before+1)
	}
}

// PersistenceSignature: the "ER" Linux and Windows stamp at offset 108
// is stored and read back.
func (r *run) checkPersistenceSignature(t pshedtest.TB, _ pshedtest.Target) {
	rec := r.record(256, 3)
	const off = cper.OffPersistence
	rec[off], rec[off+1] = 0, 0
	if err := r.write(rec); err != nil {
		t.Fatalf("write: %v", err)
	}
	got, err := r.d.Read(own(3))
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if len(got) < off+2 || binary.LittleEndian.Uint16(got[off:]) != cper.PersistenceSignature {
		t.Errorf("the stored record's PersistenceInfo signature is %q, want \"ER\"", got[min(off, len(got)):min(off+2, len(got))])
	}
}

// Overwrite: a write with a stored id replaces the record and keeps the
// count (QEMU's acpi-erst; Linux relies on it for its pstore ids).
func (r *run) checkOverwrite(t pshedtest.TB, _ pshedtest.Target) {
	if err := r.write(r.record(300, 4)); err != nil {
		t.Fatalf("write: %v", err)
	}
	n1, err := r.d.Count()
	if err != nil {
		t.Fatalf("GET_RECORD_COUNT: %v", err)
	}
	newer := r.record(400, 4)
	if err := r.write(newer); err != nil {
		t.Fatalf("write with the same id: %v", err)
	}
	if got, err := r.d.Read(own(4)); err != nil || !bytes.Equal(got, newer) {
		t.Errorf("read after an overwrite: %d bytes, %v; want the 400-byte record", len(got), err)
	}
	if n2, err := r.d.Count(); err != nil || n2 != n1 {
		t.Errorf("GET_RECORD_COUNT after an overwrite = %d, %v; want %d", n2, err, n1)
	}
}

// MissingRecord: reading or clearing an id that is not stored ends with
// RECORD_NOT_FOUND (RECORD_STORE_EMPTY for a read of an empty store).
func (r *run) checkMissingRecord(t pshedtest.TB, _ pshedtest.Target) {
	empty := len(r.order) == 0
	if _, err := r.d.Read(own(5)); !errors.Is(err, erst.ErrRecordNotFound) && !(empty && errors.Is(err, erst.ErrStoreEmpty)) {
		t.Errorf("read of an id not stored: %v, want RECORD_NOT_FOUND", err)
	}
	if err := r.d.Clear(own(5)); !errors.Is(err, erst.ErrRecordNotFound) {
		t.Errorf("clear of an id not stored: %v, want RECORD_NOT_FOUND", err)
	}
}

// DummyWrite: BEGIN_DUMMY_WRITE_OPERATION succeeds and stores nothing
// (ACPI 6.5 Table 18.27), even with a record in the range.
func (r *run) checkDummyWrite(t pshedtest.TB, _ pshedtest.Target) {
	before, err := r.d.Count()
	if err != nil {
		t.Fatalf("GET_RECORD_COUNT: %v", err)
	}
	if err := r.d.DummyWrite(); errors.Is(err, erst.ErrMissingAction) {
		t.Skipf("the table has no BEGIN_DUMMY_WRITE_OPERATION")
	} else if err != nil {
		t.Fatalf("dummy write: %v", err)
	}
	if n, err := r.d.Count(); err != nil || n != before {
		t.Errorf("GET_RECORD_COUNT after a dummy write = %d, %v; want %d", n, err, before)
	}
}

// ForeignUntouched: every record that was in the store before the run is
// still there, byte for byte, and no other has appeared.
func (r *run) checkForeignUntouched(t pshedtest.TB, _ pshedtest.Target) {
	ids, err := r.d.IDs()
	if err != nil {
		t.Fatalf("enumerate: %v", err)
	}
	var now []uint64
	for _, id := range ids {
		if !pshedtest.Reserved(id) {
			now = append(now, id)
		}
	}
	for _, id := range r.order {
		if !slices.Contains(now, id) {
			t.Errorf("record %#x, in the store before the run, is gone", id)
			continue
		}
		want, ok := r.foreign[id]
		if !ok {
			t.Errorf("record %#x could not be read before the run, so it cannot be compared", id)
			continue
		}
		if got, err := r.d.Read(id); err != nil || !bytes.Equal(got, want) {
			t.Errorf("record %#x, in the store before the run, does not read back the same: %v", id, err)
		}
	}
	for _, id := range now {
		if !slices.Contains(r.order, id) {
			t.Errorf("record %#x appeared during the run", id)
		}
	}
	t.Logf("%d records already in the store read back byte for byte", len(r.order))
}

// NothingLeft: every record a check wrote was gone once the check had
// cleared it (what the sweeps found), and none is left at the end.
func (r *run) checkNothingLeft(t pshedtest.TB, _ pshedtest.Target) {
	for _, f := range r.left {
		t.Errorf("%s", f)
	}
	ids, err := r.d.IDs()
	if err != nil {
		t.Fatalf("enumerate: %v", err)
	}
	for _, id := range ids {
		if pshedtest.Reserved(id) {
			t.Errorf("record %#x, written by the run, is still in the store", id)
		}
	}
}

// reservedStore is a pshed.Store that sees only the reserved identifiers
// of d: to the PSHED checks the store is empty, whatever else it holds,
// and they can touch nothing else.
// It notes the ids written in wrote, for tidy.
type reservedStore struct {
	d     *erst.Device
	wrote map[uint64]bool
}

func (s reservedStore) Write(rec []byte) error {
	id := erst.RecordID(rec)
	if !pshedtest.Reserved(id) {
		return fmt.Errorf("conform: write of record %#x outside the reserved ids refused: %w", id, erst.ErrBadRecord)
	}
	s.wrote[id] = true
	return s.d.Write(rec)
}

func (s reservedStore) Read(id uint64) ([]byte, error) {
	if id == 0 {
		ids, err := s.IDs()
		if err != nil {
			return nil, err
		}
		if len(ids) == 0 {
			return nil, fmt.Errorf("conform: no reserved record: %w", erst.ErrRecordNotFound)
		}
		id = ids[0]
	}
	if !pshedtest.Reserved(id) {
		return nil, fmt.Errorf("conform: record %#x is outside the reserved ids: %w", id, erst.ErrRecordNotFound)
	}
	return s.d.Read(id)
}

func (s reservedStore) Clear(id uint64) error {
	if !pshedtest.Reserved(id) {
		return fmt.Errorf("conform: record %#x is outside the reserved ids: %w", id, erst.ErrRecordNotFound)
	}
	return s.d.Clear(id)
}

func (s reservedStore) IDs() ([]uint64, error) {
	ids, err := s.d.IDs()
	return slices.DeleteFunc(ids, func(id uint64) bool { return !pshedtest.Reserved(id) }), err
}

func (s reservedStore) DummyWrite() error { return s.d.DummyWrite() }
