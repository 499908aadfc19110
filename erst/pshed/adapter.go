package pshed

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/cper"
)

// Store is the record store the [Adapter] persists to: the ERST driver's
// operations (ACPI 6.5 §18.5) seen as whole records. The erst driver
// satisfies it; [MemStore] is an in-memory reference implementation.
//
// Errors wrap the erst sentinels ([erst.ErrRecordNotFound],
// [erst.ErrStoreEmpty], [erst.ErrNotEnoughSpace], ...); [FromError] maps them
// to NTSTATUS.
type Store interface {
	// Write stores a whole CPER record under the identifier in its
	// header (offset 96), replacing a stored record with that id.
	Write(record []byte) error
	// Read returns the whole record with identifier id; id 0 means the
	// first record in store order.
	Read(id uint64) ([]byte, error)
	// Clear removes the record with identifier id.
	Clear(id uint64) error
	// IDs returns every stored identifier, in store order.
	IDs() ([]uint64, error)
	// DummyWrite runs BEGIN_DUMMY_WRITE_OPERATION. It may return
	// erst.ErrMissingAction when the table has no such action.
	DummyWrite() error
}

// The status codes each callback's documentation lists.
var (
	writeStatuses = []NTSTATUS{StatusSuccess, StatusUnsuccessful}
	readStatuses  = []NTSTATUS{StatusSuccess, StatusObjectNotFound, StatusBufferTooSmall, StatusUnsuccessful}
	clearStatuses = []NTSTATUS{StatusSuccess, StatusUnsuccessful}
)

// Adapter implements [Persistence] over a [Store]: it is the PSHED plug-in
// side of an ERST driver. It runs one operation at a time, as ERST
// firmware is not re-entrant; a call waits for the one before it. (On
// Windows the callbacks run at DISPATCH_LEVEL or above and may not wait;
// this models the serialisation, not the IRQL.)
//
// By default every callback returns only the codes its Microsoft page
// documents, and any other failure becomes STATUS_UNSUCCESSFUL: a full
// store is STATUS_UNSUCCESSFUL for WriteErrorRecord, and a missing id is
// STATUS_UNSUCCESSFUL for ClearErrorRecord. WithDetailedStatus makes it
// return [FromError]'s richer code instead (STATUS_DISK_FULL,
// STATUS_NOT_FOUND, STATUS_IO_TIMEOUT, ...).
//
// ReadErrorRecord's next id comes from a cache of the store's id order,
// as Linux keeps one (erst_record_id_cache): it is filled by one IDs call
// when an iteration starts (id 0) or when an id read is not in it, and
// kept up to date by the [Adapter]'s own writes and clears, so iterating
// over n records costs one enumeration and n reads, not n enumerations.
type Adapter struct {
	mu       sync.Mutex
	store    Store
	detailed bool
	order    idOrder
}

// AdapterOption configures an [Adapter].
type AdapterOption func(*Adapter)

// WithDetailedStatus makes the [Adapter] return [FromError]'s code for every
// failure, not only the documented ones.
func WithDetailedStatus() AdapterOption {
	return func(a *Adapter) { a.detailed = true }
}

// NewAdapter returns an [Adapter] over s.
func NewAdapter(s Store, opts ...AdapterOption) *Adapter {
	a := &Adapter{store: s}
	for _, o := range opts {
		o(a)
	}
	return a
}

var _ Persistence = (*Adapter)(nil)

// Geometry is what a caller (the conformance suite, a PSHED sizing its
// buffers) needs to know of the store behind a [Persistence].
type Geometry struct {
	// RangeLength is the longest record the store takes: the error log
	// address range length (ACPI 6.5 §18.5.2.1), or the NVRAM slot size.
	// 0 when the store does not say.
	RangeLength int
	// Capacity is how many records the store holds at most, when
	// CapacityKnown; a real ERST device cannot tell, and then both are
	// zero. A known Capacity may be 0: a store with no room.
	Capacity      int
	CapacityKnown bool
}

// Geometry returns the store's geometry, as far as it reports it: a
// [Store] with a MaxRecordSize() int method gives RangeLength, one with
// Capacity() (int, bool) gives Capacity. The erst driver and [MemStore]
// have both.
func (a *Adapter) Geometry() Geometry {
	var g Geometry
	if s, ok := a.store.(interface{ MaxRecordSize() int }); ok {
		g.RangeLength = s.MaxRecordSize()
	}
	if s, ok := a.store.(interface{ Capacity() (int, bool) }); ok {
		g.Capacity, g.CapacityKnown = s.Capacity()
		if !g.CapacityKnown {
			g.Capacity = 0
		}
	}
	return g
}

// status converts err and narrows it to the documented codes.
func (a *Adapter) status(err error, documented []NTSTATUS) NTSTATUS {
	st := FromError(err)
	if a.detailed || slices.Contains(documented, st) {
		return st
	}
	return StatusUnsuccessful
}

// WriteErrorRecord implements PSHED_PI_WRITE_ERROR_RECORD. A dummy write
// runs the store's DummyWrite (BEGIN_DUMMY_WRITE_OPERATION) and stores
// nothing; a table without that action is not an error, as Microsoft's
// sample simply returns STATUS_SUCCESS, but a dummy write that finds the
// hardware gone reports it. A real write needs len(record) to equal the
// record length in the CPER header.
func (a *Adapter) WriteErrorRecord(flags uint32, record []byte) NTSTATUS {
	a.mu.Lock()
	defer a.mu.Unlock()
	if flags&WriteFlagDummy != 0 {
		err := a.store.DummyWrite()
		if errors.Is(err, erst.ErrMissingAction) {
			err = nil
		}
		return a.status(err, writeStatuses)
	}
	if err := checkRecord(record); err != nil {
		return a.status(err, writeStatuses)
	}
	err := a.store.Write(record)
	if err != nil {
		a.order.reset() // the store may or may not have changed
	} else {
		a.order.add(erst.RecordID(record))
	}
	return a.status(err, writeStatuses)
}

// checkRecord checks that record holds a CPER header whose RecordLength
// is len(record) (cper.CheckRecord): in C, the RecordLength argument and
// the header agree.
func checkRecord(record []byte) error {
	if err := cper.CheckRecord(record); err != nil {
		return fmt.Errorf("pshed: write: %w: %w", erst.ErrBadRecord, err)
	}
	return nil
}

// ReadErrorRecord implements PSHED_PI_READ_ERROR_RECORD. The record comes
// from the store's Read; next comes from the store's IDs order (see
// [Adapter]). ~0, which no record can have (ACPI 6.5 Table 18.27), is
// STATUS_NOT_FOUND ([StatusObjectNotFound]) without asking the store.
func (a *Adapter) ReadErrorRecord(flags uint32, id uint64, buf []byte) (next uint64, length uint32, status NTSTATUS) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if id == erst.InvalidID {
		return 0, 0, StatusObjectNotFound
	}
	rec, inPlace, err := a.read(id, buf)
	if err != nil {
		return 0, 0, a.status(err, readStatuses)
	}
	if len(rec) > math.MaxUint32 {
		return 0, 0, a.status(fmt.Errorf("pshed: read %#x: %w: %d bytes", id, erst.ErrBadRecord, len(rec)), readStatuses)
	}
	cur := id
	if cur == 0 {
		var ok bool
		if cur, ok = cper.RecordID(rec); !ok {
			return 0, 0, a.status(fmt.Errorf("pshed: read first record: %w: %d bytes, too short for a record id",
				erst.ErrBadRecord, len(rec)), readStatuses)
		}
	}
	if id == 0 || !a.order.has(cur) {
		ids, err := a.store.IDs()
		if err != nil {
			a.order.reset()
			return 0, 0, a.status(err, readStatuses)
		}
		a.order.fill(ids)
	}
	next = a.order.after(cur)
	length = uint32(len(rec))
	if len(rec) > len(buf) {
		return next, length, StatusBufferTooSmall
	}
	if !inPlace {
		copy(buf, rec)
	}
	return next, length, StatusSuccess
}

// read returns the record id. A store with ReadInto (the erst driver)
// reads it straight into buf, allocating nothing (inPlace); when buf is
// too short for it, or the store has no ReadInto, it comes from Read.
func (a *Adapter) read(id uint64, buf []byte) (rec []byte, inPlace bool, err error) {
	if s, ok := a.store.(interface {
		ReadInto(id uint64, buf []byte) (int, error)
	}); ok {
		n, err := s.ReadInto(id, buf)
		if err == nil {
			return buf[:n], true, nil
		}
		if !errors.Is(err, erst.ErrBufferTooSmall) {
			return nil, false, err
		}
	}
	rec, err = a.store.Read(id)
	return rec, false, err
}

// idOrder is the store's id order as a linked list, for O(1) next,
// insertion and removal. 0 is the nil link (never a stored id).
type idOrder struct {
	valid      bool
	next, prev map[uint64]uint64
	last       uint64
}

func (o *idOrder) reset() {
	o.valid = false
	clear(o.next)
	clear(o.prev)
	o.last = 0
}

// fill replaces the order with ids, skipping repeats and the ERST "none"
// values 0 and ~0.
func (o *idOrder) fill(ids []uint64) {
	o.reset()
	if o.next == nil {
		o.next, o.prev = make(map[uint64]uint64), make(map[uint64]uint64)
	}
	o.valid = true
	for _, id := range ids {
		o.add(id)
	}
}

func (o *idOrder) has(id uint64) bool {
	_, ok := o.next[id]
	return o.valid && ok
}

// add appends id unless it is present or a "none" value.
func (o *idOrder) add(id uint64) {
	if !o.valid || id == 0 || id == erst.InvalidID || o.has(id) {
		return
	}
	o.next[id], o.prev[id] = 0, o.last
	if o.last != 0 {
		o.next[o.last] = id
	}
	o.last = id
}

// remove unlinks id.
func (o *idOrder) remove(id uint64) {
	if !o.has(id) {
		return
	}
	n, p := o.next[id], o.prev[id]
	if p != 0 {
		o.next[p] = n
	}
	if n != 0 {
		o.prev[n] = p
	} else {
		o.last = p
	}
	delete(o.next, id)
	delete(o.prev, id)
}

// after returns the id after cur, or cur when cur is the last one or is
// not in the order (so the caller's iteration ends rather than restarts).
func (o *idOrder) after(cur uint64) uint64 {
	if n := o.next[cur]; o.has(cur) && n != 0 {
		return n
	}
	return cur
}

// ClearErrorRecord implements PSHED_PI_CLEAR_ERROR_RECORD over the store's
// Clear.
func (a *Adapter) ClearErrorRecord(flags uint32, id uint64) NTSTATUS {
	a.mu.Lock()
	defer a.mu.Unlock()
	err := a.store.Clear(id)
	if err != nil {
		a.order.reset() // the store may or may not have changed
	} else {
		a.order.remove(id)
	}
	return a.status(err, clearStatuses)
}
