//go:build vmtest

package vmtest

import (
	"bytes"
	"os/exec"
	"testing"
)

// TestExternalModule runs testdata/extmod: a module of its own that
// requires this one through a replace directive and imports only vmtest,
// erst/pshed and erst/pshed/pshedtest, as a project outside erst would.
// Its test boots a guest on a store file, runs the conformance suite from
// the host, writes records, kills QEMU, restarts it and reads every
// record back.
func TestExternalModule(t *testing.T) {
	prerequisites(t)
	cmd := exec.Command("go", "test", "-count=1", "-v", ".")
	cmd.Dir = "testdata/extmod"
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go test in testdata/extmod: %v\n%s", err, out)
	}
	if !bytes.Contains(out, []byte("--- PASS: TestRecordsSurviveAPowerCut")) || !bytes.Contains(out, []byte("--- PASS: TestRecordsSurviveAPowerCut/conformance/StoreFull")) || bytes.Contains(out, []byte("--- SKIP")) {
		t.Errorf("the external module's test did not pass every check:\n%s", out)
	}
	for _, l := range bytes.Split(out, []byte("\n")) {
		if bytes.Contains(l, []byte("vmtest: boot")) || bytes.HasPrefix(l, []byte("ok ")) {
			t.Logf("%s", bytes.TrimSpace(l))
		}
	}
}
