//go:build !unix

package store

import "errors"

var errNoMmap = errors.New("file-backed ERST stores need mmap (unix only); use New over an Image")

// Create is available on unix only; see file_unix.go.
func Create(path string, size int64, recordSize uint32) (*Store, error) { return nil, errNoMmap }

// Open is available on unix only; see file_unix.go.
func Open(path string) (*Store, error) { return nil, errNoMmap }
