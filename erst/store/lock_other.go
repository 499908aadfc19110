//go:build !unix && !windows

package store

import (
	"errors"
	"os"
)

// tryLock: this system has no file lock this package knows, and a store
// used without one can be corrupted by a second user, so it refuses.
func tryLock(*os.File, bool) (bool, error) {
	return false, errors.New("file locking is not supported on this system")
}
