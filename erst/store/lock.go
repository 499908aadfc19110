package store

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/goerst/erst/internal/flock"
)

// Locking. QEMU takes no lock on its memory-backend-file, so two writers
// on one file corrupt each other: each keeps record_count and the map in
// its own view and both pick the same "first free" slot. This package
// therefore locks the backing file itself (internal/flock: flock(2) on
// unix, LockFileEx on Windows) for as long as a Store made by Open or
// Create is open, so that every program using it on one file (erst
// -store, erstvm, any library user) takes turns. Check takes a shared
// lock: several checkers may read at once, never while a Store is open.
// QEMU itself does not take the lock; a program that runs QEMU on the
// file holds it for QEMU with Lock. OpenReadOnly, like Check, takes a
// shared lock.
//
// A process that finds the file locked waits up to LockWait, then fails
// with ErrLocked naming the holder when the system can tell (on Linux,
// its pid and command line, from /proc/locks).

// LockWait is how long [Open], [Create], [Check] and [Lock] wait for another
// process to release the backing file before failing with [ErrLocked].
const LockWait = 30 * time.Second

// lockWait is LockWait, shortened by tests.
var lockWait = LockWait

// ErrLocked: another process holds the backing file's lock, and did not
// release it within [LockWait]. The error names the holder when the system
// can tell.
var ErrLocked = errors.New("ERST backing store is in use by another process")

// Lock takes the exclusive lock on the backing file at path, which [Open]
// and [Create] take, and returns what releases it. A program that lets
// another process use the file (QEMU, run by erstvm or a test harness)
// holds it for that process, from before the process starts until it
// has exited, so that no [Store] is opened on the file meanwhile:
//
//	l, err := store.Lock(path)
//	if err != nil {
//		return err // ErrLocked names the holder
//	}
//	defer l.Close()
//	// run QEMU with mem-path=path
//
// A missing file is created empty, as QEMU creates it. Lock itself never
// formats: QEMU (or Create) sizes and formats an empty or zero-filled
// file when it opens it.
func Lock(path string) (io.Closer, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := lockFile(f, path, false); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil // closing the file releases the lock
}

// lockFile waits up to LockWait for the lock on f (shared or exclusive),
// as internal/flock's Wait takes it.
func lockFile(f *os.File, path string, shared bool) error {
	err := flock.Wait(f, shared, lockWait)
	var held *flock.HeldError
	switch {
	case errors.As(err, &held):
		return fmt.Errorf("%s: %w: %v", path, ErrLocked, held)
	case err != nil:
		return err // names path
	}
	return nil
}

// lockedOpen opens path with flag and takes its lock, and makes sure the
// file locked is still the one at path: another process may have removed
// a file it created and failed to set up while this one waited (Create
// undoing itself). It reports whether the file was created here.
func lockedOpen(path string, flag int, shared bool) (f *os.File, created bool, err error) {
	for {
		created = false
		f, err = os.OpenFile(path, flag&^os.O_CREATE, 0)
		if errors.Is(err, fs.ErrNotExist) && flag&os.O_CREATE != 0 {
			f, err = os.OpenFile(path, flag|os.O_EXCL, 0o644)
			created = err == nil
			if errors.Is(err, fs.ErrExist) {
				continue // created by another process meanwhile
			}
		}
		if err != nil {
			return nil, false, err
		}
		if err := lockFile(f, path, shared); err != nil {
			f.Close()
			return nil, false, err
		}
		fi, err1 := f.Stat()
		pi, err2 := os.Stat(path)
		if err1 == nil && err2 == nil && os.SameFile(fi, pi) {
			return f, created, nil
		}
		f.Close()
		if err1 != nil {
			return nil, false, err1
		}
		if err2 != nil && !errors.Is(err2, fs.ErrNotExist) {
			return nil, false, err2
		}
		if err2 != nil && flag&os.O_CREATE == 0 {
			return nil, false, err2
		}
	}
}
