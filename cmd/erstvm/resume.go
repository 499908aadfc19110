package main

import (
	"path/filepath"

	"github.com/goerst/erst/images"
	"github.com/goerst/erst/internal/vm"
)

// resumeCacheDir is where erstvm keeps the booted guests it resumes by
// default: build/resume in the erst source tree when it built the
// initramfs there, else the user's cache directory.
func resumeCacheDir(o *options, wd string) string {
	src := o.src
	if src == "" {
		src, _ = images.FindSource(wd)
	}
	if src != "" && o.initramfs == "" {
		if abs, err := filepath.Abs(src); err == nil {
			return vm.SavedGuestDir(abs)
		}
	}
	return vm.SavedGuestDir("")
}
