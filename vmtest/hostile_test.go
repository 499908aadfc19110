//go:build vmtest

package vmtest

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/goerst/erst/erst/sim"
)

// TestErstvmRefusesHostileTable: erst in the guest, given a table whose
// registers lie in System RAM (QEMU's own table moved to 16 MiB, the way a
// broken or hostile firmware could publish it), refuses it before the
// first register access: exit 1, one line naming System RAM, and not one
// line of -trace output.
func TestErstvmRefusesHostileTable(t *testing.T) {
	t.Parallel()
	erstvm := erstvmRunner(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "hostile.dat"), sim.BuildTable(16<<20).Encode(), 0o644); err != nil {
		t.Fatal(err)
	}
	r := erstvm(dir, "--", "-trace", "-table", "hostile.dat", "info")
	if r.code != 1 || !bytes.Contains(r.stderr, []byte("System RAM")) || bytes.Count(bytes.TrimSpace(r.stderr), []byte("\n")) != 0 {
		t.Errorf("erst -table hostile.dat info: exit %d, stderr %q; want 1 and one line naming System RAM", r.code, r.stderr)
	}
	if bytes.Contains(r.stderr, []byte("trace:")) || len(r.stdout) != 0 {
		t.Errorf("registers were accessed, or something printed:\nstdout %q\nstderr %q", r.stdout, r.stderr)
	}
}
