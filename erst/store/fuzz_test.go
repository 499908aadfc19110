package store_test

import (
	"testing"

	"github.com/goerst/erst/erst/store"
	"github.com/goerst/erst/erst/store/storetest"
)

// FuzzImage feeds arbitrary header and map bytes to the realize checks and
// then drives the store: nothing may panic, and a record written must read
// back.
func FuzzImage(f *testing.F) {
	g := storetest.NewGolden(64, 4096).Header(4096, 4096, 0).B // header only
	f.Add(g)
	f.Add(storetest.NewGolden(64, 4096).Header(4096, 0, 3).Map(0, 7).Map(2, ^uint64(0)).B)
	f.Add(storetest.NewGolden(64, 4096).Header(8192, 8192, 1).Map(1, 5).B)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, head []byte) {
		im := make(store.Image, 16*1024)
		copy(im, head)
		if err := store.Format(im, 4096); err != nil {
			return
		}
		s, err := store.New(im)
		if err != nil {
			t.Fatalf("New after a successful Format: %v", err)
		}
		for _, id := range s.IDs() {
			s.Get(id)
			s.Lookup(id)
		}
		s.Next(0)
		rec := storetest.CPER(0x1234, 200, 0x5A)
		if _, err := s.Write(rec); err == nil {
			if got, err := s.Get(0x1234); err != nil || string(got) != string(rec) {
				// A record_count below the number of occupied entries
				// (too low to start with, or wrapped past 2^32-1 by the
				// write) hides later records from lookups, as QEMU's
				// lookup_erst_record does; anything else is a bug.
				occupied := uint32(0)
				for i := s.FirstSlot(); i < s.Slots(); i++ {
					if s.IDAt(i) != 0 {
						occupied++
					}
				}
				if occupied > s.Count() {
					return
				}
				t.Fatalf("record written but not read back: %v", err)
			}
			if err := s.Clear(0x1234); err != nil {
				t.Fatalf("Clear: %v", err)
			}
		}
	})
}
