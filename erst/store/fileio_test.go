package store_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/goerst/erst/erst/store"
	"github.com/goerst/erst/erst/store/storetest"
)

// Where no shared mapping is available (Windows) the store goes through
// ReadAt/WriteAt; the file must hold, after every operation, exactly the
// bytes a mapped store leaves. Both run here, on one script.
func TestFileIOMatchesMapping(t *testing.T) {
	dir := t.TempDir()
	mapped, plain := filepath.Join(dir, "mapped.img"), filepath.Join(dir, "plain.img")
	sm, err := store.Create(mapped, 64*kib, 8192)
	if err != nil {
		t.Fatal(err)
	}
	defer sm.Close()
	restore := store.UseFileIO()
	sp, err := store.Create(plain, 64*kib, 8192)
	restore()
	if err != nil {
		t.Fatal(err)
	}
	same := func(step string) {
		t.Helper()
		a, _ := os.ReadFile(mapped)
		b, _ := os.ReadFile(plain)
		if d := storetest.Diff(b, a); d != "" {
			t.Fatalf("after %s the file-I/O store differs from the mapped one: %s", step, d)
		}
	}
	same("Create")
	steps := []struct {
		name string
		op   func(s *store.Store) error
	}{
		{"write a", func(s *store.Store) error { _, err := s.Write(storetest.CPER(0xA, 300, 0xAA)); return err }},
		{"write b", func(s *store.Store) error { _, err := s.Write(storetest.CPER(0xB, 8192, 0xBB)); return err }},
		{"overwrite a", func(s *store.Store) error { _, err := s.Write(storetest.CPER(0xA, 200, 0xA2)); return err }},
		{"clear b", func(s *store.Store) error { return s.Clear(0xB) }},
		{"torn write c", func(s *store.Store) error {
			_, err := s.WriteWith(storetest.CPER(0xC, 1000, 0xCC), store.WriteOptions{Tear: &store.Tear{SlotBytes: 500}})
			if errors.Is(err, store.ErrTorn) {
				return nil
			}
			return err
		}},
		{"NVRAM commit d", func(s *store.Store) error {
			copy(s.Records()[3*8192:], storetest.CPER(0xD, 400, 0xDD))
			return s.CommitAt(s.FirstSlot() + 3)
		}},
		{"wipe", func(s *store.Store) error { s.WipeSlot(s.FirstSlot() + 1); return nil }},
	}
	for _, st := range steps {
		if err := st.op(sm); err != nil {
			t.Fatalf("%s (mapped): %v", st.name, err)
		}
		if err := st.op(sp); err != nil {
			t.Fatalf("%s (file I/O): %v", st.name, err)
		}
		same(st.name)
	}
	if err := sp.Sync(); err != nil {
		t.Fatal(err)
	}
	if err := sp.Close(); err != nil {
		t.Fatal(err)
	}
	// Reopened through file I/O, it reads what was written.
	defer store.UseFileIO()()
	sp, err = store.Open(plain)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	if got, err := sp.Get(0xA); err != nil || !bytes.Equal(got, storetest.CPER(0xA, 200, 0xA2)) {
		t.Errorf("Get(0xA) after reopen: %v", err)
	}
}
