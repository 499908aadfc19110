package store_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/goerst/erst/erst/store"
)

// Probe tells apart what Create makes, extends, formats, and leaves to
// Open, without changing the file.
func TestProbe(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	formatted := filepath.Join(dir, "formatted")
	st, err := store.Create(formatted, 64<<10, store.DefaultRecordSize)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	for _, c := range []struct {
		path  string
		state store.FileState
		size  int64
	}{
		{filepath.Join(dir, "missing"), store.FileMissing, 0},
		{write("empty", nil), store.FileEmpty, 0},
		{write("zeros", make([]byte, 16<<10)), store.FileUnformatted, 16 << 10},
		{write("three zeros", make([]byte, 3)), store.FileUnformatted, 3},
		{write("junk", []byte("junk, not zeros")), store.FileOther, 15},
		{formatted, store.FileOther, 64 << 10},
		{dir, store.FileOther, 0},
	} {
		if state, size := store.Probe(c.path); state != c.state || size != c.size {
			t.Errorf("Probe(%s) = %d, %d; want %d, %d", filepath.Base(c.path), state, size, c.state, c.size)
		}
	}
}
