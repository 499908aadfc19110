package storetest

import (
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// SmallTmpfs mounts a 64 KiB tmpfs in a temporary directory for the test,
// unmounted at cleanup: a disk that cannot back a store. Mounting needs
// root; without it the test fails under CI (CI=true), where it must run,
// and skips elsewhere, saying why.
func SmallTmpfs(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size=64k"); err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("CI=true: cannot mount a 64 KiB tmpfs (run as root): %v", err)
		}
		tb.Skipf("cannot mount a 64 KiB tmpfs (needs root): %v", err)
	}
	tb.Cleanup(func() { unix.Unmount(dir, 0) })
	return dir
}
