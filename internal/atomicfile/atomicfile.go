// Package atomicfile writes a whole file or none of it.
package atomicfile

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Write writes b to the file path through a temporary file in the same
// directory and a rename, so that a failed write never leaves half a
// file. Like a shell's redirection it writes through a symbolic link (to
// the file it names, which may not exist yet) and keeps an existing
// file's mode; a new file is 0644 less the umask. A device or FIFO is
// written in place. Errors begin with path, never name the temporary
// file.
func Write(path string, b []byte) error {
	fail := func(err error) error {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		var le *os.LinkError
		if errors.As(err, &le) {
			err = le.Err
		}
		if errors.Is(err, fs.ErrNotExist) {
			if dir := filepath.Dir(path); !exists(dir) {
				return fmt.Errorf("%s: directory %s does not exist", path, dir)
			}
		}
		return fmt.Errorf("%s: %w", path, err)
	}
	target, err := linkTarget(path)
	if err != nil {
		return fail(err)
	}
	perm, keep := fs.FileMode(0o644), false
	if fi, err := os.Stat(target); err == nil {
		switch {
		case fi.IsDir():
			return fmt.Errorf("%s: is a directory", path)
		case !fi.Mode().IsRegular():
			// A device or FIFO (/dev/stdout, a pipe): written in
			// place, never replaced.
			return writeInPlace(target, b, fail)
		}
		perm, keep = fi.Mode().Perm(), true
	}
	var rnd [6]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return fail(err)
	}
	tmp := filepath.Join(filepath.Dir(target), "."+filepath.Base(target)+".tmp-"+hex.EncodeToString(rnd[:]))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm) // the umask applies
	if err != nil {
		return fail(err)
	}
	defer os.Remove(tmp) // after a successful rename, nothing is left to remove
	if keep {
		if err := f.Chmod(perm); err != nil { // not narrowed by the umask
			f.Close()
			return fail(err)
		}
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fail(err)
	}
	if err := f.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp, target); err != nil {
		return fail(err)
	}
	return nil
}

// writeInPlace writes b to target, a file that is not a regular file.
func writeInPlace(target string, b []byte, fail func(error) error) error {
	f, err := os.OpenFile(target, os.O_WRONLY, 0)
	if err != nil {
		return fail(err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fail(err)
	}
	if err := f.Close(); err != nil {
		return fail(err)
	}
	return nil
}

// linkTarget follows path's symbolic links to the file they name (which
// need not exist); path itself when it is no link.
func linkTarget(path string) (string, error) {
	for range 40 { // Linux's MAXSYMLINKS
		fi, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) {
			return path, nil
		}
		if err != nil {
			return "", err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			return path, nil
		}
		dest, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(dest) {
			dest = filepath.Join(filepath.Dir(path), dest)
		}
		path = dest
	}
	return "", errors.New("too many levels of symbolic links")
}

// exists reports whether anything is at path.
func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
