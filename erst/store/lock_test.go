package store_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goerst/erst/erst/store"
)

// An open Store holds the file's lock: a second Open, Create, Check or
// Lock of the same file, even from the same process, waits and then fails
// with ErrLocked naming the holder; after Close it succeeds.
func TestStoreLocksItsFile(t *testing.T) {
	defer store.SetLockWait(20 * time.Millisecond)()
	path := filepath.Join(t.TempDir(), "s.img")
	st, err := store.Create(path, 64*kib, 8192)
	if err != nil {
		t.Fatal(err)
	}
	tries := map[string]func() error{
		"Open":   func() error { s, err := store.Open(path); closeIf(s, err); return err },
		"Create": func() error { s, err := store.Create(path, 64*kib, 8192); closeIf(s, err); return err },
		"Lock":   func() error { l, err := store.Lock(path); closeIf(l, err); return err },
	}
	for name, try := range tries {
		err := try()
		if !errors.Is(err, store.ErrLocked) {
			t.Fatalf("%s while a Store is open: %v, want ErrLocked", name, err)
		}
		if pid := fmt.Sprintf("pid %d", os.Getpid()); !strings.Contains(err.Error(), pid) && holderKnown() {
			t.Errorf("%s: %q does not name the holder (%s)", name, err, pid)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	for name, try := range tries {
		if err := try(); err != nil {
			t.Errorf("%s after Close: %v", name, err)
		}
	}
	// Lock excludes a Store as a Store excludes Lock.
	l, err := store.Lock(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Open(path); !errors.Is(err, store.ErrLocked) {
		t.Errorf("Open while Lock is held: %v, want ErrLocked", err)
	}
	l.Close()
}

// A process that finds the store in use waits for it rather than failing
// at once.
func TestOpenWaitsForTheHolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.img")
	st, err := store.Create(path, 64*kib, 8192)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() {
		s, err := store.Open(path)
		closeIf(s, err)
		done <- err
	}()
	st.Close()
	if err := <-done; err != nil {
		t.Fatalf("Open after the holder closed: %v", err)
	}
}

// Lock creates a missing file empty, as QEMU would, and Create then
// formats it.
func TestLockCreatesEmptyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.img")
	l, err := store.Lock(path)
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	if fi, err := os.Stat(path); err != nil || fi.Size() != 0 {
		t.Fatalf("after Lock: %v, %v; want an empty file", fi, err)
	}
	st, err := store.Create(path, 64*kib, 8192)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
}

type closer interface{ Close() error }

func closeIf[C closer](c C, err error) {
	if err == nil {
		c.Close()
	}
}

// holderKnown: the system can name a lock's holder (Linux /proc/locks).
func holderKnown() bool {
	_, err := os.Stat("/proc/locks")
	return err == nil
}

// Open never creates a file, and names what is not a store.
func TestOpenNeverCreates(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "missing.img")
	if _, err := store.Open(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open of a missing file: %v, want ErrNotExist", err)
	}
	if _, err := os.Stat(path); err == nil {
		t.Error("Open created the file")
	}
	junk := filepath.Join(dir, "junk")
	os.WriteFile(junk, []byte(strings.Repeat("junk", 4096)), 0o644)
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, nil, 0o644)
	for _, tc := range []struct{ path, want string }{
		{dir, "a directory"}, {junk, "bad magic"}, {empty, "empty file"},
	} {
		_, err := store.Open(tc.path)
		if !errors.Is(err, store.ErrNotStore) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Open(%s): %v, want ErrNotStore saying %q", filepath.Base(tc.path), err, tc.want)
		}
	}
	if _, err := store.Create(junk, 16*kib, 4096); !errors.Is(err, store.ErrNotStore) {
		t.Errorf("Create over a junk file: %v, want ErrNotStore", err)
	}
}
