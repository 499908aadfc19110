// Package pshedtest is a conformance suite for implementations of
// [pshed.Persistence], the PSHED plug-in error-record-persistence callbacks
// (PSHED_PI_WRITE_ERROR_RECORD, PSHED_PI_READ_ERROR_RECORD,
// PSHED_PI_CLEAR_ERROR_RECORD), in the manner of testing/fstest.
//
// The caller supplies a fresh, empty implementation and the limits the
// suite needs ([Target]); [TestPersistence] runs every check as a subtest:
//
//	func TestConformance(t *testing.T) {
//		pshedtest.TestPersistence(t, func(t *testing.T) pshedtest.Target {
//			// The Adapter reports its store's geometry (Geometry).
//			return pshedtest.Target{Persistence: pshed.NewAdapter(pshed.NewMemStore(7, 8192))}
//		})
//	}
//
// The checks hold the implementation to the contract documented on
// pshed.Persistence: the behaviour Microsoft documents for the three
// callbacks, plus the ERST conventions the documentation leaves open (id
// 0 reads the first record; a write replaces a stored record with the
// same id, as QEMU's acpi-erst device does; a too-small buffer is left
// untouched). They make no timing assumptions and touch no files, so the
// same suite runs against the simulated device, the QEMU device in a VM
// or a remote guest. Records are built by [NewRecord] (or
// Target.NewRecord); their identifiers start at [IDBase].
package pshedtest

import (
	"bytes"
	"fmt"
	"maps"
	"slices"

	"github.com/goerst/erst/erst/cper"
	"github.com/goerst/erst/erst/pshed"
)

// IDBase is where the record identifiers the checks use start: each is
// [IDBase] plus an offset below 2^41, never 0 or ~0.
const IDBase uint64 = 0x7073_6865_6400_0000 // "pshed" followed by zeros

// Room is how many records the checks other than StoreFull store at
// once, at most: the free space, in records of the range length, a
// caller must give them.
const Room = 5

// Target describes one implementation under test.
type Target struct {
	// Persistence is the implementation. It must hold no records.
	Persistence pshed.Persistence
	// RangeLength is the length of the error log address range
	// (GET_ERROR_LOG_ADDRESS_LENGTH): the longest record the
	// implementation must accept, at least cper.HeaderSize. 0 takes
	// RangeLength, Capacity and CapacityKnown from the Persistence's
	// Geometry method when it has one, as *pshed.Adapter does.
	RangeLength int
	// Capacity is how many RangeLength-byte records the store holds,
	// when CapacityKnown. Unknown (CapacityKnown false, Capacity 0), the
	// StoreFull check is skipped and the other checks assume room for 5
	// records. Known and less than 5 (0 included: a full store), the
	// Iteration check stores fewer records and checks that need more
	// room than Capacity are skipped.
	Capacity      int
	CapacityKnown bool
	// NewRecord builds a valid CPER record of exactly size bytes with
	// record identifier id. Nil means the package's NewRecord.
	NewRecord func(size int, id uint64) []byte
}

// TB is the part of testing.TB the checks use. *testing.T satisfies it;
// a test of the suite itself can pass a recorder. Fatalf and Skipf must
// not return (testing.T's call runtime.Goexit).
type TB interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Skipf(format string, args ...any)
	Logf(format string, args ...any)
}

// Check is one named check of the suite.
type Check struct {
	Name string
	Run  func(t TB, tg Target)
}

// Checks returns the suite's checks, in the order [TestPersistence] runs
// them. Each needs a [Target] of its own.
func Checks() []Check {
	return []Check{
		{"Empty", withGeometry(checkEmpty)},
		{"RoundTrip", withGeometry(checkRoundTrip)},
		{"Sizes", withGeometry(checkSizes)},
		{"TooLong", withGeometry(checkTooLong)},
		{"DummyWrite", withGeometry(checkDummyWrite)},
		{"Iteration", withGeometry(checkIteration)},
		{"BufferTooSmall", withGeometry(checkBufferTooSmall)},
		{"NotFound", withGeometry(checkNotFound)},
		{"Clear", withGeometry(checkClear)},
		{"ClearMissing", withGeometry(checkClearMissing)},
		{"Overwrite", withGeometry(checkOverwrite)},
		{"StoreFull", withGeometry(checkStoreFull)},
	}
}

// withGeometry has f see tg with the geometry its Persistence reports
// when tg gives none (RangeLength 0).
func withGeometry(f func(TB, Target)) func(TB, Target) {
	return func(t TB, tg Target) {
		if g, ok := tg.Persistence.(interface{ Geometry() pshed.Geometry }); ok && tg.RangeLength == 0 {
			geo := g.Geometry()
			tg.RangeLength, tg.Capacity, tg.CapacityKnown = geo.RangeLength, geo.Capacity, geo.CapacityKnown
		}
		f(t, tg)
	}
}

// T is what [TestPersistence] needs of its t: the checks' TB, and subtests.
// *testing.T satisfies it (T[*testing.T]). The package names testing.T
// only in comments, so a program that runs the checks through [Run] (the
// erst command's conform) does not link the testing package.
type T[S any] interface {
	TB
	Run(name string, f func(t S)) bool
}

// TestPersistence runs every check as a subtest of t, each against a new
// [Target] from newTarget (called inside the subtest, so it can use
// t.Cleanup). t is a *testing.T:
//
//	pshedtest.TestPersistence(t, func(t *testing.T) pshedtest.Target { ... })
func TestPersistence[S T[S]](t S, newTarget func(t S) Target) {
	t.Helper()
	for _, c := range Checks() {
		t.Run(c.Name, func(t S) {
			c.Run(t, newTarget(t))
		})
	}
}

func id(n int) uint64 { return IDBase + uint64(n) }

// env is one check's view of its target.
type env struct {
	t  TB
	tg Target
	p  pshed.Persistence
}

// setup validates tg and that it is empty.
func setup(t TB, tg Target) *env {
	t.Helper()
	if tg.Persistence == nil {
		t.Fatalf("Target.Persistence is nil")
	}
	if tg.RangeLength < cper.HeaderSize {
		t.Fatalf("Target.RangeLength is %d, want at least %d", tg.RangeLength, cper.HeaderSize)
	}
	if tg.Capacity < 0 {
		t.Fatalf("Target.Capacity is %d, want 0 or more", tg.Capacity)
	}
	if tg.Capacity != 0 && !tg.CapacityKnown {
		t.Fatalf("Target.Capacity is %d with CapacityKnown false: set CapacityKnown, or leave Capacity 0 for unknown", tg.Capacity)
	}
	e := &env{t: t, tg: tg, p: tg.Persistence}
	_, _, st := e.p.ReadErrorRecord(0, 0, make([]byte, tg.RangeLength))
	switch st {
	case pshed.StatusObjectNotFound:
	case pshed.StatusSuccess:
		t.Fatalf("the target is not empty: ReadErrorRecord(id 0) found a record; newTarget must return an empty store")
	default:
		t.Fatalf("ReadErrorRecord(id 0) on an empty target = %v, want %v (STATUS_OBJECT_NOT_FOUND)",
			st, pshed.StatusObjectNotFound)
	}
	return e
}

// need skips the check when the target cannot hold n records.
func (e *env) need(n int) {
	e.t.Helper()
	if e.tg.CapacityKnown && e.tg.Capacity < n {
		e.t.Skipf("needs room for %d records; Target.Capacity is %d", n, e.tg.Capacity)
	}
}

// room is how many records the check may store at once.
func (e *env) room() int {
	if e.tg.CapacityKnown && e.tg.Capacity < Room {
		return e.tg.Capacity
	}
	return Room
}

// size returns n capped at the range length.
func (e *env) size(n int) int { return min(n, e.tg.RangeLength) }

// record builds a record of size bytes with identifier rid and checks the
// builder's result.
func (e *env) record(size int, rid uint64) []byte {
	e.t.Helper()
	build := e.tg.NewRecord
	if build == nil {
		build = NewRecord
	}
	r := build(size, rid)
	if len(r) != size {
		e.t.Fatalf("Target.NewRecord(%d, %#x) returned %d bytes", size, rid, len(r))
	}
	if got, _ := RecordID(r); got != rid {
		e.t.Fatalf("Target.NewRecord(%d, %#x) returned a record with id %#x", size, rid, got)
	}
	if n, _ := cper.RecordLength(r); int(n) != size {
		e.t.Fatalf("Target.NewRecord(%d, %#x) returned a record with RecordLength %d", size, rid, n)
	}
	return r
}

func describe(rec []byte) string {
	rid, _ := RecordID(rec)
	return fmtID(rid, len(rec))
}

func fmtID(rid uint64, size int) string {
	return fmt.Sprintf("record %#x (%d bytes)", rid, size)
}

func hexList(ids []uint64) string { return fmt.Sprintf("%#x", ids) }

// diff returns the first index at which a and b, of equal length,
// differ, or -1.
func diff(a, b []byte) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

func sortedKeys(m map[uint64][]byte) []uint64 { return slices.Sorted(maps.Keys(m)) }

// mustWrite writes rec and stops the check if that fails.
func (e *env) mustWrite(rec []byte) {
	e.t.Helper()
	if st := e.p.WriteErrorRecord(0, rec); st != pshed.StatusSuccess {
		e.t.Fatalf("WriteErrorRecord(%s) = %v, want %v", describe(rec), st, pshed.StatusSuccess)
	}
}

// mustClear clears rid and stops the check if that fails.
func (e *env) mustClear(rid uint64) {
	e.t.Helper()
	if st := e.p.ClearErrorRecord(0, rid); st != pshed.StatusSuccess {
		e.t.Fatalf("ClearErrorRecord(%#x) = %v, want %v", rid, st, pshed.StatusSuccess)
	}
}

// expectRecord reads rid (0 for the first record) into a RangeLength
// buffer, checks that it is want byte for byte and returns next. ok is
// false when the read failed.
func (e *env) expectRecord(rid uint64, want []byte) (next uint64, ok bool) {
	e.t.Helper()
	buf := make([]byte, e.tg.RangeLength)
	next, n, st := e.p.ReadErrorRecord(0, rid, buf)
	if st != pshed.StatusSuccess {
		e.t.Errorf("ReadErrorRecord(%#x) = %v, want %v (expected %s)", rid, st, pshed.StatusSuccess, describe(want))
		return 0, false
	}
	if int(n) != len(want) {
		e.t.Errorf("ReadErrorRecord(%#x): RecordLength = %d, want %d", rid, n, len(want))
		return next, false
	}
	if i := diff(buf[:n], want); i >= 0 {
		e.t.Errorf("ReadErrorRecord(%#x): the record read differs from %s written, first at byte %d (got %#02x, want %#02x)",
			rid, describe(want), i, buf[i], want[i])
		return next, false
	}
	return next, true
}

// expectNotFound checks that reading rid gives STATUS_OBJECT_NOT_FOUND.
func (e *env) expectNotFound(rid uint64) {
	e.t.Helper()
	_, _, st := e.p.ReadErrorRecord(0, rid, make([]byte, e.tg.RangeLength))
	if st != pshed.StatusObjectNotFound {
		e.t.Errorf("ReadErrorRecord(%#x) of a record that is not stored = %v, want %v (STATUS_OBJECT_NOT_FOUND)",
			rid, st, pshed.StatusObjectNotFound)
	}
}

// iterate reads every record, starting at id 0 and following
// NextErrorRecordId until it equals the id of the record read. It checks
// that no record comes twice and returns the ids in visit order and the
// records. ok is false when the iteration broke.
func (e *env) iterate() (ids []uint64, recs map[uint64][]byte, ok bool) {
	e.t.Helper()
	recs = make(map[uint64][]byte)
	limit := 200
	if e.tg.CapacityKnown {
		limit = e.tg.Capacity + 1
	}
	var rid uint64
	for {
		buf := make([]byte, e.tg.RangeLength)
		next, n, st := e.p.ReadErrorRecord(0, rid, buf)
		if rid == 0 && st == pshed.StatusObjectNotFound {
			return nil, recs, true
		}
		if st != pshed.StatusSuccess {
			e.t.Errorf("iteration: ReadErrorRecord(%#x) after %d records (%s) = %v, want %v",
				rid, len(ids), hexList(ids), st, pshed.StatusSuccess)
			return nil, nil, false
		}
		if int(n) > len(buf) {
			e.t.Errorf("iteration: ReadErrorRecord(%#x) succeeded with RecordLength %d, larger than the %d-byte buffer", rid, n, len(buf))
			return nil, nil, false
		}
		rec := buf[:n]
		cur, hasID := RecordID(rec)
		if !hasID {
			e.t.Errorf("iteration: ReadErrorRecord(%#x) returned %d bytes, too short for a record id", rid, n)
			return nil, nil, false
		}
		if rid != 0 && cur != rid {
			e.t.Errorf("iteration: ReadErrorRecord(%#x) returned record %#x", rid, cur)
			return nil, nil, false
		}
		if _, dup := recs[cur]; dup {
			e.t.Errorf("iteration from id 0 visited record %#x twice (visited %s, then asked for %#x); the last record must return its own id as NextErrorRecordId",
				cur, hexList(ids), rid)
			return nil, nil, false
		}
		recs[cur] = rec
		ids = append(ids, cur)
		if next == cur {
			return ids, recs, true
		}
		if len(ids) >= limit {
			e.t.Errorf("iteration did not end after %d records (%s)", len(ids), hexList(ids))
			return nil, nil, false
		}
		rid = next
	}
}

// expectStore checks, by iteration, that the store holds exactly want.
func (e *env) expectStore(want map[uint64][]byte) {
	e.t.Helper()
	ids, recs, ok := e.iterate()
	if !ok {
		return
	}
	for _, rid := range sortedKeys(want) {
		got, found := recs[rid]
		switch {
		case !found:
			e.t.Errorf("%s is missing from the iteration (visited %s)", describe(want[rid]), hexList(ids))
		case !bytes.Equal(got, want[rid]):
			e.t.Errorf("iteration returned %s that differs from %s written", fmtID(rid, len(got)), describe(want[rid]))
		}
	}
	for _, rid := range ids {
		if _, wanted := want[rid]; !wanted {
			e.t.Errorf("iteration returned record %#x, which should not be stored", rid)
		}
	}
}

// Empty: a new target has no records, reads of any id are not found and
// clearing fails.
func checkEmpty(t TB, tg Target) {
	e := setup(t, tg)
	e.expectNotFound(0)
	e.expectNotFound(id(1))
	if st := e.p.ClearErrorRecord(0, id(1)); st.IsSuccess() {
		t.Errorf("ClearErrorRecord(%#x) on an empty store = %v, want a failure status", id(1), st)
	}
	e.expectStore(nil)
}

// RoundTrip: a written record reads back byte for byte, by its id and by
// id 0; as the only record its NextErrorRecordId is its own id.
func checkRoundTrip(t TB, tg Target) {
	e := setup(t, tg)
	e.need(1)
	rec := e.record(e.size(1024), id(1))
	e.mustWrite(rec)
	for _, rid := range []uint64{id(1), 0, id(1)} {
		if next, ok := e.expectRecord(rid, rec); ok && next != id(1) {
			t.Errorf("ReadErrorRecord(%#x) of the only record: NextErrorRecordId = %#x, want its own id %#x", rid, next, id(1))
		}
	}
}

// recordSizes returns the sizes the Sizes check writes: 128, 129, 200
// (the first with a section), the powers of two in between, and the range
// length and one less.
func recordSizes(rangeLength int) []int {
	s := []int{cper.HeaderSize, cper.HeaderSize + 1, cper.HeaderSize + cper.DescriptorSize, rangeLength - 1, rangeLength}
	for p := 256; p < rangeLength; p *= 2 {
		s = append(s, p)
	}
	s = slices.DeleteFunc(s, func(n int) bool { return n < cper.HeaderSize || n > rangeLength })
	slices.Sort(s)
	return slices.Compact(s)
}

// Sizes: records of every sampled legal size, 128 up to the range length,
// are accepted and read back byte for byte.
func checkSizes(t TB, tg Target) {
	e := setup(t, tg)
	e.need(1)
	for i, size := range recordSizes(tg.RangeLength) {
		rid := id(100 + i)
		rec := e.record(size, rid)
		if st := e.p.WriteErrorRecord(0, rec); st != pshed.StatusSuccess {
			t.Errorf("WriteErrorRecord(%s), range length %d, = %v, want %v", describe(rec), tg.RangeLength, st, pshed.StatusSuccess)
			continue
		}
		e.expectRecord(rid, rec)
		e.mustClear(rid)
	}
}

// TooLong: a record longer than the range is refused and not stored; the
// store is unchanged.
func checkTooLong(t TB, tg Target) {
	e := setup(t, tg)
	e.need(1)
	keep := e.record(e.size(256), id(1))
	e.mustWrite(keep)
	long := e.record(tg.RangeLength+1, id(2))
	if st := e.p.WriteErrorRecord(0, long); st.IsSuccess() {
		t.Errorf("WriteErrorRecord(%s), longer than the %d-byte range, = %v, want a failure status",
			describe(long), tg.RangeLength, st)
	}
	e.expectNotFound(id(2))
	e.expectStore(map[uint64][]byte{id(1): keep})
}

// DummyWrite: with WHEA_WRITE_FLAG_DUMMY the write succeeds and stores
// nothing, neither a new record nor a replacement of a stored one.
func checkDummyWrite(t TB, tg Target) {
	e := setup(t, tg)
	e.need(1)
	dummy := func(rec []byte) {
		t.Helper()
		if st := e.p.WriteErrorRecord(pshed.WriteFlagDummy, rec); st != pshed.StatusSuccess {
			t.Errorf("WriteErrorRecord(WHEA_WRITE_FLAG_DUMMY, %s) = %v, want %v", describe(rec), st, pshed.StatusSuccess)
		}
	}
	dummy(e.record(e.size(512), id(1)))
	e.expectNotFound(id(1))
	e.expectStore(nil)

	kept := e.record(e.size(512), id(2))
	e.mustWrite(kept)
	dummy(e.record(e.size(300), id(3)))
	dummy(variant(kept))
	e.expectNotFound(id(3))
	e.expectStore(map[uint64][]byte{id(2): kept})
}

// Iteration: reading from id 0 and following NextErrorRecordId visits
// every record exactly once and ends with next == the id read; reading
// any record directly gives the same next; clearing a record takes it out
// of the chain.
func checkIteration(t TB, tg Target) {
	e := setup(t, tg)
	n := e.room()
	order := []int{3, 1, 4, 5, 2}[:n] // not in id order
	want := make(map[uint64][]byte)
	for k, i := range order {
		rec := e.record(e.size(cper.HeaderSize+cper.DescriptorSize+37*k), id(i))
		e.mustWrite(rec)
		want[id(i)] = rec
	}
	ids, _, ok := e.iterate()
	if !ok {
		return
	}
	if len(ids) != n {
		t.Errorf("iteration visited %d records (%s), want %d", len(ids), hexList(ids), n)
	}
	e.expectStore(want)
	for k, rid := range ids {
		wantNext := rid
		if k+1 < len(ids) {
			wantNext = ids[k+1]
		}
		if next, ok := e.expectRecord(rid, want[rid]); ok && next != wantNext {
			t.Errorf("ReadErrorRecord(%#x): NextErrorRecordId = %#x, but the iteration from id 0 went on to %#x", rid, next, wantNext)
		}
	}
	if n < 2 || len(ids) < 2 {
		return
	}
	// Take a record out of the middle (or the end, with two records).
	gone := ids[1]
	e.mustClear(gone)
	delete(want, gone)
	e.expectStore(want)
}

// BufferTooSmall: a buffer smaller than the record gives
// STATUS_BUFFER_TOO_SMALL with the required length and is left
// untouched; a buffer of the record's size or larger succeeds.
func checkBufferTooSmall(t TB, tg Target) {
	e := setup(t, tg)
	e.need(1)
	size := e.size(512)
	rec := e.record(size, id(1))
	e.mustWrite(rec)
	lens := slices.Compact([]int{0, 1, cper.HeaderSize - 1, size - 1})
	for _, rid := range []uint64{id(1), 0} {
		for _, bl := range lens {
			if bl >= size {
				continue
			}
			buf := bytes.Repeat([]byte{0xA5}, bl)
			_, n, st := e.p.ReadErrorRecord(0, rid, buf)
			if st != pshed.StatusBufferTooSmall {
				t.Errorf("ReadErrorRecord(%#x) with a %d-byte buffer for %s = %v, want %v",
					rid, bl, describe(rec), st, pshed.StatusBufferTooSmall)
				continue
			}
			if int(n) != size {
				t.Errorf("ReadErrorRecord(%#x) with a %d-byte buffer: RecordLength = %d, want the required %d", rid, bl, n, size)
			}
			if i := slices.IndexFunc(buf, func(b byte) bool { return b != 0xA5 }); i >= 0 {
				t.Errorf("ReadErrorRecord(%#x) with a %d-byte buffer returned STATUS_BUFFER_TOO_SMALL but wrote the buffer (byte %d)", rid, bl, i)
			}
		}
	}
	// Exactly the record's size, and more.
	for _, bl := range []int{size, size + 64} {
		buf := bytes.Repeat([]byte{0xA5}, bl)
		_, n, st := e.p.ReadErrorRecord(0, id(1), buf)
		switch {
		case st != pshed.StatusSuccess:
			t.Errorf("ReadErrorRecord(%#x) with a %d-byte buffer for %s = %v, want %v", id(1), bl, describe(rec), st, pshed.StatusSuccess)
		case int(n) != size:
			t.Errorf("ReadErrorRecord(%#x) with a %d-byte buffer: RecordLength = %d, want %d", id(1), bl, n, size)
		case !bytes.Equal(buf[:size], rec):
			t.Errorf("ReadErrorRecord(%#x) with a %d-byte buffer: the record differs from the one written", id(1), bl)
		}
	}
	e.expectStore(map[uint64][]byte{id(1): rec})
}

// NotFound: reading an id that is not stored gives
// STATUS_OBJECT_NOT_FOUND and disturbs nothing (QEMU's device resets its
// latched id on a miss).
func checkNotFound(t TB, tg Target) {
	e := setup(t, tg)
	e.need(1)
	rec := e.record(e.size(256), id(1))
	e.mustWrite(rec)
	e.expectNotFound(id(2))
	e.expectNotFound(id(1) + 1<<40)
	e.expectRecord(id(1), rec)
	e.expectNotFound(id(2))
	e.expectRecord(0, rec)
	e.expectStore(map[uint64][]byte{id(1): rec})
}

// Clear: a cleared record is not found and leaves the iteration; the
// others stay; its id can be written again.
func checkClear(t TB, tg Target) {
	e := setup(t, tg)
	e.need(2)
	a := e.record(e.size(256), id(1))
	b := e.record(e.size(300), id(2))
	e.mustWrite(a)
	e.mustWrite(b)
	e.mustClear(id(1))
	e.expectNotFound(id(1))
	e.expectStore(map[uint64][]byte{id(2): b})
	e.mustClear(id(2))
	e.expectNotFound(id(2))
	e.expectNotFound(0)
	e.mustWrite(a)
	e.expectStore(map[uint64][]byte{id(1): a})
}

// ClearMissing: clearing an id that is not stored fails and changes
// nothing, also for an id cleared just before.
func checkClearMissing(t TB, tg Target) {
	e := setup(t, tg)
	e.need(1)
	rec := e.record(e.size(256), id(1))
	e.mustWrite(rec)
	if st := e.p.ClearErrorRecord(0, id(2)); st.IsSuccess() {
		t.Errorf("ClearErrorRecord(%#x) of a record that is not stored = %v, want a failure status", id(2), st)
	}
	e.expectStore(map[uint64][]byte{id(1): rec})
	e.mustClear(id(1))
	if st := e.p.ClearErrorRecord(0, id(1)); st.IsSuccess() {
		t.Errorf("ClearErrorRecord(%#x) a second time = %v, want a failure status", id(1), st)
	}
	e.expectStore(nil)
}

// Overwrite: writing a record whose id is stored replaces the stored
// record (QEMU's acpi-erst upserts), whatever the sizes.
func checkOverwrite(t TB, tg Target) {
	e := setup(t, tg)
	e.need(1)
	old := e.record(e.size(512), id(1))
	e.mustWrite(old)
	repl := variant(e.record(e.size(300), id(1)))
	if st := e.p.WriteErrorRecord(0, repl); st != pshed.StatusSuccess {
		t.Fatalf("WriteErrorRecord(%s) with that id already stored = %v, want %v (the new record replaces the old)",
			describe(repl), st, pshed.StatusSuccess)
	}
	e.expectRecord(id(1), repl)
	e.expectStore(map[uint64][]byte{id(1): repl})
}

// StoreFull: the store takes Capacity records of the range length; one
// more is refused and leaves the store as it was; clearing one makes
// room again.
func checkStoreFull(t TB, tg Target) {
	e := setup(t, tg)
	if !tg.CapacityKnown {
		t.Skipf("Target.CapacityKnown is false: the capacity is unknown")
	}
	want := make(map[uint64][]byte)
	for k := 1; k <= tg.Capacity; k++ {
		rec := e.record(tg.RangeLength, id(k))
		if st := e.p.WriteErrorRecord(0, rec); st != pshed.StatusSuccess {
			t.Fatalf("WriteErrorRecord(%s), %d of Target.Capacity %d, = %v, want %v",
				describe(rec), k, tg.Capacity, st, pshed.StatusSuccess)
		}
		want[id(k)] = rec
	}
	extra := e.record(tg.RangeLength, id(tg.Capacity+1))
	if st := e.p.WriteErrorRecord(0, extra); st.IsSuccess() {
		t.Errorf("WriteErrorRecord(%s) into a store holding Target.Capacity (%d) records = %v, want a failure status",
			describe(extra), tg.Capacity, st)
	}
	e.expectNotFound(id(tg.Capacity + 1))
	e.expectStore(want)
	if tg.Capacity == 0 {
		return // no room at all: nothing to clear to make some
	}

	e.mustClear(id(1))
	delete(want, id(1))
	if st := e.p.WriteErrorRecord(0, extra); st != pshed.StatusSuccess {
		t.Errorf("WriteErrorRecord(%s) after clearing a record of a full store = %v, want %v",
			describe(extra), st, pshed.StatusSuccess)
	}
	want[id(tg.Capacity+1)] = extra
	e.expectStore(want)
}
