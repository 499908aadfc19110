package store_test

import (
	"testing"

	"github.com/goerst/erst/erst/store/storetest"
)

// FreeSlots counts the map entries of 0; Fits charges a slot to each
// distinct id not stored, none to a stored one, and says whether the
// free slots cover them.
func TestFreeSlotsAndFits(t *testing.T) {
	s := mustStore(t, mustImage(t, 64<<10, 8192)) // 7 slots
	if got := s.FreeSlots(); got != 7 {
		t.Fatalf("empty store: FreeSlots = %d, want 7", got)
	}
	for id := uint64(1); id <= 5; id++ {
		if _, err := s.Write(storetest.CPER(id, 256, 0)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Clear(3); err != nil {
		t.Fatal(err)
	}
	if got := s.FreeSlots(); got != 3 {
		t.Errorf("4 of 7 slots used: FreeSlots = %d, want 3", got)
	}
	for _, tc := range []struct {
		ids        []uint64
		need       int
		ok         bool
		whyMatters string
	}{
		{nil, 0, true, "nothing to write"},
		{[]uint64{1, 2, 4, 5}, 0, true, "stored ids are overwritten in place"},
		{[]uint64{3, 6, 7}, 3, true, "a cleared id takes a slot again"},
		{[]uint64{6, 6, 6, 7, 8}, 3, true, "one slot per distinct id"},
		{[]uint64{6, 7, 8, 9, 1}, 4, false, "four new ids, three free slots"},
	} {
		need, free, ok := s.Fits(tc.ids)
		if need != tc.need || free != 3 || ok != tc.ok {
			t.Errorf("Fits(%v) = %d, %d, %v; want %d, 3, %v (%s)", tc.ids, need, free, ok, tc.need, tc.ok, tc.whyMatters)
		}
	}
}
