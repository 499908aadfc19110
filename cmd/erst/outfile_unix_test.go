//go:build unix

package main

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// currentUmask is the process's umask (set back at once).
func currentUmask() fs.FileMode {
	m := syscall.Umask(0)
	syscall.Umask(m)
	return fs.FileMode(m)
}

// An -o that is not a regular file is written in place, never replaced:
// a directory is refused, a FIFO written.
func TestOutputToSpecialFile(t *testing.T) {
	dir := t.TempDir()
	code, _, errs := runCmd(t, nil, "new", "-o", dir)
	if code == 0 || !strings.Contains(errs, dir+": is a directory") {
		t.Errorf("new -o DIR: exit %d, %q", code, errs)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	// A reader opened first, without waiting for a writer, so that
	// erst's open for writing does not wait either; the record stays in
	// the pipe's buffer until read.
	r, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if out := mustRun(t, nil, "new", "-id", "0x42", "-o", fifo); len(out) != 0 {
		t.Errorf("new -o FIFO wrote to stdout too")
	}
	b, _ := io.ReadAll(r)
	if len(b) < 128 || string(b[:4]) != "CPER" {
		t.Errorf("the FIFO's reader got %d bytes, not the record", len(b))
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced: %v %v", fi, err)
	}
}
