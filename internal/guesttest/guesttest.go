// Package guesttest is what the tests that run inside a vmtest guest
// share: whether they are in one, what the host told them about the
// device, and how they tell the host that they really ran.
//
// vmtest (github.com/hugelgupf/vmtest) reports a guest test that skipped
// only in its log, so a guest without the device would pass silently. A
// guest test therefore calls RecordPass, which leaves "<test>.pass" in
// ResultsDir when it passes, and the host (package vmtest) fails unless
// every test it expects left one.
package guesttest

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/goerst/erst/acpi"
)

// ResultsDir is where pass markers go in the guest: the host shares a
// directory there with the 9p tag ResultsTag (vmtest mounts tag T at
// /mount/9p/T).
const (
	ResultsTag = "ersttest"
	ResultsDir = "/mount/9p/" + ResultsTag
)

// CapacityVar is the environment variable (set on the guest's kernel
// command line by the host) holding how many records the acpi-erst
// device's backing store holds: the device itself cannot say.
const CapacityVar = "ERSTTEST_CAPACITY"

// InGuest reports whether the test runs in a vmtest guest.
func InGuest() bool { return os.Getenv("VMTEST_IN_GUEST") == "1" }

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

// RecordPass leaves the pass marker of t in ResultsDir when t ends
// without failing or skipping. Outside a guest, or when the host shares no
// results directory, it does nothing.
func RecordPass(t *testing.T) {
	t.Helper()
	t.Cleanup(func() {
		if t.Failed() || t.Skipped() {
			return
		}
		if _, err := os.Stat(ResultsDir); err != nil {
			return
		}
		if err := os.WriteFile(filepath.Join(ResultsDir, PassFile(t.Name())), nil, 0o644); err != nil {
			t.Errorf("recording the pass: %v", err)
		}
	})
}

// RunVar is the environment variable (set on the guest's kernel command
// line by the host) holding a -test.run pattern for the guest's test
// binaries: vmtest runs each of them with -test.run=. -test.bench=., and
// the tests that only compute already ran on the host.
const RunVar = "ERSTTEST_RUN"

// Main is TestMain for packages whose tests also run in guests. In a
// guest, with RunVar set, only the tests it matches run and no benchmark;
// without it, every test, and each benchmark once (-test.benchtime=1x),
// which checks that it works without spending minutes of emulated CPU on
// numbers nobody reads.
//
//	func TestMain(m *testing.M) { guesttest.Main(m) }
func Main(m *testing.M) {
	if InGuest() {
		flag.Parse()
		set := [][2]string{{"test.benchtime", "1x"}}
		if run := os.Getenv(RunVar); run != "" {
			set = append(set, [2]string{"test.run", run}, [2]string{"test.bench", "^$"})
		}
		for _, kv := range set {
			if err := flag.Set(kv[0], kv[1]); err != nil {
				fmt.Fprintln(os.Stderr, "guesttest:", err)
				os.Exit(2)
			}
		}
	}
	os.Exit(m.Run())
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
