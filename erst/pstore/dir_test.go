package pstore_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/goerst/erst/erst/pstore"
)

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

// WriteDir makes a missing directory whole, refuses one holding files
// unless force, replaces only its own files with force, and leaves
// nothing when a file cannot be written.
func TestWriteDir(t *testing.T) {
	root := t.TempDir()
	files := []pstore.File{{Name: "a.txt", Data: []byte("a")}, {Name: "index.json", Data: []byte("{}\n")}}

	out := filepath.Join(root, "out")
	if err := pstore.WriteDir(out, files, false); err != nil {
		t.Fatal(err)
	}
	if got := dirNames(t, out); !slices.Equal(got, []string{"a.txt", "index.json"}) {
		t.Errorf("new directory holds %q, want a.txt and index.json", got)
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("new directory: %v, %v; want mode 0700", fi.Mode(), err)
	}
	if got := dirNames(t, root); !slices.Equal(got, []string{"out"}) {
		t.Errorf("beside it: %q, want no temporary directory left", got)
	}

	if err := pstore.WriteDir(out, files, false); !errors.Is(err, pstore.ErrNotEmpty) {
		t.Errorf("into a directory holding files without force: %v, want ErrNotEmpty", err)
	}
	if err := os.WriteFile(filepath.Join(out, "mine"), []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := pstore.WriteDir(out, []pstore.File{{Name: "a.txt", Data: []byte("A")}}, true); err != nil {
		t.Fatal(err)
	}
	if a, _ := os.ReadFile(filepath.Join(out, "a.txt")); string(a) != "A" {
		t.Errorf("with force, a.txt holds %q, want it replaced", a)
	}
	if m, _ := os.ReadFile(filepath.Join(out, "mine")); string(m) != "keep" {
		t.Errorf("with force, another file holds %q, want it left", m)
	}

	if err := pstore.CheckDir(filepath.Join(out, "a.txt"), true); !errors.Is(err, pstore.ErrNotDir) {
		t.Errorf("a file: %v, want ErrNotDir", err)
	}
	if err := pstore.CheckDir(filepath.Join(root, "no", "out"), false); err == nil {
		t.Error("in a missing directory: no error")
	}

	failed := filepath.Join(root, "failed")
	bad := append(slices.Clone(files), pstore.File{Name: "sub/x", Data: nil})
	if err := pstore.WriteDir(failed, bad, false); err == nil {
		t.Error("a file in a missing subdirectory: no error")
	}
	if got := dirNames(t, root); !slices.Equal(got, []string{"out"}) {
		t.Errorf("after a failed export: %q, want nothing new", got)
	}
}
