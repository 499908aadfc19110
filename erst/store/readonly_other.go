//go:build !unix

package store

import "os"

// attachReadOnly reads the store into memory; nothing is written back.
func attachReadOnly(f *os.File, size int64, h Header) (*Store, error) {
	s, err := attachIO(f, size, h)
	if err != nil {
		return nil, err
	}
	s.flush = nil
	s.syncer = nil
	return s, nil
}
