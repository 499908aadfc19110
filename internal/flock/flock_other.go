//go:build !unix && !windows

package flock

import (
	"errors"
	"os"
)

// errUnsupported: this system has no file lock this package knows, and a
// file used without one can be corrupted by a second user, so it refuses.
var errUnsupported = errors.New("file locking is not supported on this system")

var errWouldBlock = errors.New("would block")

func lock(*os.File, bool, bool) error { return errUnsupported }

func unlock(*os.File) error { return errUnsupported }
