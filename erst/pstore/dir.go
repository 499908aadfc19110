package pstore

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/goerst/erst/internal/atomicfile"
)

// Errors of [CheckDir] and [WriteDir], wrapped in one naming the directory.
var (
	// ErrNotDir: the export directory is a file.
	ErrNotDir = errors.New("not a directory")
	// ErrNotEmpty: the export directory holds files and force is false.
	ErrNotEmpty = errors.New("the directory is not empty")
)

// CheckDir reports why WriteDir(dir, files, force) cannot start, or nil
// when dir is missing (and the directory it would go in exists) or is a
// directory, empty unless force. It writes nothing.
func CheckDir(dir string, force bool) error {
	_, err := checkDir(dir, force)
	return err
}

// checkDir is CheckDir, also reporting whether dir is fresh: missing, or
// an empty directory (not a symbolic link to one), so that the export can
// appear there whole, by one rename.
func checkDir(dir string, force bool) (fresh bool, err error) {
	lst, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		parent := filepath.Dir(filepath.Clean(dir))
		if st, err := os.Stat(parent); err != nil || !st.IsDir() {
			return false, fmt.Errorf("%s: the directory it would go in, %s, does not exist", dir, parent)
		}
		return true, nil
	}
	link := err == nil && lst.Mode()&fs.ModeSymlink != 0
	st, err := os.Stat(dir)
	if err != nil {
		return false, fmt.Errorf("%s: %w", dir, err)
	}
	if !st.IsDir() {
		return false, fmt.Errorf("%s: %w", dir, ErrNotDir)
	}
	f, err := os.Open(dir)
	if err != nil {
		return false, fmt.Errorf("%s: %w", dir, err)
	}
	defer f.Close()
	names, err := f.Readdirnames(1)
	if err != nil && err != io.EOF {
		return false, fmt.Errorf("%s: %w", dir, err)
	}
	if len(names) > 0 && !force {
		return false, fmt.Errorf("%s: %w (it holds %s)", dir, ErrNotEmpty, names[0])
	}
	return len(names) == 0 && !link, nil
}

// WriteDir writes the files of an export (Export.Files) into dir, after
// [CheckDir]'s checks. A missing or empty dir is filled as a temporary
// directory beside it (mode 0700: the files are their owner's alone) and
// renamed into place, so that a failed export leaves nothing; with force
// into a directory holding files, each file is replaced by a rename
// (whole or not at all), in order, index.json last as [Build] orders them.
// Files of other names are left.
func WriteDir(dir string, files []File, force bool) error {
	fresh, err := checkDir(dir, force)
	if err != nil {
		return err
	}
	target := dir
	if fresh {
		tmp, err := os.MkdirTemp(filepath.Dir(filepath.Clean(dir)), ".erst-export-*")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp) // gone once renamed
		dir = tmp
	}
	for _, f := range files {
		if err := atomicfile.Write(filepath.Join(dir, f.Name), f.Data); err != nil {
			return err
		}
	}
	if !fresh {
		return nil
	}
	if err := os.Rename(dir, target); err != nil {
		// An empty directory that rename cannot replace (not Linux):
		// remove it and try again.
		if os.Remove(target) == nil {
			err = os.Rename(dir, target)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
