package store_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/goerst/erst/erst/store"
	"github.com/goerst/erst/erst/store/storetest"
)

// Create formats only what CheckGeometry accepts: a store with no room
// for a record after its header slots is refused, and the file is left
// as it was (or absent).
func TestCreateFollowsCheckGeometry(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ size, rs int64 }{{8 * kib, 8192}, {4 * kib, 4096}} {
		if store.CheckGeometry(uint64(tc.size), uint64(tc.rs)) == nil {
			t.Fatalf("CheckGeometry(%d, %d) accepts a store without record slots", tc.size, tc.rs)
		}
		p := filepath.Join(dir, "new")
		if s, err := store.Create(p, tc.size, uint32(tc.rs)); !errors.Is(err, store.ErrSize) {
			closeIf(s, err)
			t.Errorf("Create(%d, %d): %v, want ErrSize as from CheckGeometry", tc.size, tc.rs, err)
		}
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("Create(%d, %d) left a file (%v)", tc.size, tc.rs, err)
		}
		zero := filepath.Join(dir, "zero")
		if err := os.WriteFile(zero, make([]byte, tc.size), 0o644); err != nil {
			t.Fatal(err)
		}
		if s, err := store.Create(zero, tc.size, uint32(tc.rs)); err == nil {
			s.Close()
			t.Errorf("Create(zero-filled %d, %d) formatted a store without record slots", tc.size, tc.rs)
		}
		checkFile(t, zero, make([]byte, tc.size))
	}
}

// A store opened read-only reads as any other, refuses every change with
// ErrReadOnly, shares the file with other readers and Check, keeps a
// writer out while it is open, and never changes a byte.
func TestOpenReadOnly(t *testing.T) {
	defer store.SetLockWait(20 * time.Millisecond)()
	path := filepath.Join(t.TempDir(), "s.img")
	s, err := store.Create(path, 64*kib, 8192)
	if err != nil {
		t.Fatal(err)
	}
	a := storetest.CPER(0x55, 500, 0x5A)
	if _, err := s.Write(a); err != nil {
		t.Fatal(err)
	}
	s.Close()
	before, _ := os.ReadFile(path)

	r1, err := store.OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := store.OpenReadOnly(path)
	if err != nil {
		t.Fatalf("a second reader: %v", err)
	}
	if fs, err := store.Check(path); err != nil || len(fs) != 0 {
		t.Errorf("Check beside two readers: %v %v", fs, err)
	}
	if w, err := store.Open(path); !errors.Is(err, store.ErrLocked) {
		closeIf(w, err)
		t.Errorf("Open while a reader holds the file: %v, want ErrLocked", err)
	}
	if !r1.ReadOnly() || !equalIDs(r1.IDs(), []uint64{0x55}) {
		t.Errorf("reader: read-only %v, ids %#x", r1.ReadOnly(), r1.IDs())
	}
	if got, err := r1.Get(0x55); err != nil || !bytes.Equal(got, a) {
		t.Errorf("Get: %v", err)
	}
	b := storetest.CPER(0x66, 300, 0x11)
	if _, err := r1.Write(b); !errors.Is(err, store.ErrReadOnly) {
		t.Errorf("Write: %v, want ErrReadOnly", err)
	}
	if err := r1.Clear(0x55); !errors.Is(err, store.ErrReadOnly) {
		t.Errorf("Clear: %v, want ErrReadOnly", err)
	}
	if err := r1.CommitAt(r1.FirstSlot()); !errors.Is(err, store.ErrReadOnly) {
		t.Errorf("CommitAt: %v, want ErrReadOnly", err)
	}
	r1.WipeSlot(r1.Lookup(0x55))
	copy(r1.Records(), b) // a stray write through the NVRAM range
	r1.Close()
	r2.Close()
	checkFile(t, path, before)

	// Nothing to read is not made: a missing file stays missing and a
	// zero-filled one stays unformatted.
	missing := filepath.Join(filepath.Dir(path), "missing")
	if _, err := store.OpenReadOnly(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("OpenReadOnly(missing): %v", err)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("OpenReadOnly created a file")
	}
}

// A store on a read-only mount, which Open cannot open for writing,
// opens read-only.
func TestOpenReadOnlyMount(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.img")
	s, err := store.Create(path, 64*kib, 8192)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Write(storetest.CPER(0x55, 500, 0x5A)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	readOnlyMount(t, dir)
	if w, err := store.Open(path); err == nil {
		w.Close()
		t.Fatal("Open for writing on a read-only mount succeeded: the mount is not read-only")
	}
	r, err := store.OpenReadOnly(path)
	if err != nil {
		t.Fatalf("OpenReadOnly on a read-only mount: %v", err)
	}
	defer r.Close()
	if !equalIDs(r.IDs(), []uint64{0x55}) {
		t.Errorf("ids %#x", r.IDs())
	}
}

// readOnlyMount makes dir a read-only bind mount of itself until the test
// ends (root ignores permission bits; a read-only mount it cannot).
func readOnlyMount(t *testing.T, dir string) {
	t.Helper()
	if out, err := exec.Command("mount", "--bind", dir, dir).CombinedOutput(); err != nil {
		noMount(t, err, out)
		return
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	if out, err := exec.Command("mount", "-o", "remount,bind,ro", dir).CombinedOutput(); err != nil {
		noMount(t, err, out)
	}
}

func noMount(t *testing.T, err error, out []byte) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("a read-only bind mount is needed: mount: %v: %s", err, out)
	}
	t.Skipf("skipped: a read-only bind mount is needed (run as root with mount(8)): %v: %s", err, out)
}
