package store_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/goerst/erst/erst/store"
	"github.com/goerst/erst/erst/store/storetest"
)

// BenchmarkOpen opens and closes a backing file of each size, as every
// erst -store command does first. The file is sparse apart from the
// header and, when records is set, a full slot every 64: Open maps the
// file and reads the header only, so its cost should not grow with the
// size. "then-IDs" also lists the ids (what erst ls -store and a guest's
// first enumeration touch), which reads the whole map.
//
//	go test -run '^$' -bench Open ./erst/store/
func BenchmarkOpen(b *testing.B) {
	const rs = 8192
	for _, size := range []int64{64 << 10, 64 << 20, 1 << 30} {
		path := filepath.Join(b.TempDir(), "store.img")
		s, err := store.Create(path, size, rs)
		if errors.Is(err, syscall.ENOSPC) {
			// A vmtest guest's /tmp is in its RAM.
			b.Logf("size=%s not measured: this file system cannot hold it: %v", sizeName(size), err)
			continue
		}
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for slot := s.FirstSlot(); slot < s.Slots(); slot += 64 {
			if _, err := s.Write(storetest.CPER(uint64(slot), rs, 0xA5)); err != nil {
				b.Fatal(err)
			}
			n++
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		for _, ids := range []bool{false, true} {
			name := fmt.Sprintf("size=%s", sizeName(size))
			if ids {
				name += "/then-IDs"
			}
			b.Run(name, func(b *testing.B) {
				for b.Loop() {
					s, err := store.Open(path)
					if err != nil {
						b.Fatal(err)
					}
					if ids {
						if got := len(s.IDs()); got != n {
							b.Fatalf("IDs found %d records, want %d", got, n)
						}
					}
					if err := s.Close(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func sizeName(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%dGiB", n>>30)
	case n >= 1<<20:
		return fmt.Sprintf("%dMiB", n>>20)
	}
	return fmt.Sprintf("%dKiB", n>>10)
}

// BenchmarkWriteRead is the store's hot path: Write and ReadInto of an
// 8 KiB record, then Clear, on a mapped file. It allocates nothing.
//
//	go test -run '^$' -bench WriteRead -benchmem ./erst/store/
func BenchmarkWriteRead(b *testing.B) {
	s, err := store.Create(filepath.Join(b.TempDir(), "s.img"), 64<<10, 8192)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	rec := storetest.CPER(0x1234, 8192, 0x5A)
	dst := make([]byte, 8192)
	b.ReportAllocs()
	b.SetBytes(2 * 8192)
	for b.Loop() {
		if _, err := s.Write(rec); err != nil {
			b.Fatal(err)
		}
		if _, err := s.ReadInto(0x1234, dst); err != nil {
			b.Fatal(err)
		}
		if err := s.Clear(0x1234); err != nil {
			b.Fatal(err)
		}
	}
}
