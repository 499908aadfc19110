//go:build unix

package erst

import (
	"fmt"
	"os"
	"syscall"
)

// FileLock is a Locker that holds an exclusive flock(2) on a file for the
// duration of each operation, so that two processes never interleave the
// action sequences of one device. Lock blocks while another process holds
// the lock.
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
	for {
		err := syscall.Flock(int(l.f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			if err != nil {
				return fmt.Errorf("flock %s: %w", l.f.Name(), err)
			}
			return nil
		}
	}
}

// Unlock releases the lock.
func (l *FileLock) Unlock() { _ = syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN) }

// Close releases the file.
func (l *FileLock) Close() error { return l.f.Close() }
