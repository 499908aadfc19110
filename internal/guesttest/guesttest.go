// Package guesttest is what the tests that run inside a guest share:
// whether they are in one, what the host told them about the device, and
// how they tell the host that they really ran.
//
// A test binary that skipped a test still exits 0, so a guest without the
// device would pass silently. A guest test therefore calls RecordPass,
// which leaves "<test>.pass" in the ResultsVar directory when it passes,
// and the host (TestGuest in package vmtest) fails unless every test it
// expects left one.
package guesttest

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/goerst/erst/acpi"
)

// ResultsVar is the environment variable (set by the host in the guest
// command's environment) naming the directory where pass markers go,
// relative to the test's working directory (erstvm's, shared with the
// host) or absolute.
const ResultsVar = "ERSTTEST_RESULTS"

// InGuestVar is the environment variable, "1" in a guest, that InGuest
// reads (the name vmtest's own guests use).
const InGuestVar = "VMTEST_IN_GUEST"

// CapacityVar is the environment variable (set by the host in the guest
// command's environment) holding how many records the acpi-erst
// device's backing store holds: the device itself cannot say.
const CapacityVar = "ERSTTEST_CAPACITY"

// KernelERSTVar is the environment variable (set by the host in the guest
// command's environment) saying whether the guest's kernel was booted to
// own the ERST device ("1") or with erst_disable ("0"), so that a test
// with a branch for each can check it took the one the host meant.
const KernelERSTVar = "ERSTTEST_KERNEL_ERST"

// KernelERST returns what KernelERSTVar says: whether the kernel owns the
// ERST device, and ok false when the host said nothing (or nonsense).
func KernelERST() (owns, ok bool) {
	switch os.Getenv(KernelERSTVar) {
	case "1":
		return true, true
	case "0":
		return false, true
	}
	return false, false
}

// InGuest reports whether the test runs in a guest.
func InGuest() bool { return os.Getenv(InGuestVar) == "1" }

// Capacity returns the store capacity the host announced, or 0 when it
// did not.
func Capacity() int {
	n, err := strconv.Atoi(os.Getenv(CapacityVar))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// PassFile is the marker name RecordPass leaves for the test called name
// (t.Name(), subtests included).
func PassFile(name string) string { return strings.ReplaceAll(name, "/", "_") + ".pass" }

// RecordPass leaves the pass marker of t in the ResultsVar directory when
// t ends without failing or skipping. Outside a guest, or when the host
// asked for no markers, it does nothing.
func RecordPass(t *testing.T) {
	t.Helper()
	dir := os.Getenv(ResultsVar)
	if !InGuest() || dir == "" {
		return
	}
	t.Cleanup(func() {
		if t.Failed() || t.Skipped() {
			return
		}
		if err := os.WriteFile(filepath.Join(dir, PassFile(t.Name())), nil, 0o644); err != nil {
			t.Errorf("recording the pass: %v", err)
		}
	})
}

// RunPattern is a -test.run pattern that selects the tests named (t.Name()
// of each, subtests included): at each level, the parts the names have
// there, so "TestA/qemu" and "TestB/qemu/x" give
// ^(TestA|TestB)$/^(qemu)$/^(x)$. go test matches a level only against the
// subtests that exist, so a name without subtests may stand beside
// deeper ones.
func RunPattern(names []string) string {
	var levels [][]string
	for _, n := range names {
		for i, part := range strings.Split(n, "/") {
			if i == len(levels) {
				levels = append(levels, nil)
			}
			if q := regexp.QuoteMeta(part); !slices.Contains(levels[i], q) {
				levels[i] = append(levels[i], q)
			}
		}
	}
	parts := make([]string, len(levels))
	for i, l := range levels {
		parts[i] = "^(" + strings.Join(l, "|") + ")$"
	}
	return strings.Join(parts, "/")
}

// LiveERST reads and decodes the running system's ERST table.
func LiveERST(tb testing.TB) *acpi.ERST {
	tb.Helper()
	raw, err := acpi.ReadLiveTable(acpi.SignatureERST)
	if err != nil {
		tb.Fatal(err)
	}
	tab, err := acpi.DecodeERST(raw)
	if err != nil {
		tb.Fatal(err)
	}
	return tab
}
