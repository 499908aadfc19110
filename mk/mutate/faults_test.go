package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestFaultsApply: every listed fault's text is in its file exactly once,
// so that moving code cannot strand a fault (make mutate would report it
// STALE, but only when someone runs it). The package's directory is
// mk/mutate, two below the checkout.
func TestFaultsApply(t *testing.T) {
	root := filepath.Join("..", "..")
	names := map[string]bool{}
	for _, f := range faults {
		if names[f.Name] {
			t.Errorf("%s: two faults of this name", f.Name)
		}
		names[f.Name] = true
		b, err := os.ReadFile(filepath.Join(root, f.File))
		if err != nil {
			t.Errorf("%s: %v", f.Name, err)
			continue
		}
		if n := bytes.Count(b, []byte(f.Old)); n != 1 {
			t.Errorf("%s: the text to change is in %s %d times, want once", f.Name, f.File, n)
		}
		if f.Old == f.New {
			t.Errorf("%s: the fault changes nothing", f.Name)
		}
		if _, err := os.Stat(filepath.Join(root, f.Pkg)); err != nil {
			t.Errorf("%s: package %s: %v", f.Name, f.Pkg, err)
		}
	}
}
