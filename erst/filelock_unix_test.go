//go:build unix

package erst

import (
	"path/filepath"
	"syscall"
	"testing"
)

func TestFileLockExcludesOtherHolders(t *testing.T) {
	path := filepath.Join(t.TempDir(), "erst.lock")
	a, err := NewFileLock(path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := NewFileLock(path) // a second open file description, as another process has
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := a.Lock(); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(b.f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != syscall.EWOULDBLOCK {
		t.Fatalf("second holder got the lock while the first held it: %v", err)
	}
	a.Unlock()
	if err := syscall.Flock(int(b.f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatalf("lock not released: %v", err)
	}
}
