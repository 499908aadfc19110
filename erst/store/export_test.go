package store

import "time"

// SetLockWait shortens the lock wait for a test and returns what restores it.
func SetLockWait(d time.Duration) func() {
	old := lockWait
	lockWait = d
	return func() { lockWait = old }
}
