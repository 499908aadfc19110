package erst

import (
	"fmt"
	"os"

	"github.com/goerst/erst/internal/flock"
)

// FileLock is a [Locker] that holds an exclusive lock (internal/flock:
// flock(2) on unix, LockFileEx on Windows) on a file for the duration of
// each operation, so that two processes never interleave the action
// sequences of one device. Lock blocks while another process holds the
// lock.
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
func (l *FileLock) Lock() error { return flock.Lock(l.f, false) }

// Unlock releases the lock.
func (l *FileLock) Unlock() { _ = flock.Unlock(l.f) }

// Close releases the file.
func (l *FileLock) Close() error { return l.f.Close() }
