package erst_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The CPER header's size and offsets have one home, package cper; the
// driver and the PSHED layer use it instead of their own copies.
func TestCPERLayoutFromCper(t *testing.T) {
	own := regexp.MustCompile(`(?m)^\s*\w+\s*=\s*(128|20|96|108)\b`)
	for _, dir := range []string{".", "pshed"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range own.FindAll(b, -1) {
				t.Errorf("%s defines %q: use cper.HeaderSize and cper.Off*", f, strings.TrimSpace(string(m)))
			}
		}
	}
}
