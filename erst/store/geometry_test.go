package store_test

import (
	"errors"
	"testing"

	"github.com/goerst/erst/erst/store"
)

func TestCheckGeometry(t *testing.T) {
	for _, tc := range []struct {
		size, rs uint64
		want     error
	}{
		{64 << 10, 8192, nil},
		{2 * 8192, 8192, nil}, // a header slot and one record
		{8192, 8192, store.ErrSize},
		{100000, 8192, store.ErrStorageSize},
		{4 << 30, 8192, store.ErrSize},
		{0, 8192, store.ErrSize},
		{64 << 10, 6000, store.ErrRecordSize},
		{64 << 10, 2048, store.ErrRecordSize},
		{1 << 33, 1 << 33, store.ErrRecordSize},
	} {
		err := store.CheckGeometry(tc.size, tc.rs)
		if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("CheckGeometry(%d, %d) = %v, want %v", tc.size, tc.rs, err, tc.want)
		}
		// Whatever CheckGeometry accepts, QEMU's format accepts.
		if err == nil {
			if _, err := store.NewImage(int(tc.size), uint32(tc.rs)); err != nil {
				t.Errorf("CheckGeometry(%d, %d) passed; NewImage: %v", tc.size, tc.rs, err)
			}
		}
	}
}
