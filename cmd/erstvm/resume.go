package main

import (
	"github.com/goerst/erst/internal/cachedir"
	"github.com/goerst/erst/internal/vm"
)

// resumeCacheDir is where erstvm keeps the booted guests it resumes by
// default: the resume directory of erst's cache root ($ERST_CACHE, else
// os.UserCacheDir()/erst), never the erst source tree.
func resumeCacheDir() (string, error) {
	return vm.SavedGuestDir()
}

// cacheRoot is erst's cache root for the help text, or why there is none.
func cacheRoot() string {
	root, err := cachedir.Root()
	if err != nil {
		return err.Error()
	}
	return root
}
