package guesttest

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

// helperVar tells a child test binary to run TestRecordPassFailingChild.
const helperVar = "GUESTTEST_FAILING_CHILD"

// markers lists the pass markers in dir.
func markers(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// RecordPass leaves a marker for a test that passed and none for one that
// skipped or failed, or that ran outside a guest: the host's "a skipped
// guest test fails the run" rests on it.
func TestRecordPass(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(InGuestVar, "1")
	t.Setenv(ResultsVar, dir)
	t.Run("passes", func(t *testing.T) { RecordPass(t) })
	t.Run("skips", func(t *testing.T) {
		RecordPass(t)
		t.Skip("skipped on purpose: RecordPass must leave no marker")
	})
	t.Run("nested", func(t *testing.T) {
		t.Run("passes", func(t *testing.T) { RecordPass(t) })
	})

	// A failing test cannot run here without failing this one: it runs
	// in a child test binary, with the same environment.
	cmd := exec.Command(os.Args[0], "-test.run=^TestRecordPassFailingChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperVar+"=1")
	out, err := cmd.CombinedOutput()
	if _, ok := err.(*exec.ExitError); !ok {
		t.Fatalf("the failing child: %v, want it to exit non-zero\n%s", err, out)
	}

	want := []string{PassFile("TestRecordPass/nested/passes"), PassFile("TestRecordPass/passes")}
	if got := markers(t, dir); !slices.Equal(got, want) {
		t.Errorf("markers %q, want %q", got, want)
	}

	t.Setenv(InGuestVar, "")
	t.Run("outside", func(t *testing.T) { RecordPass(t) })
	if _, err := os.Stat(filepath.Join(dir, PassFile("TestRecordPass/outside"))); !os.IsNotExist(err) {
		t.Errorf("a test outside a guest left a marker: %v", err)
	}
}

// TestRecordPassFailingChild fails after RecordPass, when TestRecordPass
// runs it in a child process; otherwise it does nothing.
func TestRecordPassFailingChild(t *testing.T) {
	if os.Getenv(helperVar) != "1" {
		return
	}
	RecordPass(t)
	t.Error("failed on purpose: RecordPass must leave no marker")
}

// KernelERST reads what the host said, and says when it said nothing.
func TestKernelERST(t *testing.T) {
	for v, want := range map[string][2]bool{"1": {true, true}, "0": {false, true}, "": {false, false}, "yes": {false, false}} {
		t.Setenv(KernelERSTVar, v)
		if owns, ok := KernelERST(); owns != want[0] || ok != want[1] {
			t.Errorf("%s=%q: KernelERST() = %v, %v; want %v, %v", KernelERSTVar, v, owns, ok, want[0], want[1])
		}
	}
}
