package pshed

import (
	"fmt"
	"slices"
	"sync"

	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/cper"
)

// MemStore is an in-memory [Store] that behaves like an ERST driver
// (*[erst.Device]) over the QEMU acpi-erst device: a fixed number of record
// slots, a maximum record size (the error log address range length),
// upsert on an existing id, and the same erst sentinel error for every
// call the driver refuses (one behavioural suite runs over both). New
// records go after the existing ones in store order (QEMU reuses the
// first free slot instead). It is safe for concurrent use.
type MemStore struct {
	mu          sync.Mutex
	capacity    int
	rangeLength int
	records     map[uint64][]byte
	order       []uint64
	dummyWrites int
}

var _ Store = (*MemStore)(nil)

// NewMemStore returns an empty store that holds up to capacity records of
// up to rangeLength bytes each.
func NewMemStore(capacity, rangeLength int) *MemStore {
	return &MemStore{
		capacity:    capacity,
		rangeLength: rangeLength,
		records:     make(map[uint64][]byte),
	}
}

// Write stores a copy of record under the id in its header. The record
// must be a CPER record ("CPER" signature, header RecordLength equal to
// len(record)) no longer than the range: [erst.ErrBadRecord], as the
// driver's Write; with an id other than 0 and ~0: [erst.ErrInvalidID].
// A new id in a full store gives [erst.ErrNotEnoughSpace].
func (m *MemStore) Write(record []byte) error {
	if err := cper.CheckRecord(record); err != nil {
		return fmt.Errorf("pshed: memstore write: %w: %w", erst.ErrBadRecord, err)
	}
	if len(record) > m.rangeLength {
		return fmt.Errorf("pshed: memstore write: %w: %d-byte record, %d-byte range", erst.ErrBadRecord, len(record), m.rangeLength)
	}
	id := erst.RecordID(record)
	if id == 0 || id == erst.InvalidID {
		return fmt.Errorf("pshed: memstore write: %w: %#x", erst.ErrInvalidID, id)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.records[id]; !ok {
		if len(m.order) >= m.capacity {
			return fmt.Errorf("pshed: memstore write %#x: %w: %d records stored", id, erst.ErrNotEnoughSpace, len(m.order))
		}
		m.order = append(m.order, id)
	}
	m.records[id] = slices.Clone(record)
	return nil
}

// Read returns a copy of the record with identifier id, the first record
// for id 0. An empty store gives [erst.ErrStoreEmpty] (as QEMU does, even
// for a non-zero id); a missing id [erst.ErrRecordNotFound]; ~0
// [erst.ErrFailed] (QEMU's device answers FAILED).
func (m *MemStore) Read(id uint64) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.order) == 0 {
		return nil, fmt.Errorf("pshed: memstore read %#x: %w", id, erst.ErrStoreEmpty)
	}
	if id == erst.InvalidID {
		return nil, fmt.Errorf("pshed: memstore read %#x: %w", id, erst.ErrFailed)
	}
	if id == 0 {
		id = m.order[0]
	}
	rec, ok := m.records[id]
	if !ok {
		return nil, fmt.Errorf("pshed: memstore read %#x: %w", id, erst.ErrRecordNotFound)
	}
	return slices.Clone(rec), nil
}

// Clear removes the record with identifier id: [erst.ErrRecordNotFound] if
// there is none, [erst.ErrFailed] for 0 and ~0 (QEMU's device answers
// FAILED, and the driver passes that on).
func (m *MemStore) Clear(id uint64) error {
	if id == 0 || id == erst.InvalidID {
		return fmt.Errorf("pshed: memstore clear %#x: %w", id, erst.ErrFailed)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.records[id]; !ok {
		return fmt.Errorf("pshed: memstore clear %#x: %w", id, erst.ErrRecordNotFound)
	}
	delete(m.records, id)
	m.order = slices.DeleteFunc(m.order, func(x uint64) bool { return x == id })
	return nil
}

// IDs returns the stored identifiers in store order.
func (m *MemStore) IDs() ([]uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.order), nil
}

// DummyWrite counts the call and stores nothing.
func (m *MemStore) DummyWrite() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.dummyWrites++
	return nil
}

// DummyWrites returns how many times DummyWrite ran.
func (m *MemStore) DummyWrites() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.dummyWrites
}

// MaxRecordSize is the longest record Write takes ([NewMemStore]'s
// rangeLength).
func (m *MemStore) MaxRecordSize() int { return m.rangeLength }

// Capacity is how many records the store holds ([NewMemStore]'s capacity).
func (m *MemStore) Capacity() (int, bool) { return m.capacity, true }

// Len returns the number of stored records.
func (m *MemStore) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.order)
}
