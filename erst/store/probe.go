package store

import (
	"errors"
	"io"
	"io/fs"
	"os"
)

// FileState is what a path holds, as [Create] treats it.
type FileState int

const (
	// FileOther: anything but the three below: a formatted store, or
	// what Open refuses (and its error describes).
	FileOther FileState = iota
	// FileMissing: nothing is at the path; Create makes the file.
	FileMissing
	// FileEmpty: an empty regular file; Create extends it.
	FileEmpty
	// FileUnformatted: a regular file whose first bytes (the header's
	// magic) are zero, such as truncate(1) makes; Create formats it, as
	// QEMU does.
	FileUnformatted
)

// Probe says what path holds and, for a regular file, its size. It reads
// at most the first 8 bytes, takes no lock, and changes nothing; a file
// it cannot read is [FileOther], for [Open] to report.
func Probe(path string) (FileState, int64) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return FileMissing, 0
	case err != nil || !fi.Mode().IsRegular():
		return FileOther, 0
	case fi.Size() == 0:
		return FileEmpty, 0
	}
	f, err := os.Open(path)
	if err != nil {
		return FileOther, fi.Size()
	}
	defer f.Close()
	var b [8]byte
	n, err := io.ReadFull(f, b[:])
	if (err != nil && !errors.Is(err, io.ErrUnexpectedEOF)) || n == 0 || b != [8]byte{} {
		return FileOther, fi.Size()
	}
	return FileUnformatted, fi.Size()
}
