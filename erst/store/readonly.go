package store

import (
	"errors"
)

// ErrReadOnly: the [Store] was opened with [OpenReadOnly]; it refuses every
// change (write, clear, commit) and the file stays as it is.
var ErrReadOnly = errors.New("ERST store is open read-only")

// OpenReadOnly opens an existing, formatted backing file for reading, as
// [Open] does but with the file opened read-only and a shared lock (see
// [Lock]): a file the caller may not write (mode 0444, another user's, on a
// read-only mount) can be inspected, several readers and [Check] may hold
// it at once, and no [Store] opened with Open or [Create] changes it
// meanwhile. It checks the file as Open does and never creates or formats
// one. Every operation that would change the store fails with
// [ErrReadOnly]; reads, Check and Snapshot work as on any Store.
func OpenReadOnly(path string) (*Store, error) { return openExisting(path, true) }

// ReadOnly reports whether the [Store] was opened with [OpenReadOnly].
func (s *Store) ReadOnly() bool { return s.readOnly }
