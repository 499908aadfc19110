package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestIDMessages: an id too large for 64 bits says so, and the reserved
// ids (clear 0, clear or read ~0) are refused up front, exit 2, as new
// refuses them: the store is neither opened (nor created) nor changed.
func TestIDMessages(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.img")
	path := filepath.Join(dir, "s.img")
	mustRun(t, mustRun(t, nil, "new", "-id", "1"), "-store", path, "write")
	before := readFile(t, path)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"read", "0x10000000000000000"}, `bad record id "0x10000000000000000": larger than 64 bits`},
		{[]string{"clear", "18446744073709551616"}, `bad record id "18446744073709551616": larger than 64 bits`},
		{[]string{"new", "-id", "0x1ffffffffffffffff"}, "larger than 64 bits"},
		{[]string{"read", "0x1g"}, "want decimal or 0x-hex"},
		{[]string{"read", "0xffffffffffffffff"}, "record id 0xffffffffffffffff is reserved"},
		{[]string{"clear", "0"}, "record id 0x0 is reserved"},
		{[]string{"clear", "0x1", "0xffffffffffffffff"}, "record id 0xffffffffffffffff is reserved"},
		{[]string{"new", "-id", "0"}, "record id 0x0 is reserved"},
	} {
		for _, store := range []string{path, missing} {
			args := append([]string{"-store", store}, tc.args...)
			code, out, errs := runCmd(t, nil, args...)
			if code != exitUsage || len(out) != 0 || !strings.Contains(errs, tc.want) || strings.Count(errs, "\n") != 1 {
				t.Errorf("erst %s: exit %d, stdout %q, stderr %q; want exit 2 saying %q", strings.Join(args, " "), code, out, errs, tc.want)
			}
		}
	}
	if !bytes.Equal(readFile(t, path), before) {
		t.Error("a refused id changed the store")
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("a refused id created the store")
	}
	// 0 is the first record for read.
	if got := mustRun(t, nil, "-store", path, "read", "0"); !bytes.Equal(got, mustRun(t, nil, "-store", path, "read", "1")) {
		t.Error("read 0 is not the first record")
	}
}
