package flock_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goerst/erst/internal/flock"
)

// open returns two open files of one path: two holders, as two
// processes would be.
func open(t *testing.T) (a, b *os.File) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "f")
	for _, p := range []**os.File{&a, &b} {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		*p = f
	}
	return a, b
}

func try(t *testing.T, f *os.File, shared bool) bool {
	t.Helper()
	ok, err := flock.TryLock(f, shared)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// Shared locks coexist; an exclusive lock excludes both kinds; Unlock and
// Close release.
func TestSharedAndExclusive(t *testing.T) {
	a, b := open(t)
	if err := flock.Lock(a, true); err != nil {
		t.Fatal(err)
	}
	if !try(t, b, true) {
		t.Fatal("a second shared lock was refused")
	}
	flock.Unlock(b)
	if try(t, b, false) {
		t.Fatal("an exclusive lock was granted while a shared one is held")
	}
	flock.Unlock(a)
	if !try(t, b, false) {
		t.Fatal("the exclusive lock was refused after Unlock")
	}
	for _, shared := range []bool{true, false} {
		if try(t, a, shared) {
			t.Fatalf("lock (shared %v) granted while another holds it exclusively", shared)
		}
	}
	b.Close()
	if !try(t, a, false) {
		t.Fatal("the lock was not released by Close")
	}
}

// Wait gives up with ErrLocked naming the holder while the lock stays
// held, and takes it at once when it is free.
func TestWaitIsBounded(t *testing.T) {
	a, b := open(t)
	if err := flock.Lock(a, false); err != nil {
		t.Fatal(err)
	}
	err := flock.Wait(b, true, 10*time.Millisecond)
	var held *flock.HeldError
	if !errors.Is(err, flock.ErrLocked) || !errors.As(err, &held) {
		t.Fatalf("Wait on a held lock: %v, want a HeldError", err)
	}
	if _, err := os.Stat("/proc/locks"); err == nil {
		if pid := fmt.Sprintf("pid %d (", os.Getpid()); !strings.HasPrefix(held.Holder, pid) {
			t.Errorf("holder %q, want %q and the command line", held.Holder, pid)
		}
	}
	flock.Unlock(a)
	if err := flock.Wait(b, false, 10*time.Millisecond); err != nil {
		t.Fatalf("Wait on a free lock: %v", err)
	}
}

// Lock waits for the holder rather than failing.
func TestLockWaits(t *testing.T) {
	a, b := open(t)
	if err := flock.Lock(a, false); err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() { done <- flock.Lock(b, false) }()
	flock.Unlock(a)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
