//go:build !unix

package store

import "os"

// attach: no shared mapping on this system; the store goes through
// ordinary file I/O (attachIO).
func attach(f *os.File, size int64, h Header) (*Store, error) { return attachIO(f, size, h) }
