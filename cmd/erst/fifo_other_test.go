//go:build !unix

package main

import "os"

// mkfifo: no FIFOs here; a directory stands in.
func mkfifo(path string) error { return os.Mkdir(path, 0o700) }

const fifoIs = "a directory"
