//go:build unix

package store

import (
	"fmt"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// attach maps the first size bytes of f shared and read-write; the Store
// keeps f, and so its lock, until Close. h is the header the store will
// have (after formatting, if any).
func attach(f *os.File, size int64, h Header) (*Store, error) {
	s, b, err := mapStore(f, size, h, unix.MAP_SHARED)
	if err != nil {
		return nil, err
	}
	s.syncer = func() error { return unix.Msync(b, unix.MS_SYNC) }
	return s, nil
}

// attachReadOnly maps the first size bytes of f (opened read-only)
// privately: the Store refuses changes itself (ErrReadOnly), and a stray
// write through a Records slice stays in this process's copy instead of
// faulting or reaching the file.
func attachReadOnly(f *os.File, size int64, h Header) (*Store, error) {
	s, _, err := mapStore(f, size, h, unix.MAP_PRIVATE)
	return s, err
}

// mapStore maps the first size bytes of f with the mmap flags (shared or
// private) and returns the Store over them, which unmaps them and closes
// f on Close.
func mapStore(f *os.File, size int64, h Header, flags int) (*Store, []byte, error) {
	b, err := unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ|unix.PROT_WRITE, flags)
	if err != nil {
		return nil, nil, fmt.Errorf("mmap: %w", err)
	}
	s := newStore(Image(b), h)
	s.closer = func() error {
		var err error
		if s.aliased {
			// Records' slice may still be in use: put zeros where the
			// file was instead of leaving a hole that faults.
			_, err = unix.MmapPtr(-1, 0, unsafe.Pointer(&b[0]), uintptr(len(b)), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON|unix.MAP_FIXED)
		} else {
			err = unix.Munmap(b)
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return err
	}
	return s, b, nil
}
