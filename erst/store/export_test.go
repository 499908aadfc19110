package store

import "time"

// SetLockWait shortens the lock wait for a test and returns what restores it.
func SetLockWait(d time.Duration) func() {
	old := lockWait
	lockWait = d
	return func() { lockWait = old }
}

// UseFileIO makes Open and Create use ordinary file I/O instead of a
// mapping, as on Windows, and returns what restores the default.
func UseFileIO() func() {
	old := attachFile
	attachFile = attachIO
	return func() { attachFile = old }
}
