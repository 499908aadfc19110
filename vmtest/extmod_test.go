//go:build vmtest

package vmtest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestExternalModule runs testdata/extmod: a module of its own that
// requires this one through a replace directive and imports only vmtest,
// erst/pshed and erst/pshed/pshedtest, as a project outside erst would.
// Its test boots a guest on a store file, runs the conformance suite from
// the host, writes records, kills QEMU, restarts it and reads every
// record back. It runs from a copy whose replace names this checkout and
// whose go.mod is tidied first, so that a new requirement of erst's does
// not make it stale.
func TestExternalModule(t *testing.T) {
	t.Parallel()
	prerequisites(t)
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range []string{"go.mod", "go.sum", "harness_test.go"} {
		b, err := os.ReadFile(filepath.Join("testdata", "extmod", f))
		if err != nil {
			t.Fatal(err)
		}
		if f == "go.mod" {
			b = []byte(strings.ReplaceAll(string(b), "=> ../../..", "=> "+root))
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	goCmd := func(args ...string) []byte {
		t.Helper()
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go %s in a copy of testdata/extmod: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	goCmd("mod", "tidy")
	out := goCmd("test", "-count=1", "-v", "-timeout", "20m", ".")
	if !bytes.Contains(out, []byte("--- PASS: TestRecordsSurviveAPowerCut")) || !bytes.Contains(out, []byte("--- PASS: TestRecordsSurviveAPowerCut/conformance/StoreFull")) || bytes.Contains(out, []byte("--- SKIP")) {
		t.Errorf("the external module's test did not pass every check:\n%s", out)
	}
	for _, l := range bytes.Split(out, []byte("\n")) {
		if bytes.Contains(l, []byte("vmtest: boot")) || bytes.HasPrefix(l, []byte("ok ")) {
			t.Logf("%s", bytes.TrimSpace(l))
		}
	}
}
