package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"runtime/debug"
	"sync"

	"github.com/goerst/erst/erst/cper"
)

// Store is a formatted backing store in use: what QEMU's acpi-erst device
// reads and writes through its header pointer. Its methods are QEMU's
// storage functions (lookup_erst_record, find_next_empty_record_index, the
// storage half of write_erst_record, read_erst_record and
// clear_erst_record) plus host-side helpers (IDs, Get).
//
// Slot numbers count from the start of the file, header slots included,
// as QEMU's map index does. QEMU uses slot 0 to mean "none", and so do the
// methods here that return a slot.
//
// Like QEMU's realize, a [Store] reads record_size and storage_offset once,
// when it is made; record_count and the map are read live.
//
// A Store is safe for concurrent use; each method is atomic with respect
// to the others.
type Store struct {
	mu     sync.Mutex
	img    Image
	rs     int // record_size: slot size
	first  int // first_record_index: storage_offset / record_size
	last   int // last_record_index: storage_size / record_size
	closer func() error
	syncer func() error
	// flush writes img[off:off+n] through to the file where the file is
	// not mapped (Windows); nil when img is the file (a mapping) or
	// memory only.
	flush func(off, n int) error
	// fault is the last fault on the mapping (ErrIO), for Fault.
	fault error
	// aliased: Records handed out a slice of img, which may outlive
	// Close (an NVRAM-mode device's range); Close must leave the memory
	// readable.
	aliased bool
	// readOnly: made by OpenReadOnly; every change is ErrReadOnly.
	readOnly bool
}

// guard makes a fault on the mapping (SIGBUS: the file system cannot
// back a page, or the file was truncated) a panic that catch turns into
// ErrIO, for the duration of one method. Use as
//
//	defer s.catch(&err)
//	defer guard()()
func guard() func() {
	old := debug.SetPanicOnFault(true)
	if old {
		return noop
	}
	return restoreFault
}

func noop()         {}
func restoreFault() { debug.SetPanicOnFault(false) }

// catch recovers a fault panic into *err (when err is not nil) and lets
// any other panic go on.
func (s *Store) catch(err *error) {
	r := recover()
	if r == nil {
		return
	}
	f, ok := r.(interface{ Addr() uintptr })
	if !ok {
		panic(r)
	}
	s.fault = fmt.Errorf("%w: memory fault at %#x on the mapped file (the disk cannot back it, or the file was truncated)", ErrIO, f.Addr())
	if err != nil {
		*err = s.fault
	}
}

// Fault returns the last fault an operation met on the file's mapping
// ([ErrIO]), or nil: a device over the store reports only FAILED, and this
// says why.
func (s *Store) Fault() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fault
}

// wrote writes img[off:off+n] through to the file when it is not mapped,
// keeping the first error in *err.
func (s *Store) wrote(err *error, off, n int) {
	if s.flush == nil {
		return
	}
	if e := s.flush(off, n); e != nil && *err == nil {
		*err = fmt.Errorf("%w: %w", ErrIO, e)
	}
}

// New returns a [Store] over im, which must already be formatted (see
// [Format]). The Store works on im itself, not a copy.
func New(im Image) (*Store, error) {
	h, err := DecodeHeader(im)
	if err != nil {
		return nil, err
	}
	if _, _, err := realize(h, uint64(len(im)), 0, false); err != nil {
		return nil, err
	}
	return newStore(im, h), nil
}

func newStore(im Image, h Header) *Store {
	rs := int(h.RecordSize)
	return &Store{img: im, rs: rs, first: int(h.StorageOffset) / rs, last: len(im) / rs}
}

// RecordSize is the slot size, which is also the largest record and the
// size of the device's exchange buffer.
func (s *Store) RecordSize() int { return s.rs }

// FirstSlot is the first record slot (QEMU first_record_index): the
// number of header slots.
func (s *Store) FirstSlot() int { return s.first }

// Slots is the number of slots in the file, header slots included (QEMU
// last_record_index).
func (s *Store) Slots() int { return s.last }

// Capacity is the number of record slots.
func (s *Store) Capacity() int { return max(0, s.last-s.first) }

// Size is the storage size in bytes.
func (s *Store) Size() int { return s.last * s.rs }

// Header returns the header as it is now.
func (s *Store) Header() Header {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.catch(nil)
	defer guard()()
	if s.img == nil {
		return Header{}
	}
	h, _ := DecodeHeader(s.img)
	return h
}

// Count is the header's record_count, which GET_RECORD_COUNT returns
// (0 once closed).
func (s *Store) Count() uint32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.catch(nil)
	defer guard()()
	if s.img == nil {
		return 0
	}
	return s.count()
}

func (s *Store) count() uint32 { return binary.LittleEndian.Uint32(s.img[offRecordCount:]) }

func (s *Store) setCount(n uint32) { binary.LittleEndian.PutUint32(s.img[offRecordCount:], n) }

func (s *Store) entry(slot int) uint64 { return binary.LittleEndian.Uint64(s.img[MapOffset(slot):]) }

// setEntry is update_map_entry.
func (s *Store) setEntry(slot int, id uint64) {
	if slot < s.last {
		binary.LittleEndian.PutUint64(s.img[MapOffset(slot):], id)
	}
}

func (s *Store) slot(i int) []byte { return s.img[i*s.rs : (i+1)*s.rs] }

// IDAt returns map[slot] as stored, or 0 for a slot outside the file.
func (s *Store) IDAt(slot int) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.catch(nil)
	defer guard()()
	if s.img == nil || slot < 0 || slot >= s.last {
		return 0
	}
	return s.entry(slot)
}

// Lookup returns the slot holding id, or 0. It is lookup_erst_record: ID
// 0 is never found, and the scan stops once it has passed record_count
// occupied entries, so a record_count that is too low hides later
// records.
func (s *Store) Lookup(id uint64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.catch(nil)
	defer guard()()
	if s.img == nil {
		return 0
	}
	return s.lookup(id)
}

func (s *Store) lookup(id uint64) int {
	if id == UnspecifiedID {
		return 0
	}
	rc := s.count()
	var n uint32
	for i := s.first; i < s.last && n < rc; i++ {
		e := s.entry(i)
		if e == id {
			return i
		}
		if e != UnspecifiedID {
			n++
		}
	}
	return 0
}

// FirstFree returns the first slot whose map entry is 0, or 0 when there
// is none (find_next_empty_record_index). An entry of ~0 counts as
// occupied, although QEMU's documentation says it marks a free slot.
func (s *Store) FirstFree() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.catch(nil)
	defer guard()()
	if s.img == nil {
		return 0
	}
	return s.firstFree()
}

func (s *Store) firstFree() int {
	for i := s.first; i < s.last; i++ {
		if s.entry(i) == UnspecifiedID {
			return i
		}
	}
	return 0
}

// Next returns the first slot at or after from whose map entry is not 0,
// and that entry. ok is false when there is none or record_count is 0.
// It is the scan in get_next_record_identifier; the device keeps the
// cursor.
func (s *Store) Next(from int) (slot int, id uint64, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.catch(nil)
	defer guard()()
	if s.img == nil || s.count() == 0 {
		return 0, 0, false
	}
	for i := max(from, 0); i < s.last; i++ {
		if e := s.entry(i); e != UnspecifiedID {
			return i, e, true
		}
	}
	return 0, 0, false
}

// Tear describes where a simulated power cut interrupts a write. QEMU's
// write_erst_record stores, in this order: the record into the slot, the
// 0xFF padding after it, record_count+1 (new IDs only), and last the map
// entry. The file is a MAP_SHARED mapping, so when the QEMU process dies
// mid-write every store made so far is in the page cache and survives;
// the file is left holding a prefix of that sequence. A [Tear] names the
// prefix. (A host crash can also lose an arbitrary subset of dirty pages;
// that is not modelled.)
type Tear struct {
	// SlotBytes is how many bytes of the slot image (record, then
	// padding) were stored, from the slot's start; it is clipped to
	// [0, RecordSize].
	SlotBytes int
	// CountUpdated says the record_count increment was stored too. It
	// applies only when the whole slot was stored and the ID is new.
	CountUpdated bool
}

// WriteOptions are faults for WriteWith.
type WriteOptions struct {
	// NoFreeSlot makes the store look full to a new ID, as if
	// find_next_empty_record_index found nothing; overwrites still
	// succeed, as on a really full store.
	NoFreeSlot bool
	// Tear, when set, cuts the write short as described by Tear and
	// returns ErrTorn. Validation failures happen before the cut and
	// leave the store unchanged.
	Tear *Tear
}

// Write stores the CPER record at the start of rec, whose record_length
// field says how long it is. It is the storage half of write_erst_record:
// the device passes its exchange buffer from record_offset on, after
// checking the offset. In QEMU's order it fails with [ErrBadRecord] if
// record_length is below 128 or beyond rec, with [ErrInvalidID] if the
// record_id is 0 or ~0, and with [ErrFull] if the ID is new and no slot is
// free. An existing ID is overwritten in place. The slot gets the record
// and then 0xFF up to its end. It returns the slot written. On error the
// store is unchanged.
//
// Used from the host, rec may be any length; a record_length beyond
// RecordSize is ErrBadRecord (from the device it cannot happen: rec is
// then at most RecordSize bytes).
func (s *Store) Write(rec []byte) (slot int, err error) { return s.WriteWith(rec, WriteOptions{}) }

// WriteWith is Write with injected faults.
func (s *Store) WriteWith(rec []byte, o WriteOptions) (slot int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.catch(&err)
	defer guard()()
	if s.img == nil {
		return 0, ErrClosed
	}
	if s.readOnly {
		return 0, ErrReadOnly
	}
	length, ok := cper.RecordLength(rec)
	if !ok {
		return 0, fmt.Errorf("%w: %d bytes cannot hold a CPER header", ErrBadRecord, len(rec))
	}
	switch {
	case length < cper.HeaderSize:
		return 0, fmt.Errorf("%w: record_length %d is below %d", ErrBadRecord, length, cper.HeaderSize)
	case uint64(length) > uint64(len(rec)):
		return 0, fmt.Errorf("%w: record_length %d exceeds the %d bytes available", ErrBadRecord, length, len(rec))
	case uint64(length) > uint64(s.rs):
		return 0, fmt.Errorf("%w: record_length %d exceeds the %d-byte slot", ErrBadRecord, length, s.rs)
	}
	id, _ := cper.RecordID(rec)
	if !validID(id) {
		return 0, fmt.Errorf("%w: %#x", ErrInvalidID, id)
	}
	idx := s.lookup(id)
	found := idx != 0
	if !found && !o.NoFreeSlot {
		idx = s.firstFree()
	}
	if idx == 0 {
		return 0, fmt.Errorf("%w: all %d record slots are occupied", ErrFull, s.Capacity())
	}
	dst := s.slot(idx)
	if o.Tear != nil {
		n := min(max(o.Tear.SlotBytes, 0), s.rs)
		img := make([]byte, s.rs)
		copy(img, rec[:length])
		fillFF(img[length:])
		copy(dst[:n], img[:n])
		s.wrote(&err, idx*s.rs, n)
		if n == s.rs && o.Tear.CountUpdated && !found {
			s.setCount(s.count() + 1)
			s.wrote(&err, offRecordCount, 4)
		}
		if err != nil {
			return idx, err
		}
		return idx, fmt.Errorf("%w: %d of %d slot bytes stored, map not updated", ErrTorn, n, s.rs)
	}
	copy(dst, rec[:length])
	fillFF(dst[length:]) // memset(nvram + record_length, 0xFF, exchange_length - record_length)
	s.wrote(&err, idx*s.rs, s.rs)
	if !found {
		s.setCount(s.count() + 1)
		s.wrote(&err, offRecordCount, 4)
	}
	s.setEntry(idx, id)
	s.wrote(&err, MapOffset(idx), 8)
	return idx, err
}

// fillFF sets every byte of b to 0xFF, doubling with copy (a memmove)
// instead of storing byte by byte: a short record pads most of its slot.
func fillFF(b []byte) {
	if len(b) == 0 {
		return
	}
	b[0] = 0xFF
	for n := 1; n < len(b); n *= 2 {
		copy(b[n:], b[:n])
	}
}

// ReadInto copies the record with ID id into dst and returns its length.
// It is the storage half of read_erst_record: dst is the exchange buffer
// from record_offset on. It fails with [ErrNotFound] if Lookup does not find
// id, and with [ErrBadRecord] if the stored record_length is below 128 or
// longer than dst (then dst is unchanged). The device handles IDs 0 and ~0
// and the empty store before calling it.
func (s *Store) ReadInto(id uint64, dst []byte) (n int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.catch(&err)
	defer guard()()
	if s.img == nil {
		return 0, ErrClosed
	}
	idx := s.lookup(id)
	if idx == 0 {
		return 0, fmt.Errorf("%w: %#x", ErrNotFound, id)
	}
	src := s.slot(idx)
	length, _ := cper.RecordLength(src)
	if length < cper.HeaderSize || uint64(length) > uint64(len(dst)) {
		return 0, fmt.Errorf("%w: slot %d holds record_length %d, %d bytes available", ErrBadRecord, idx, length, len(dst))
	}
	return copy(dst, src[:length]), nil
}

// Clear removes the record with ID id (clear_erst_record): its map entry
// becomes 0 and record_count drops by one. The slot's bytes stay as they
// are. It fails with [ErrInvalidID] for 0 or ~0 and [ErrNotFound] when Lookup
// does not find the ID; the store is then unchanged.
func (s *Store) Clear(id uint64) (err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.catch(&err)
	defer guard()()
	if s.img == nil {
		return ErrClosed
	}
	if s.readOnly {
		return ErrReadOnly
	}
	if !validID(id) {
		return fmt.Errorf("%w: %#x", ErrInvalidID, id)
	}
	idx := s.lookup(id)
	if idx == 0 {
		return fmt.Errorf("%w: %#x", ErrNotFound, id)
	}
	s.setEntry(idx, UnspecifiedID)
	s.wrote(&err, MapOffset(idx), 8)
	s.setCount(s.count() - 1)
	s.wrote(&err, offRecordCount, 4)
	return err
}

// IDs returns the record IDs a guest's GET_RECORD_IDENTIFIER scan visits,
// in slot order: every nonzero map entry, or none when record_count is 0.
// A corrupt ~0 entry is included as it is; a guest would take it for the
// end of the scan.
func (s *Store) IDs() (ids []uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.catch(nil)
	defer guard()()
	if s.img == nil || s.count() == 0 {
		return nil
	}
	for i := s.first; i < s.last; i++ {
		if e := s.entry(i); e != UnspecifiedID {
			ids = append(ids, e)
		}
	}
	return ids
}

// Get returns a copy of the record with ID id: exactly record_length
// bytes, as the record's CPER header gives it. It fails with [ErrInvalidID]
// for 0 or ~0, [ErrNotFound] when Lookup does not find it, and [ErrBadRecord]
// when the stored length is below 128 or beyond the slot (QEMU's read
// would report FAILED).
func (s *Store) Get(id uint64) ([]byte, error) {
	if !validID(id) {
		return nil, fmt.Errorf("%w: %#x", ErrInvalidID, id)
	}
	buf := make([]byte, s.rs)
	n, err := s.ReadInto(id, buf)
	if err != nil {
		return nil, err
	}
	return buf[:n:n], nil
}

// Snapshot returns a copy of the whole image as it is now.
func (s *Store) Snapshot() Image {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.catch(nil)
	defer guard()()
	return Image(bytes.Clone(s.img))
}

// Sync flushes a file-backed store to the file (msync); QEMU never does,
// leaving it to the kernel's writeback. For an in-memory store it does
// nothing.
func (s *Store) Sync() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.img == nil {
		return ErrClosed
	}
	if s.syncer == nil {
		return nil
	}
	return s.syncer()
}

// Closed reports whether Close has been called.
func (s *Store) Closed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.img == nil
}

// Close releases a file-backed store's mapping. Afterwards the [Store]
// reports [ErrClosed] (and Count 0); a device over it reports
// HARDWARE_NOT_AVAILABLE for its operations.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.img == nil {
		return ErrClosed
	}
	s.img = nil
	if s.closer == nil {
		return nil
	}
	return s.closer()
}

// format writes the header make_erst_storage_header writes (Create on a
// new file).
func (s *Store) format(h Header) (err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.catch(&err)
	defer guard()()
	h.putFormatted(s.img)
	s.wrote(&err, 0, HeaderSize)
	return err
}
