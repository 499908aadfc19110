//go:build !unix

package main

import "io/fs"

// currentUmask: no umask here.
func currentUmask() fs.FileMode { return 0 }
