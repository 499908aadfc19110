package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// conform on a store with no free slot refuses to start (exit 2), as with
// one free slot, and leaves the store as it was: a full store is room for
// 0 records, not room unknown.
func TestConformFullStoreRefuses(t *testing.T) {
	for _, records := range []int{6, 7} { // of the 7 slots of a 64 KiB store
		t.Run(fmt.Sprintf("%d-of-7", records), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "s.img")
			for i := range records {
				mustRun(t, mustRun(t, nil, "new", "-id", fmt.Sprintf("%#x", 0x100+i), "-text", "foreign"), "-store", path, "write")
			}
			before, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			code, out, errs := runCmd(t, nil, "-store", path, "conform")
			if want := fmt.Sprintf("the store has room for %d", 7-records); code != 2 || !strings.Contains(errs, want) {
				t.Errorf("conform on a store with %d free slots: exit %d, stderr %q; want 2 saying %q\n%s", 7-records, code, errs, want, out)
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
				t.Errorf("conform that refused to start changed the store")
			}
		})
	}
}
