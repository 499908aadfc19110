package pshed

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The "not found" status is printed as STATUS_NOT_FOUND; the documentation
// calls it that too. Only ntstatus.go, where StatusObjectNotFound explains
// the alias, may name the page's STATUS_OBJECT_NOT_FOUND.
func TestNotFoundNamedAsPrinted(t *testing.T) {
	if got := StatusObjectNotFound.String(); got != "STATUS_NOT_FOUND" {
		t.Fatalf("StatusObjectNotFound prints as %s", got)
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "ntstatus.go" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if strings.Contains(line, "STATUS_OBJECT_NOT_FOUND") {
				t.Errorf("%s:%d names STATUS_OBJECT_NOT_FOUND, which is printed as %v: %s", f, i+1, StatusObjectNotFound, strings.TrimSpace(line))
			}
		}
	}
}
