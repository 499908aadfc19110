package target

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/goerst/erst/erst/store"
)

// geometry is the size and record size of a store Create makes.
func (o Options) geometry() (size, recordSize uint64) {
	size, recordSize = o.StoreSize, o.RecordSize
	if size == 0 && !o.StoreSizeSet {
		size = store.DefaultSize
	}
	if recordSize == 0 && !o.RecordSizeSet {
		recordSize = store.DefaultRecordSize
	}
	return size, recordSize
}

// CheckGeometry checks the geometry of a store [Create] would make
// against [store.CheckGeometry], the rule [store.Create] follows: QEMU's,
// and room for at least one record. The error is [ErrInput].
func (o Options) CheckGeometry() error {
	size, rs := o.geometry()
	if err := store.CheckGeometry(size, rs); err != nil {
		return inputWith(err, "-store-size %d -record-size %d: %v", size, rs, err)
	}
	return nil
}

// CheckStore is for a tool that creates a store: st, the store at
// o.Store, must have the sizes asked for (an existing store keeps its
// own; it is not remade; [ErrGeometry] says what differs), and the
// geometry [store.CheckGeometry] asks of a new store, which an old one
// (made by QEMU, or by a tool that allowed it) may lack.
func (o Options) CheckStore(st *store.Store) error {
	size, rs := o.geometry()
	var diffs []string
	if o.StoreSizeSet && uint64(st.Size()) != size {
		diffs = append(diffs, fmt.Sprintf("%d bytes, not -store-size %d", st.Size(), size))
	}
	if o.RecordSizeSet && uint64(st.RecordSize()) != rs {
		diffs = append(diffs, fmt.Sprintf("record size %d, not -record-size %d", st.RecordSize(), rs))
	}
	if len(diffs) > 0 {
		return &marked{fmt.Sprintf("store %s exists with %s: an existing store keeps its geometry (remove it to make a new one)", o.Store, strings.Join(diffs, " and ")), []error{ErrGeometry}}
	}
	if err := store.CheckGeometry(uint64(st.Size()), uint64(st.RecordSize())); err != nil {
		return fmt.Errorf("store %s: %w", o.Store, err)
	}
	return nil
}

// openStore opens o.Store for m. Every error is one line naming the file
// (see [StoreError]).
func openStore(o Options, m Mode) (*store.Store, error) {
	var (
		st  *store.Store
		err error
	)
	switch m {
	case ReadOnly:
		st, err = store.OpenReadOnly(o.Store)
	case ReadWrite:
		st, err = store.Open(o.Store)
	default:
		return createStore(o)
	}
	if err != nil {
		return nil, StoreError(o.Store, err)
	}
	return st, nil
}

// createStore is store.Open for a formatted file; a missing or empty
// file is created with o's geometry, and a zero-filled one (magic 0)
// formatted at its own size, as QEMU formats it.
func createStore(o Options) (*store.Store, error) {
	path := o.Store
	size, rs := o.geometry()
	state, fileSize := store.Probe(path)
	switch state {
	case store.FileMissing, store.FileEmpty:
		if err := o.CheckGeometry(); err != nil {
			return nil, err
		}
	case store.FileUnformatted:
		// A zero-filled file is the store, whole: not resized to fit
		// a size asked for a new one.
		if o.StoreSizeSet && size != uint64(fileSize) {
			return nil, &marked{fmt.Sprintf("store %s is an unformatted %d-byte file, not -store-size %d: it is formatted at its own size (truncate it, or leave out -store-size)", path, fileSize, size), []error{ErrGeometry}}
		}
		if err := store.CheckGeometry(uint64(fileSize), rs); err != nil {
			return nil, inputWith(err, "store %s: an unformatted %d-byte file with -record-size %d: %v", path, fileSize, rs, err)
		}
		size = uint64(fileSize)
	default:
		st, err := store.Open(path) // which says what it is
		if err != nil {
			return nil, StoreError(path, err)
		}
		return st, nil
	}
	st, err := store.Create(path, int64(size), uint32(rs))
	if err != nil {
		return nil, StoreError(path, err)
	}
	return st, nil
}

// StoreError turns err, from opening or checking the store file at path
// ([store.Open], [store.OpenReadOnly], [store.Create], [store.Check]),
// into a one-line error naming the file. A file that cannot be used as a
// store (missing, unreadable, not a store, unformatted, a bad geometry) is
// [ErrInput]; a missing one also [ErrNoStore]. A store in use past the
// lock wait ([store.ErrLocked]) or failing I/O ([store.ErrIO]) is returned
// as it is: its message starts with the path.
func StoreError(path string, err error) error {
	var pe *fs.PathError
	switch {
	case errors.Is(err, store.ErrLocked), errors.Is(err, store.ErrIO):
		return err
	case errors.Is(err, fs.ErrNotExist):
		if dir := filepath.Dir(path); !exists(dir) {
			return inputWith(err, "store %s: directory %s does not exist (check the -store path)", path, dir)
		}
		return &marked{fmt.Sprintf("store %s does not exist", path), []error{ErrInput, ErrNoStore, err}}
	case errors.Is(err, store.ErrUnformatted):
		return inputWith(err, "store %s is not formatted (magic 0, as in a new zero-filled file)", path)
	case errors.Is(err, store.ErrNotStore), errors.Is(err, store.ErrSize), errors.Is(err, store.ErrStorageSize),
		errors.Is(err, store.ErrRecordSize), errors.Is(err, store.ErrHeader):
		if !strings.HasPrefix(err.Error(), path) {
			err = fmt.Errorf("store %s: %w", path, err)
		}
		return input(err)
	case errors.As(err, &pe):
		// Opening it failed: permission denied, a read-only file
		// system, a path through a file.
		return inputWith(err, "store %s: %v", path, pe.Err)
	}
	return fmt.Errorf("store %s: %w", path, err)
}

// exists reports whether something is at path.
func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
