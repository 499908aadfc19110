package store

// FreeSlots returns how many slots a write can take: those whose map
// entry is 0 (the test of QEMU's find_next_empty_record_index; an entry
// of ~0 counts as occupied).
func (s *Store) FreeSlots() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.catch(nil)
	defer guard()()
	if s.img == nil {
		return 0
	}
	return s.freeSlots()
}

func (s *Store) freeSlots() int {
	n := 0
	for i := s.first; i < s.last; i++ {
		if s.entry(i) == UnspecifiedID {
			n++
		}
	}
	return n
}

// Fits reports whether records under ids can all be written: each
// distinct id the store does not hold takes a free slot (need), as QEMU's
// write_erst_record does; a stored id is overwritten in place. free is
// FreeSlots, read under the same lock.
func (s *Store) Fits(ids []uint64) (need, free int, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.catch(nil)
	defer guard()()
	if s.img == nil {
		return 0, 0, len(ids) == 0
	}
	seen := make(map[uint64]bool, len(ids))
	for _, id := range ids {
		if !seen[id] && s.lookup(id) == 0 {
			need++
		}
		seen[id] = true
	}
	free = s.freeSlots()
	return need, free, need <= free
}
