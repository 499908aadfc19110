package style

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestErstLinksNoTesting holds the erst command, which also runs inside
// the guest, to production dependencies: package testing in its link
// means a helper package imports it (pshedtest once did, for
// TestPersistence's *testing.T). (cmd/erstvm, a host tool, links it
// through github.com/hugelgupf/vmtest/qemu.)
func TestErstLinksNoTesting(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", modulePath+"/cmd/erst").Output()
	if err != nil {
		t.Fatalf("go list -deps ./cmd/erst: %v", err)
	}
	if slices.Contains(strings.Fields(string(out)), "testing") {
		t.Error("cmd/erst links package testing (go list -deps ./cmd/erst | grep -x testing)")
	}
}
