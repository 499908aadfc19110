package main

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/goerst/erst/erst/pshed/pshedtest"
	"github.com/goerst/erst/erst/store"
)

// ls, dump and clear -all see every record, beyond the 1,024 that Linux
// (and once this driver) silently stopped at.
func TestCommandsSeeEveryRecord(t *testing.T) {
	const n = 1100
	path := filepath.Join(t.TempDir(), "s.img")
	st, err := store.Create(path, 8<<20, 4096)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if _, err := st.Write(pshedtest.NewRecord(200, uint64(i+1))); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if lines := bytes.Count(mustRun(t, nil, "-store", path, "ls"), []byte("\n")); lines != n {
		t.Errorf("ls printed %d lines, want %d", lines, n)
	}
	if recs := bytes.Count(mustRun(t, nil, "-store", path, "dump"), []byte("\nrecord 0x")); recs < n-1 {
		t.Errorf("dump printed %d records, want %d", recs+1, n)
	}
	if lines := bytes.Count(mustRun(t, nil, "-store", path, "clear", "-all"), []byte("cleared ")); lines != n {
		t.Errorf("clear -all cleared %d records, want %d", lines, n)
	}
	if out := mustRun(t, nil, "-store", path, "ls"); len(out) != 0 {
		t.Errorf("ls after clear -all: %d bytes, want none", len(out))
	}
}
