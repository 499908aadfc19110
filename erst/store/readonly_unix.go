//go:build unix

package store

import (
	"fmt"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// attachReadOnly maps the first size bytes of f (opened read-only)
// privately: the Store refuses changes itself (ErrReadOnly), and a stray
// write through a Records slice stays in this process's copy instead of
// faulting or reaching the file.
func attachReadOnly(f *os.File, size int64, h Header) (*Store, error) {
	b, err := unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE)
	if err != nil {
		return nil, fmt.Errorf("mmap: %w", err)
	}
	s := newStore(Image(b), h)
	s.closer = func() error {
		var err error
		if s.aliased {
			_, err = unix.MmapPtr(-1, 0, unsafe.Pointer(&b[0]), uintptr(len(b)), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON|unix.MAP_FIXED)
		} else {
			err = unix.Munmap(b)
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return err
	}
	return s, nil
}
