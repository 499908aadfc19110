package main

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/goerst/erst/erst/store"
)

// How a command opens the -store file. Only create and write make a
// store: every other command needs an existing, formatted one.
type storeAccess int

const (
	// readStore: the file opened read-only under a shared lock (info,
	// ls, dump, read, verify), so that a store the user may not write
	// can be inspected, beside other readers.
	readStore storeAccess = iota
	// writeStore: an existing store, opened for writing under the
	// exclusive lock (clear, torture, bench, serve, conform).
	writeStore
	// createStore: as writeStore, but a missing, empty or zero-filled
	// file is made a store in QEMU's format, as QEMU makes it (create,
	// write).
	createStore
)

// openStore opens the -store file for access. Every error is one line
// naming the file; a file that cannot be used as a store (missing,
// unreadable, not a store, a bad geometry) is a usage error (exit 2), a
// store in use past the lock wait or failing I/O exit 1.
func (e *env) openStore(access storeAccess) (*store.Store, error) {
	path := e.g.store
	var (
		st  *store.Store
		err error
	)
	switch access {
	case readStore:
		st, err = store.OpenReadOnly(path)
	case writeStore:
		st, err = store.Open(path)
	default:
		st, err = e.makeStore(path)
	}
	if err != nil {
		return nil, storeError(path, err)
	}
	return st, nil
}

// makeStore is Open for a formatted file; a missing or empty file is
// created with -store-size and -record-size, and a zero-filled one
// (magic 0) formatted at its own size, as QEMU formats it.
func (e *env) makeStore(path string) (*store.Store, error) {
	state, size := store.Probe(path)
	switch state {
	case store.FileMissing, store.FileEmpty:
		if err := e.g.checkStoreFlags(); err != nil {
			return nil, err
		}
		return store.Create(path, int64(e.g.storeSize), uint32(e.g.recordSize))
	case store.FileOther:
		return store.Open(path) // which says what it is
	}
	// A zero-filled file is the store, whole: not resized to fit a
	// -store-size given for a new one.
	if e.g.storeSizeSet && int64(e.g.storeSize) != size {
		return nil, &exitError{code: exitFailure, err: fmt.Errorf("store %s is an unformatted %d-byte file, not -store-size %d: it is formatted at its own size (truncate it, or leave out -store-size)", path, size, uint64(e.g.storeSize))}
	}
	if e.g.sizeErr != nil {
		return nil, e.g.sizeErr
	}
	if err := store.CheckGeometry(uint64(size), uint64(e.g.recordSize)); err != nil {
		return nil, usagef("store %s: an unformatted %d-byte file with -record-size %d: %w", path, size, uint64(e.g.recordSize), err)
	}
	return store.Create(path, size, uint32(e.g.recordSize))
}

// storeError turns an error opening the store at path into the command's
// one-line error with its exit code: 2 for a file that cannot be used as
// a store, 1 for a store that is busy or failing.
func storeError(path string, err error) error {
	var ee *exitError
	var pe *fs.PathError
	switch {
	case errors.As(err, &ee):
		return err
	case errors.Is(err, store.ErrLocked), errors.Is(err, store.ErrIO):
		return err // the message starts with the path
	case errors.Is(err, fs.ErrNotExist):
		if dir := filepath.Dir(path); !exists(dir) {
			return usagef("store %s: directory %s does not exist (check the -store path)", path, dir)
		}
		return usagef("store %s does not exist (only create and write make a store; check the -store path)", path)
	case errors.Is(err, store.ErrUnformatted):
		return usagef("store %s is not formatted (magic 0, as in a new zero-filled file): erst create or erst write formats it, as QEMU would", path)
	case errors.Is(err, store.ErrNotStore), errors.Is(err, store.ErrSize), errors.Is(err, store.ErrStorageSize),
		errors.Is(err, store.ErrRecordSize), errors.Is(err, store.ErrHeader):
		if !strings.HasPrefix(err.Error(), path) {
			err = fmt.Errorf("store %s: %w", path, err)
		}
		return usageErr(err)
	case errors.As(err, &pe):
		// Opening it failed: permission denied, a read-only file
		// system, a path through a file.
		return usagef("store %s: %w", path, pe.Err)
	}
	return fmt.Errorf("store %s: %w", path, err)
}

// checkGeometry is for create: the existing store at path must have the
// geometry of the -store-size and -record-size flags given (an existing
// store keeps its own; it is not remade). The error (exit 1) says what
// differs.
func (g *globalFlags) checkGeometry(st *store.Store) error {
	var diffs []string
	if g.storeSizeSet && uint64(st.Size()) != uint64(g.storeSize) {
		diffs = append(diffs, fmt.Sprintf("%d bytes, not -store-size %d", st.Size(), uint64(g.storeSize)))
	}
	if g.recordSizeSet && uint64(st.RecordSize()) != uint64(g.recordSize) {
		diffs = append(diffs, fmt.Sprintf("record size %d, not -record-size %d", st.RecordSize(), uint64(g.recordSize)))
	}
	if len(diffs) == 0 {
		return nil
	}
	return fmt.Errorf("store %s exists with %s: an existing store keeps its geometry (remove it to make a new one)", g.store, strings.Join(diffs, " and "))
}
