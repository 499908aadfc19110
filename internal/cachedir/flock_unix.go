//go:build unix

package cachedir

import (
	"errors"
	"os"
	"syscall"
)

// tryLock takes an exclusive flock on f if no one holds one.
func tryLock(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}

// lock waits for an exclusive flock on f, through interrupted calls.
func lock(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}

// exclusive says whether Lock excludes other holders here.
const exclusive = true
