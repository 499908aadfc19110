package store

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// File-backed stores are mapped MAP_SHARED where the system allows it
// (unix), the way QEMU maps "-object
// memory-backend-file,mem-path=FILE,size=SIZE,share=on": every store the
// device makes goes straight into the page cache, is visible at once to
// anything else reading the file, and reaches the disk when the kernel
// writes it back or Sync is called. That is exactly QEMU's visibility and
// durability. Elsewhere (Windows) the file is read once when opened and
// every change is written through with WriteAt before the operation
// returns; the file's bytes are the same.
//
// No operation that fails its checks touches the file, so a failed
// operation leaves it byte-for-byte unchanged. Create checks everything
// before it creates, extends, maps or formats the file.
//
// Torn writes. A record is overwritten in place, as QEMU overwrites it:
// the slot's bytes, then record_count, then the map entry, with nothing
// in between that would let a reader tell an old record from a half
// written new one. If the process dies in the middle (QEMU killed, the
// host losing power before writeback), the slot can hold a prefix of the
// new record over the rest of the old one, under the old id. Check (erst
// fsck) sees what breaks the format: a record_length that no longer fits
// the slot, a header whose id differs from the map's, a CPER record that
// no longer parses, a count that differs from the map. It cannot see a
// tear that leaves a well-formed record: new bytes up to a section
// boundary over old ones of the same length, which CPER has no checksum
// to catch. WriteOptions.Tear models these cuts.
//
// Create reserves the file's blocks (fallocate) so that a disk that cannot
// hold the store is an error at creation, not a fault when a record is
// written; a fault on the mapping all the same (a file truncated behind
// the Store's back, a file system without fallocate that runs full) is
// reported as ErrIO by the operation that met it.

// Create opens the backing file at path as QEMU does when started with a
// memory-backend-file of size bytes and an acpi-erst device with
// record_size=recordSize, and returns the [Store], holding the file's lock
// (see [Lock]) until Close:
//
//   - A missing or empty file is created or extended to size bytes of
//     zeros; an existing file shorter than size is an error ([ErrSize]), as
//     in QEMU's qemu_ram_alloc_from_fd; of a longer file only the first
//     size bytes are used.
//   - If the header's magic is 0 (a new, empty or zero-filled file, such
//     as truncate(1) makes) the file is formatted as QEMU formats it: the
//     header is written as make_erst_storage_header writes it, for
//     recordSize. Only a geometry [CheckGeometry] accepts is formatted, so
//     that every store Create makes can hold a record. A formatted file
//     keeps its own record_size and recordSize is ignored. Any other
//     magic is [ErrNotStore].
//   - Then check_erst_backend_storage's checks: record size, header,
//     size. size must be below 4 GiB, where QEMU's uint32 storage_size
//     would silently wrap.
//
// On any error the file is left as it was (a file that did not exist
// still does not). Open, by contrast, never formats.
func Create(path string, size int64, recordSize uint32) (*Store, error) {
	if size <= 0 || size > MaxSize {
		return nil, fmt.Errorf("%s: %w: %d bytes (must be 1..%d)", path, ErrSize, size, int64(MaxSize))
	}
	if err := checkPath(path, true); err != nil {
		return nil, err
	}
	f, created, err := lockedOpen(path, os.O_RDWR|os.O_CREATE, false)
	if err != nil {
		return nil, err
	}
	s, err := create(f, path, size, recordSize)
	if err != nil {
		// A file made here and still empty goes again, while the lock
		// is held: a process waiting for it sees it gone and retries.
		if fi, serr := f.Stat(); created && serr == nil && fi.Size() == 0 {
			os.Remove(path)
		}
		f.Close()
		return nil, err
	}
	return s, nil
}

// create is Create on the locked file f.
func create(f *os.File, path string, size int64, recordSize uint32) (*Store, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w: %s", path, ErrNotStore, describeMode(fi.Mode()))
	}
	fileSize := fi.Size()
	if fileSize > 0 && fileSize < size {
		return nil, fmt.Errorf("%s: %w: backing store size %#x does not match 'size' option %#x", path, ErrSize, fileSize, size)
	}
	hb := make([]byte, HeaderSize)
	if fileSize > 0 {
		if _, err := f.ReadAt(hb, 0); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	h, _ := DecodeHeader(hb)
	if h.Magic != 0 && h.Magic != Magic {
		return nil, badMagic(path, h.Magic)
	}
	if h.Magic == 0 {
		if err := CheckGeometry(uint64(size), uint64(recordSize)); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	nh, formatted, err := realize(h, uint64(size), recordSize, true)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	undo := func() {
		if fileSize < size {
			f.Truncate(fileSize)
		}
	}
	if fileSize < size {
		if err := f.Truncate(size); err != nil {
			undo()
			return nil, err
		}
		if err := reserve(f, fileSize, size); err != nil {
			undo()
			return nil, fmt.Errorf("%s: %w: cannot reserve %d bytes: %w", path, ErrIO, size, err)
		}
	}
	s, err := attachFile(f, size, nh)
	if err != nil {
		undo()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if formatted {
		if err := s.format(nh); err != nil {
			s.Close()
			undo()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	return s, nil
}

// Open opens an existing, formatted backing file, holding its lock (see
// [Lock]) until Close; the storage size is the file's size. It never
// creates a file. It checks the header as QEMU's realize does and fails
// with [ErrNotStore] for what is not a store (a directory, a FIFO, an empty
// file, bad magic) and [ErrUnformatted] if the magic is 0 (QEMU would format
// it; [Create] does that).
func Open(path string) (*Store, error) { return openExisting(path, false) }

// openExisting is Open, or OpenReadOnly with readOnly: the file opened
// read-write under an exclusive lock, or read-only under a shared one,
// checked, and mapped.
func openExisting(path string, readOnly bool) (*Store, error) {
	if err := checkPath(path, false); err != nil {
		return nil, err
	}
	mode, attachTo := os.O_RDWR, attachFile
	if readOnly {
		mode, attachTo = os.O_RDONLY, attachReadOnly
	}
	f, _, err := lockedOpen(path, mode, readOnly)
	if err != nil {
		return nil, err
	}
	size, h, err := readHeader(f, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	s, err := attachTo(f, size, h)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	s.readOnly = readOnly
	return s, nil
}

// readHeader checks that f is a regular file holding a formatted store,
// as Open needs it, and returns its size and header.
func readHeader(f *os.File, path string) (int64, Header, error) {
	fi, err := f.Stat()
	if err != nil {
		return 0, Header{}, err
	}
	if !fi.Mode().IsRegular() {
		return 0, Header{}, fmt.Errorf("%s: %w: %s", path, ErrNotStore, describeMode(fi.Mode()))
	}
	size := fi.Size()
	switch {
	case size == 0:
		return 0, Header{}, fmt.Errorf("%s: %w: empty file", path, ErrNotStore)
	case size < HeaderSize:
		return 0, Header{}, fmt.Errorf("%s: %w: %d bytes, too short for the %d-byte header", path, ErrNotStore, size, HeaderSize)
	}
	hb := make([]byte, HeaderSize)
	if _, err := io.ReadFull(io.NewSectionReader(f, 0, HeaderSize), hb); err != nil {
		return 0, Header{}, fmt.Errorf("%s: %w", path, err)
	}
	h, _ := DecodeHeader(hb)
	switch {
	case h.Magic == 0:
		return 0, Header{}, fmt.Errorf("%s: %w (magic 0: Create formats it, as QEMU does)", path, ErrUnformatted)
	case h.Magic != Magic:
		return 0, Header{}, badMagic(path, h.Magic)
	case size > MaxSize:
		return 0, Header{}, fmt.Errorf("%s: %w: %d bytes (QEMU keeps storage_size in a uint32)", path, ErrSize, size)
	}
	if _, _, err := realize(h, uint64(size), 0, false); err != nil {
		return 0, Header{}, fmt.Errorf("%s: %w", path, err)
	}
	return size, h, nil
}

func badMagic(path string, m uint64) error {
	return fmt.Errorf("%s: %w: bad magic %#016x (want %#016x, \"ERSTSTOR\")", path, ErrNotStore, m, Magic)
}

// checkPath refuses, with one line saying what it is, a path that is not
// a regular file (or, with mayCreate, missing): a directory, a FIFO, a
// device, a dangling symbolic link. Opening a FIFO could block.
func checkPath(path string, mayCreate bool) error {
	fi, err := os.Stat(path)
	if err == nil {
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("%s: %w: %s", path, ErrNotStore, describeMode(fi.Mode()))
		}
		return nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if li, lerr := os.Lstat(path); lerr == nil && li.Mode()&fs.ModeSymlink != 0 {
		target, _ := os.Readlink(path)
		return fmt.Errorf("%s: %w: a symbolic link to %s, which does not exist", path, ErrNotStore, target)
	}
	if mayCreate {
		return nil
	}
	return fmt.Errorf("%s: %w", path, err) // wraps fs.ErrNotExist
}

// describeMode names a file type that is not a regular file.
func describeMode(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	}
	return "not a regular file (" + m.String() + ")"
}
