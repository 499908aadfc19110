// Package flock is the module's one file lock: shared or exclusive,
// whole-file, advisory (flock(2) on unix, LockFileEx on Windows), taken
// blocking (Lock) or with a bounded wait that names the holder when it
// gives up (Wait).
//
// The locks belong to the open file, not the process: two opens of one
// file in one process exclude each other as two processes do. On unix
// they are independent of the fcntl(2) locks QEMU's block layer takes on
// disk images. A system with no lock this package knows refuses to lock
// rather than run unlocked.
package flock

import (
	"errors"
	"fmt"
	"os"
	"time"
)

// ErrLocked: another holder kept the lock for the whole of a Wait.
var ErrLocked = errors.New("file is locked by another holder")

// HeldError is Wait's error when the lock stayed held: it is ErrLocked.
type HeldError struct {
	Holder string        // "pid 4242 (erst -store s.img write r.bin)", or "another process"
	Wait   time.Duration // how long Wait waited
}

func (e *HeldError) Error() string {
	return fmt.Sprintf("held by %s for over %v", e.Holder, e.Wait)
}

// Is makes errors.Is(err, ErrLocked) hold.
func (e *HeldError) Is(target error) bool { return target == ErrLocked }

// Lock takes the lock on f, shared or exclusive, waiting as long as
// another holder keeps a conflicting one.
func Lock(f *os.File, shared bool) error {
	if err := lock(f, shared, true); err != nil {
		return fmt.Errorf("lock %s: %w", f.Name(), err)
	}
	return nil
}

// TryLock takes the lock on f without waiting and reports whether it got
// it.
func TryLock(f *os.File, shared bool) (bool, error) {
	err := lock(f, shared, false)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, errWouldBlock):
		return false, nil
	}
	return false, fmt.Errorf("lock %s: %w", f.Name(), err)
}

// Wait takes the lock on f, waiting up to wait for a conflicting holder
// to release it; then it fails with a *HeldError (ErrLocked) naming the
// holder when the system can tell (on Linux, its pid and command line,
// from /proc/locks). The wait polls with a growing interval, up to 10ms:
// a blocking lock could not be given up at the deadline.
func Wait(f *os.File, shared bool, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	pause := 100 * time.Microsecond
	for {
		ok, err := TryLock(f, shared)
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			who := Holder(f)
			if who == "" {
				who = "another process"
			}
			return &HeldError{Holder: who, Wait: wait}
		}
		time.Sleep(pause)
		pause = min(2*pause, 10*time.Millisecond)
	}
}

// Unlock releases the lock on f. Closing f releases it too.
func Unlock(f *os.File) error {
	if err := unlock(f); err != nil {
		return fmt.Errorf("unlock %s: %w", f.Name(), err)
	}
	return nil
}
