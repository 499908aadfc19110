// Package cachedir says where erst keeps what it builds or saves to
// reuse: the uncompressed guest kernels, the guest initramfs images and
// the saved (booted) guests, with their locks. They all live under one
// root, never in the erst source tree or module directory (which is
// read-only in Go's module cache):
//
//	$ERST_CACHE                  when set
//	os.UserCacheDir()/erst       else ($XDG_CACHE_HOME/erst or ~/.cache/erst)
//
// with one directory per kind (Kernel, Initramfs, Resume). Every entry is
// written to a temporary name in its directory and renamed into place, so
// processes that build or save the same key at once cannot see a partial
// entry; Lock lets the later ones wait for the first instead of doing the
// same work again. Each kind is bounded: its writer prunes it to the
// newest entries (Prune; see the Keep constants), and removes what a
// killed writer left under a temporary name (RemoveStale). Removing the root (rm
// -rf) is always safe when no erst process runs: everything in it is
// built again on first use.
package cachedir

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// Env is the environment variable that overrides the cache root.
const Env = "ERST_CACHE"

// The kinds of entries, each a directory under the root.
const (
	Kernel    = "kernel"    // uncompressed kernels, vmlinux-<hash> (package images)
	Initramfs = "initramfs" // guest images, initramfs-<hash>.cpio (package images)
	Resume    = "resume"    // saved guests, guest-<hash>.state (internal/vm)
)

// How many entries of each kind pruning keeps, the newest by
// modification time (a saved guest's is renewed on every resume).
const (
	KeepKernels   = 3 // some 65 MB each
	KeepInitramfs = 3 // some 10 MB each: enough for switching between branches
	KeepResume    = 8 // some 80 MB each: the VM tests use about five geometries
)

// ErrNoRoot: neither ERST_CACHE nor the user's cache directory is known.
var ErrNoRoot = errors.New("no cache directory: set " + Env + " or HOME")

// Root returns the cache root: $ERST_CACHE (made absolute) when set, else
// os.UserCacheDir()/erst. It does not create it.
func Root() (string, error) {
	if d := os.Getenv(Env); d != "" {
		abs, err := filepath.Abs(d)
		if err != nil {
			return "", fmt.Errorf("%s=%s: %w", Env, d, err)
		}
		return abs, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrNoRoot, err)
	}
	return filepath.Join(d, "erst"), nil
}

// Dir returns the directory of kind under the root. It does not create
// it.
func Dir(kind string) (string, error) {
	root, err := Root()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, kind), nil
}

// Lock takes an exclusive lock on path+".lock" (flock on Unix; elsewhere
// the file is created but nothing is locked; created when
// missing; its directory must exist), waiting while another process holds
// it or until ctx is done. The lock is released by the returned function,
// or when the process ends. Locks save work, they do not guard
// correctness: entries are renamed into place whole, so two processes
// that both build an entry (a lock file removed by Prune meanwhile)
// waste time, nothing else.
func Lock(ctx context.Context, path string) (unlock func(), err error) {
	f, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if tryLock(f) == nil {
		return func() { f.Close() }, nil
	}
	got := make(chan error, 1)
	go func() { got <- lock(f) }()
	select {
	case err := <-got:
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", f.Name(), err)
		}
		return func() { f.Close() }, nil
	case <-ctx.Done():
		// The waiting goroutine releases the lock as soon as it has it.
		go func() { <-got; f.Close() }()
		return nil, fmt.Errorf("waiting for %s: %w", f.Name(), ctx.Err())
	}
}

// StaleAfter is the age after which RemoveStale takes a temporary file or
// directory for the remains of a process killed while it wrote it: no
// build or save takes this long.
const StaleAfter = 24 * time.Hour

// RemoveStale removes what matches each pattern in dir (filepath.Glob;
// the temporary names an entry is written under) and was last modified
// more than StaleAfter ago, directories with their contents.
func RemoveStale(dir string, patterns ...string) {
	for _, pattern := range patterns {
		paths, _ := filepath.Glob(filepath.Join(dir, pattern))
		for _, p := range paths {
			if fi, err := os.Lstat(p); err == nil && time.Since(fi.ModTime()) > StaleAfter {
				os.RemoveAll(p)
			}
		}
	}
}

// Prune removes the files matching pattern in dir (filepath.Glob) but the
// newest keep by modification time, and except; with each, the file
// named by its path plus each suffix in companions (e.g. ".json",
// ".lock"). It returns what it removed; a file it cannot remove is left.
func Prune(dir, pattern string, keep int, except string, companions ...string) []string {
	paths, _ := filepath.Glob(filepath.Join(dir, pattern))
	type entry struct {
		path string
		mod  int64
	}
	var es []entry
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil && p != except {
			es = append(es, entry{p, fi.ModTime().UnixNano()})
		}
	}
	sort.Slice(es, func(i, j int) bool { return es[i].mod > es[j].mod })
	if except != "" {
		keep--
	}
	var removed []string
	for i, e := range es {
		if i < keep {
			continue
		}
		if os.Remove(e.path) != nil {
			continue
		}
		removed = append(removed, e.path)
		for _, c := range companions {
			os.Remove(e.path + c)
		}
	}
	return removed
}
