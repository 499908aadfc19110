package store

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// reserve allocates the blocks of f from off to size (fallocate mode 0,
// which keeps the zeros Truncate gave), so that a disk that cannot hold
// the store says so now (ENOSPC) instead of faulting when a page is first
// written. A file system without fallocate keeps the file sparse.
func reserve(f *os.File, off, size int64) error {
	for {
		err := unix.Fallocate(int(f.Fd()), 0, off, size-off)
		switch {
		case errors.Is(err, unix.EINTR):
			continue
		case errors.Is(err, unix.EOPNOTSUPP), errors.Is(err, unix.ENOSYS):
			return nil
		}
		return err
	}
}
