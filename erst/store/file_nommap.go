//go:build !unix

package store

import (
	"fmt"
	"io"
	"os"
)

// attach reads the first size bytes of f into memory, where the Store
// works on them, and writes every change through to f (WriteAt) before
// the operation returns: no shared mapping here, so another process sees
// the changes once they are written rather than at once. The Store keeps
// f, and so its lock, until Close.
func attach(f *os.File, size int64, h Header) (*Store, error) {
	b := make([]byte, size)
	if _, err := io.ReadFull(io.NewSectionReader(f, 0, size), b); err != nil {
		return nil, fmt.Errorf("%w: reading the store: %w", ErrIO, err)
	}
	s := newStore(Image(b), h)
	s.flush = func(off, n int) error {
		_, err := f.WriteAt(b[off:off+n], int64(off))
		return err
	}
	s.syncer = f.Sync
	s.closer = f.Close
	return s, nil
}
