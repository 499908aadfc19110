//go:build windows

package flock

import (
	"os"

	"golang.org/x/sys/windows"
)

// errWouldBlock is what lock returns when a non-blocking lock is held.
var errWouldBlock = windows.ERROR_LOCK_VIOLATION

// lock takes LockFileEx on the whole of f.
func lock(f *os.File, shared, block bool) error {
	var flags uint32
	if !shared {
		flags |= windows.LOCKFILE_EXCLUSIVE_LOCK
	}
	if !block {
		flags |= windows.LOCKFILE_FAIL_IMMEDIATELY
	}
	return windows.LockFileEx(windows.Handle(f.Fd()), flags, 0, ^uint32(0), ^uint32(0), new(windows.Overlapped))
}

func unlock(f *os.File) error {
	return windows.UnlockFileEx(windows.Handle(f.Fd()), 0, ^uint32(0), ^uint32(0), new(windows.Overlapped))
}
