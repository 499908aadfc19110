package pshed_test

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/pshed"
	"github.com/goerst/erst/erst/pshed/pshedtest"
)

func TestMemStoreFullAndUpsert(t *testing.T) {
	m := pshed.NewMemStore(2, 512)
	for _, id := range []uint64{3, 1} {
		if err := m.Write(pshedtest.NewRecord(200, id)); err != nil {
			t.Fatalf("Write(%d) = %v", id, err)
		}
	}
	if err := m.Write(pshedtest.NewRecord(200, 2)); !errors.Is(err, erst.ErrNotEnoughSpace) {
		t.Errorf("Write into a full store = %v, want ErrNotEnoughSpace", err)
	}
	repl := pshedtest.NewRecord(512, 3)
	if err := m.Write(repl); err != nil {
		t.Errorf("overwrite in a full store = %v, want nil", err)
	}
	if ids, _ := m.IDs(); !slices.Equal(ids, []uint64{3, 1}) {
		t.Errorf("IDs = %v, want [3 1] (overwrite keeps the place)", ids)
	}
	if got, err := m.Read(3); err != nil || !bytes.Equal(got, repl) {
		t.Errorf("Read(3) = %d bytes, %v; want the replacement", len(got), err)
	}
	if got, err := m.Read(0); err != nil || !bytes.Equal(got, repl) {
		t.Errorf("Read(0) = %d bytes, %v; want the first record, 3", len(got), err)
	}
}

// The store keeps its own copies: callers cannot change stored records
// through the slices they passed in or got back.
func TestMemStoreCopies(t *testing.T) {
	m := pshed.NewMemStore(2, 512)
	rec := pshedtest.NewRecord(256, 4)
	orig := bytes.Clone(rec)
	if err := m.Write(rec); err != nil {
		t.Fatal(err)
	}
	rec[200] ^= 0xFF
	got, _ := m.Read(4)
	got[201] ^= 0xFF
	ids, _ := m.IDs()
	ids[0] = 99
	again, err := m.Read(4)
	if err != nil || !bytes.Equal(again, orig) {
		t.Errorf("stored record changed through a caller's slice")
	}
	if ids, _ := m.IDs(); !slices.Equal(ids, []uint64{4}) {
		t.Errorf("IDs = %v after changing a returned slice, want [4]", ids)
	}
}
