//go:build windows

package erst

import (
	"fmt"
	"os"

	"golang.org/x/sys/windows"
)

// FileLock is a Locker that holds an exclusive lock (LockFileEx) on a
// file for the duration of each operation, so that two processes never
// interleave the action sequences of one device. Lock blocks while
// another process holds the lock.
type FileLock struct {
	f *os.File
}

// NewFileLock opens (creating if needed) the lock file at path. Failing
// to is an error: running without the lock is not an option.
func NewFileLock(path string) (*FileLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock file: %w", err)
	}
	return &FileLock{f: f}, nil
}

// Lock takes the exclusive lock.
func (l *FileLock) Lock() error {
	err := windows.LockFileEx(windows.Handle(l.f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK, 0, 1, 0, new(windows.Overlapped))
	if err != nil {
		return fmt.Errorf("LockFileEx %s: %w", l.f.Name(), err)
	}
	return nil
}

// Unlock releases the lock.
func (l *FileLock) Unlock() {
	_ = windows.UnlockFileEx(windows.Handle(l.f.Fd()), 0, 1, 0, new(windows.Overlapped))
}

// Close releases the file.
func (l *FileLock) Close() error { return l.f.Close() }
