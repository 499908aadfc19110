package store

import (
	"fmt"
	"io"
	"os"
)

// attachIO reads the first size bytes of f into memory, where the Store
// works on them, and writes every change through to f (WriteAt) before
// the operation returns: the store through ordinary file I/O, where no
// shared mapping is available (Windows). Another process sees a change
// once it is written rather than at once; the file's bytes are the same
// as with a mapping. The Store keeps f, and so its lock, until Close.
func attachIO(f *os.File, size int64, h Header) (*Store, error) {
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

// attachFile is how Open and Create attach a Store to its file: attach,
// which maps it where the system allows; tests switch to attachIO.
var attachFile = attach
