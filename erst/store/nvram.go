package store

import (
	"fmt"

	"github.com/goerst/erst/erst/cper"
)

// Records returns the record slots of the image, from the first record
// slot to the end: the region a device in NVRAM mode exposes as its Error
// Log Address Range (erst/sim WithNVRAM). The slice aliases the store and
// stays valid memory after Close: a file-backed store's mapping is then
// replaced by zeros, so that a device still holding the range (and a
// driver that mapped it) reads free slots instead of faulting, and its
// operations report the hardware gone.
func (s *Store) Records() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.img == nil {
		return nil
	}
	s.aliased = true
	return s.img[s.first*s.rs : s.last*s.rs : s.last*s.rs]
}

// CommitAt makes the record already in place at the start of slot the
// stored record for its ID: the NVRAM-mode write, where the OS wrote the
// bytes itself. Another slot holding the same ID is freed (the record is
// replaced, as Write replaces); the count grows only for a new ID. The
// record is checked as Write checks it; on error nothing changes.
func (s *Store) CommitAt(slot int) (err error) {
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
	if slot < s.first || slot >= s.last {
		return fmt.Errorf("%w: slot %d is not a record slot", ErrBadRecord, slot)
	}
	rec := s.slot(slot)
	length, _ := cper.RecordLength(rec)
	if length < cper.HeaderSize || uint64(length) > uint64(s.rs) {
		return fmt.Errorf("%w: record_length %d not in %d..%d", ErrBadRecord, length, cper.HeaderSize, s.rs)
	}
	id, _ := cper.RecordID(rec)
	if !validID(id) {
		return fmt.Errorf("%w: %#x", ErrInvalidID, id)
	}
	s.wrote(&err, slot*s.rs, s.rs) // the OS wrote it in memory
	if prev := s.lookup(id); prev != 0 && prev != slot {
		s.setEntry(prev, UnspecifiedID)
		s.wrote(&err, MapOffset(prev), 8)
		s.setCount(s.count() - 1)
	}
	if s.entry(slot) == UnspecifiedID {
		s.setCount(s.count() + 1)
	}
	s.wrote(&err, offRecordCount, 4)
	s.setEntry(slot, id)
	s.wrote(&err, MapOffset(slot), 8)
	return err
}

// WipeSlot fills the first CPER header's worth of a record slot with 0xFF,
// so that a reader scanning the slots in place (NVRAM mode) sees it free.
// On a read-only [Store] it does nothing.
func (s *Store) WipeSlot(slot int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.catch(nil)
	defer guard()()
	if s.img != nil && !s.readOnly && slot >= s.first && slot < s.last {
		fillFF(s.slot(slot)[:cper.HeaderSize])
		var err error
		s.wrote(&err, slot*s.rs, cper.HeaderSize)
	}
}
