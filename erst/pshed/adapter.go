package pshed

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/goerst/erst/erst"
)

// Store is the record store the Adapter persists to: the ERST driver's
// operations (ACPI 6.5 §18.5) seen as whole records. The erst driver
// satisfies it; MemStore is an in-memory reference implementation.
//
// Errors wrap the erst sentinels (erst.ErrRecordNotFound,
// erst.ErrStoreEmpty, erst.ErrNotEnoughSpace, ...); FromError maps them
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

// Adapter implements Persistence over a Store: it is the PSHED plug-in
// side of an ERST driver. It runs one operation at a time, as ERST
// firmware is not re-entrant; a call waits for the one before it. (On
// Windows the callbacks run at DISPATCH_LEVEL or above and may not wait;
// this models the serialisation, not the IRQL.)
//
// By default every callback returns only the codes its Microsoft page
// documents, and any other failure becomes STATUS_UNSUCCESSFUL: a full
// store is STATUS_UNSUCCESSFUL for WriteErrorRecord, and a missing id is
// STATUS_UNSUCCESSFUL for ClearErrorRecord. WithDetailedStatus makes it
// return FromError's richer code instead (STATUS_DISK_FULL,
// STATUS_NOT_FOUND, STATUS_IO_TIMEOUT, ...).
type Adapter struct {
	mu       sync.Mutex
	store    Store
	detailed bool
}

// AdapterOption configures an Adapter.
type AdapterOption func(*Adapter)

// WithDetailedStatus makes the Adapter return FromError's code for every
// failure, not only the documented ones.
func WithDetailedStatus() AdapterOption {
	return func(a *Adapter) { a.detailed = true }
}

// NewAdapter returns an Adapter over s.
func NewAdapter(s Store, opts ...AdapterOption) *Adapter {
	a := &Adapter{store: s}
	for _, o := range opts {
		o(a)
	}
	return a
}

var _ Persistence = (*Adapter)(nil)

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
	return a.status(a.store.Write(record), writeStatuses)
}

// checkRecord checks that record holds a CPER header whose RecordLength
// is len(record): in C, the RecordLength argument and the header agree.
func checkRecord(record []byte) error {
	if len(record) < cperHeaderSize {
		return fmt.Errorf("pshed: write: %w: %d bytes, shorter than the %d-byte CPER header",
			erst.ErrBadRecord, len(record), cperHeaderSize)
	}
	if n := binary.LittleEndian.Uint32(record[cperLengthOffset:]); uint64(n) != uint64(len(record)) {
		return fmt.Errorf("pshed: write: %w: header RecordLength %d, record is %d bytes",
			erst.ErrBadRecord, n, len(record))
	}
	return nil
}

// ReadErrorRecord implements PSHED_PI_READ_ERROR_RECORD. The record comes
// from the store's Read; next comes from the store's IDs order.
func (a *Adapter) ReadErrorRecord(flags uint32, id uint64, buf []byte) (next uint64, length uint32, status NTSTATUS) {
	a.mu.Lock()
	defer a.mu.Unlock()
	rec, err := a.store.Read(id)
	if err != nil {
		return 0, 0, a.status(err, readStatuses)
	}
	if len(rec) > math.MaxUint32 {
		return 0, 0, a.status(fmt.Errorf("pshed: read %#x: %w: %d bytes", id, erst.ErrBadRecord, len(rec)), readStatuses)
	}
	cur := id
	if cur == 0 {
		if len(rec) < cperIDOffset+8 {
			return 0, 0, a.status(fmt.Errorf("pshed: read first record: %w: %d bytes, too short for a record id",
				erst.ErrBadRecord, len(rec)), readStatuses)
		}
		cur = binary.LittleEndian.Uint64(rec[cperIDOffset:])
	}
	ids, err := a.store.IDs()
	if err != nil {
		return 0, 0, a.status(err, readStatuses)
	}
	next = nextID(ids, cur)
	length = uint32(len(rec))
	if len(rec) > len(buf) {
		return next, length, StatusBufferTooSmall
	}
	copy(buf, rec)
	return next, length, StatusSuccess
}

// nextID returns the identifier after cur in ids, or cur when cur is the
// last one or is missing (so the caller's iteration ends rather than
// restarts). Repeats of cur and the ERST "none" values 0 and ~0 are
// skipped.
func nextID(ids []uint64, cur uint64) uint64 {
	i := slices.Index(ids, cur)
	if i < 0 {
		return cur
	}
	for _, id := range ids[i+1:] {
		if id != cur && id != 0 && id != erst.InvalidID {
			return id
		}
	}
	return cur
}

// ClearErrorRecord implements PSHED_PI_CLEAR_ERROR_RECORD over the store's
// Clear.
func (a *Adapter) ClearErrorRecord(flags uint32, id uint64) NTSTATUS {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.status(a.store.Clear(id), clearStatuses)
}
