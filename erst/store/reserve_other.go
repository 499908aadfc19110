//go:build !linux

package store

import "os"

// reserve leaves the file as Truncate made it: this system has no
// fallocate, so a disk that runs full shows as ErrIO on a later write.
func reserve(*os.File, int64, int64) error { return nil }
