package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// On the live device a lock file that cannot be created is an error: the
// command must not go on to the registers without it.
func TestLiveLockFileRequired(t *testing.T) {
	old := liveLockPath
	liveLockPath = filepath.Join(t.TempDir(), "no-such-dir", "erst.lock")
	defer func() { liveLockPath = old }()
	code, _, errs := runCmd(t, nil, "info")
	if code != exitFailure || !strings.Contains(errs, "lock file") || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Errorf("info with an uncreatable lock file: exit %d, stderr %q; want exit 1 and one line about the lock file", code, errs)
	}
}

// A mistyped -store path is never created by a command that only reads or
// clears: it says the store does not exist (exit 2) and leaves no file.
func TestReadCommandsNeverCreateAStore(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "typo.img")
	for _, args := range [][]string{{"info"}, {"ls"}, {"dump"}, {"read", "1"}, {"clear", "1"}, {"clear", "-all"}, {"fsck"}} {
		code, _, errs := runCmd(t, nil, append([]string{"-store", path}, args...)...)
		if code != exitUsage || !strings.Contains(errs, "does not exist") || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("%v on a missing store: exit %d, stderr %q; want exit 2 and one line saying it does not exist", args, code, errs)
		}
		if _, err := os.Stat(path); err == nil {
			t.Fatalf("%v created the store", args)
		}
	}
	// write creates it.
	rec := writeTemp(t, dir, mustRun(t, nil, "new", "-id", "1"))
	mustRun(t, nil, "-store", path, "write", rec)
	if out := mustRun(t, nil, "-store", path, "ls"); !bytes.HasPrefix(out, []byte("0x1 ")) {
		t.Errorf("ls after write: %q", out)
	}
}

// What is not a store is named in one line, and left alone.
func TestNotAStoreSaysWhatItIs(t *testing.T) {
	dir := t.TempDir()
	rec := writeTemp(t, dir, mustRun(t, nil, "new", "-id", "1"))
	fifo := filepath.Join(dir, "fifo")
	if err := mkfifo(fifo); err != nil {
		t.Fatal(err)
	}
	dangling := filepath.Join(dir, "dangling")
	if err := os.Symlink(filepath.Join(dir, "nowhere"), dangling); err != nil {
		t.Fatal(err)
	}
	random := filepath.Join(dir, "random")
	junk := bytes.Repeat([]byte("not a store, just some file. "), 3000)
	if err := os.WriteFile(random, junk, 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path, want string
	}{
		{fifo, "not an ERST store: " + fifoIs},
		{dangling, "not an ERST store: a symbolic link to"},
		{dir, "not an ERST store: a directory"},
		{random, "not an ERST store: bad magic"},
		{empty, "not an ERST store: empty file"},
	} {
		cmds := [][]string{{"ls"}, {"info"}, {"fsck"}}
		if tc.path != empty { // write formats an empty file, as QEMU does
			cmds = append(cmds, []string{"write", rec})
		}
		for _, args := range cmds {
			code, _, errs := runCmd(t, nil, append([]string{"-store", tc.path}, args...)...)
			if code != exitUsage || !strings.Contains(errs, tc.want) || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
				t.Errorf("%v on %s: exit %d, stderr %q; want exit 2 and one line with %q", args, filepath.Base(tc.path), code, errs, tc.want)
			}
		}
	}
	if b, _ := os.ReadFile(random); !bytes.Equal(b, junk) {
		t.Error("the random file was changed")
	}
	if _, err := os.Lstat(filepath.Join(dir, "nowhere")); err == nil {
		t.Error("the dangling link's target was created")
	}
}

// A -store-size beyond QEMU's limit is one line stating the limit, not the
// flag package's error followed by the whole usage.
func TestStoreSizeStatesItsLimit(t *testing.T) {
	dir := t.TempDir()
	rec := writeTemp(t, dir, mustRun(t, nil, "new", "-id", "1"))
	for _, size := range []string{"2T", "5G", "4G", "zz"} {
		path := filepath.Join(dir, size+".img")
		code, _, errs := runCmd(t, nil, "-store", path, "-store-size", size, "write", rec)
		if code != exitUsage || !strings.Contains(errs, "4 GiB") || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("-store-size %s: exit %d, stderr %q; want exit 2 and one line stating the 4 GiB limit", size, code, errs)
		}
		if _, err := os.Stat(path); err == nil {
			t.Errorf("-store-size %s: a store was created", size)
		}
	}
	// A size that does not parse is refused on an existing store too.
	path := filepath.Join(dir, "s.img")
	mustRun(t, nil, "-store", path, "write", rec)
	if code, _, errs := runCmd(t, nil, "-store", path, "-store-size", "zz", "ls"); code != exitUsage || !strings.Contains(errs, "-store-size zz") {
		t.Errorf("-store-size zz ls: exit %d, %q; want exit 2 naming the flag", code, errs)
	}
}
