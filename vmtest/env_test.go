//go:build vmtest

package vmtest

import (
	"os"
	"os/exec"
	"testing"

	"github.com/goerst/erst/images"
)

// onCI reports whether missing VM prerequisites must fail the tests.
func onCI() bool { return os.Getenv("CI") == "true" }

// skipOrFail skips the test on a developer machine and fails it on CI.
func skipOrFail(t testing.TB, format string, args ...any) {
	t.Helper()
	if onCI() {
		t.Fatalf("CI=true: "+format+" (run make -f mk/vm.mk deps)", args...)
	}
	t.Skipf(format, args...)
}

// prerequisites returns the QEMU binary and the guest kernel, or skips (or,
// with CI=true, fails) the test when one is missing.
func prerequisites(t testing.TB) (qemu string, k images.Kernel) {
	t.Helper()
	qemu, err := exec.LookPath("qemu-system-x86_64")
	if err != nil {
		skipOrFail(t, "no QEMU: %v", err)
	}
	k, err = images.DefaultKernel()
	if err != nil {
		skipOrFail(t, "no guest kernel: %v", err)
	}
	return qemu, k
}
