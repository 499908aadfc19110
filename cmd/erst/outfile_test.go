package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// read -o and new -o keep an existing file's mode, make a new file 0644
// less the umask, write through a symbolic link, and name the user's path
// (never a temporary file) in errors.
func TestOutputFileMode(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.img")
	rec := mustRun(t, nil, "new", "-id", "0x42")
	mustRun(t, rec, "-store", path, "write")

	umask := currentUmask()
	fresh := filepath.Join(dir, "fresh.bin")
	existing := filepath.Join(dir, "existing.bin")
	if err := os.WriteFile(existing, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(existing, 0o664); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(dir, "target.bin")
	if err := os.WriteFile(target, []byte("old"), 0o640); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.bin")
	if err := os.Symlink("target.bin", link); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range [][]string{{"-store", path, "read", "-o"}, {"new", "-id", "0x42", "-o"}} {
		for _, tc := range []struct {
			out  string
			mode fs.FileMode
		}{
			{fresh, 0o644 &^ umask},
			{existing, 0o664},
			{link, 0o640},
		} {
			args := append(append([]string(nil), cmd...), tc.out)
			if cmd[0] == "-store" {
				args = append(args, "0x42")
			}
			mustRun(t, nil, args...)
			fi, err := os.Lstat(tc.out)
			if err != nil {
				t.Fatal(err)
			}
			if tc.out == link {
				if fi.Mode()&fs.ModeSymlink == 0 {
					t.Errorf("erst %s replaced the symbolic link", strings.Join(args, " "))
				}
				fi, err = os.Stat(target)
				if err != nil {
					t.Fatal(err)
				}
			}
			if fi.Mode().Perm() != tc.mode {
				t.Errorf("erst %s: mode %v, want %v", strings.Join(args, " "), fi.Mode().Perm(), tc.mode)
			}
			if b, _ := os.ReadFile(tc.out); !bytes.Equal(b, rec) && cmd[0] != "new" {
				t.Errorf("erst %s: the file does not hold the record", strings.Join(args, " "))
			}
			os.Remove(fresh)
		}
	}
	// An output that cannot be made is named as the user gave it.
	bad := filepath.Join(dir, "nodir", "out.bin")
	for _, args := range [][]string{{"-store", path, "read", "-o", bad, "0x42"}, {"new", "-o", bad}} {
		code, _, errs := runCmd(t, nil, args...)
		if code == 0 || !strings.Contains(errs, bad) || strings.Contains(errs, ".erst") || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("erst %s: exit %d, stderr %q; want one line naming %s and no temporary file", strings.Join(args, " "), code, errs, bad)
		}
	}
}
