//go:build unix

package store

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"golang.org/x/sys/unix"
)

// File-backed stores are mapped MAP_SHARED, the way QEMU maps
// "-object memory-backend-file,mem-path=FILE,size=SIZE,share=on": every
// store the device makes goes straight into the page cache, is visible at
// once to anything else reading the file (a host tool, a test reading the
// bytes, QEMU itself on the same file), and reaches the disk when the
// kernel writes it back or Sync is called. That is exactly QEMU's
// visibility and durability. Read-modify-write of the file (pread, change,
// pwrite) was the alternative: it would need a system call per operation
// and a private copy that can drift from the file, and its one advantage,
// a chance at ordering the writes for crash safety, is not something QEMU
// offers either. Torn writes are modelled explicitly instead (Tear).
//
// No operation that fails touches the mapping, so a failed operation
// leaves the file byte-for-byte unchanged. Create checks everything
// before it creates, extends, maps or formats the file.
//
// QEMU takes no lock on the file; neither does this package. Two writers
// on one file corrupt each other, as two QEMUs would.

// Create opens the backing file at path as QEMU does when started with a
// memory-backend-file of size bytes and an acpi-erst device with
// record_size=recordSize, and returns the Store:
//
//   - A missing or empty file is created or extended to size bytes of
//     zeros; an existing file shorter than size is an error (ErrSize), as
//     in QEMU's qemu_ram_alloc_from_fd; of a longer file only the first
//     size bytes are used.
//   - If the header's magic is 0 the header is written as
//     make_erst_storage_header writes it, for recordSize; a formatted file
//     keeps its own record_size and recordSize is ignored.
//   - Then check_erst_backend_storage's checks: record size, header,
//     size. size must be below 4 GiB, where QEMU's uint32 storage_size
//     would silently wrap.
//
// On any error the file is left as it was (a file that did not exist
// still does not).
func Create(path string, size int64, recordSize uint32) (*Store, error) {
	if size <= 0 || size > MaxSize {
		return nil, fmt.Errorf("%s: %w: %d bytes (must be 1..%d)", path, ErrSize, size, int64(MaxSize))
	}
	exists := true
	var fileSize int64
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		exists = false
	case err != nil:
		return nil, err
	case !fi.Mode().IsRegular():
		return nil, fmt.Errorf("%s: not a regular file", path)
	default:
		fileSize = fi.Size()
	}
	if fileSize > 0 && fileSize < size {
		return nil, fmt.Errorf("%s: %w: backing store size %#x does not match 'size' option %#x", path, ErrSize, fileSize, size)
	}
	hb := make([]byte, HeaderSize)
	if fileSize > 0 {
		if err := readAt(path, hb); err != nil {
			return nil, err
		}
	}
	h, _ := DecodeHeader(hb)
	nh, formatted, err := realize(h, uint64(size), recordSize, true)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}

	flag := os.O_RDWR
	if !exists {
		flag |= os.O_CREATE | os.O_EXCL
	}
	f, err := os.OpenFile(path, flag, 0o644)
	if err != nil {
		return nil, err
	}
	undo := func() {
		if !exists {
			os.Remove(path)
		} else if fileSize < size {
			f.Truncate(fileSize)
		}
	}
	if fileSize < size {
		if err := f.Truncate(size); err != nil {
			undo()
			f.Close()
			return nil, err
		}
	}
	s, err := mapFile(f, size, nh)
	if err != nil {
		undo()
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	f.Close() // the mapping keeps the file
	if formatted {
		nh.putFormatted(s.img)
	}
	return s, nil
}

// Open opens an existing, formatted backing file; the storage size is
// the file's size. It checks the header as QEMU's realize does and fails
// with ErrUnformatted if the magic is 0 (QEMU would format it; Create
// does that).
func Open(path string) (*Store, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := fi.Size()
	if size <= 0 || size > MaxSize {
		return nil, fmt.Errorf("%s: %w: %d bytes", path, ErrSize, size)
	}
	hb := make([]byte, HeaderSize)
	if _, err := io.ReadFull(f, hb); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	h, _ := DecodeHeader(hb)
	if _, _, err := realize(h, uint64(size), 0, false); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	s, err := mapFile(f, size, h)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

func readAt(path string, b []byte) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := io.ReadFull(f, b); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// mapFile maps the first size bytes of f shared and read-write. h is the
// header the store will have (after formatting, if any).
func mapFile(f *os.File, size int64, h Header) (*Store, error) {
	b, err := unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("mmap: %w", err)
	}
	s := newStore(Image(b), h)
	s.closer = func() error { return unix.Munmap(b) }
	s.syncer = func() error { return unix.Msync(b, unix.MS_SYNC) }
	return s, nil
}
