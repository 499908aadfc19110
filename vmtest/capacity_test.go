package vmtest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/goerst/erst/erst/store"
)

// The host reads a store file's capacity by erst/store's rule, and says
// when it cannot.
func TestStoreCapacity(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		size       int
		recordSize uint32
	}{{64 << 10, 8192}, {1 << 20, 4096}} {
		im, err := store.NewImage(tc.size, tc.recordSize)
		if err != nil {
			t.Fatal(err)
		}
		st, err := store.New(im)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "nvram.img")
		if err := os.WriteFile(path, im, 0o644); err != nil {
			t.Fatal(err)
		}
		if n, ok := storeCapacity(path); !ok || n != st.Capacity() {
			t.Errorf("%d-byte store of %d-byte records: %d, %v; want %d", tc.size, tc.recordSize, n, ok, st.Capacity())
		}
	}
	garbage := filepath.Join(dir, "garbage")
	if err := os.WriteFile(garbage, make([]byte, 4096), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{garbage, filepath.Join(dir, "missing")} {
		if n, ok := storeCapacity(path); ok {
			t.Errorf("%s: capacity %d, want unknown", path, n)
		}
	}
}
