package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/goerst/erst/acpi/acpitest"
)

// TestOutputIsNotTheStore: read -o (and new -o) refuse a file that is the
// -store or -table file, however it is named, and leave it as it was.
func TestOutputIsNotTheStore(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.img")
	mustRun(t, mustRun(t, nil, "new", "-id", "0x42"), "-store", path, "write")
	link := filepath.Join(dir, "link.img")
	if err := os.Link(path, link); err != nil {
		t.Fatal(err)
	}
	tbl := writeFile(t, dir, "q35.dat", readFile(t, acpitest.CorpusFile(t, "eebf1dc4571b2072.dat")))
	for _, tc := range []struct {
		name string
		args []string
		file string
	}{
		{"read -o STORE", []string{"-store", path, "read", "-o", path, "0x42"}, path},
		{"read -o a hard link to the store", []string{"-store", path, "read", "-o", link, "0x42"}, path},
		{"read -o the store by another name", []string{"-store", path, "read", "-o", filepath.Join(dir, ".", "..", filepath.Base(dir), "s.img"), "0"}, path},
		{"read -o TABLE", []string{"-store", path, "-table", tbl, "read", "-o", tbl, "0x42"}, tbl},
		{"new -o STORE", []string{"-store", path, "new", "-id", "7", "-o", link}, path},
	} {
		before := readFile(t, tc.file)
		code, out, errs := runCmd(t, nil, tc.args...)
		if code != exitUsage || len(out) != 0 || !strings.Contains(errs, "refusing to replace it") || strings.Count(errs, "\n") != 1 {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 2 refusing to replace the file", tc.name, code, out, errs)
		}
		if !bytes.Equal(readFile(t, tc.file), before) {
			t.Errorf("%s: %s changed", tc.name, tc.file)
		}
	}
	// Another file is fine.
	other := filepath.Join(dir, "out.bin")
	mustRun(t, nil, "-store", path, "read", "-o", other, "0x42")
	mustRun(t, nil, "-store", path, "read", "-o", other, "0x42") // and replacing it
}

// fullWriter is stdout on a full disk (/dev/full).
type fullWriter struct{}

func (fullWriter) Write([]byte) (int, error) { return 0, syscall.ENOSPC }

// TestOutputErrors: every command whose output cannot be written exits 1
// with one line saying so, as into /dev/full.
func TestOutputErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.img")
	rec := mustRun(t, nil, "new", "-id", "0x42")
	mustRun(t, rec, "-store", path, "write")
	recFile := writeFile(t, dir, "r.bin", mustRun(t, nil, "new", "-id", "0x43"))
	q35 := acpitest.CorpusFile(t, "eebf1dc4571b2072.dat")
	bad := acpitest.CorpusFile(t, "a32d335f835a4c1f.dat") // lint errors
	for _, args := range [][]string{
		{"-store", path, "ls"},
		{"-store", path, "ls", "-json"},
		{"-store", path, "dump"},
		{"-store", path, "dump", "-json"},
		{"-store", path, "info"},
		{"-store", path, "info", "-json"},
		{"-store", path, "read", "0x42"},
		{"-store", path, "write", recFile},
		{"-store", path, "write", "-json", recFile},
		{"-store", path, "clear", "0x43"},
		{"new"},
		{"table", q35},
		{"table", "-json", q35},
		{"lint", q35},
		{"lint", bad},
		{"lint", "-json", bad},
		{"help"},
		{"help", "write"},
	} {
		var errb bytes.Buffer
		code := run(args, bytes.NewReader(nil), fullWriter{}, &errb)
		errs := errb.String()
		if code != exitFailure || !strings.Contains(errs, "no space left on device") || strings.Count(errs, "\n") != 1 {
			t.Errorf("erst %s > /dev/full: exit %d, stderr %q; want exit 1 and one line saying the output failed", strings.Join(args, " "), code, errs)
		}
	}
}
