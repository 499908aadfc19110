package acpitest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// catch runs f with r, returning when f calls r's Fatalf or Skipf.
func catch(r *recordTB, f func(testing.TB)) {
	defer func() {
		if p := recover(); p != nil && p != r {
			panic(p)
		}
	}()
	f(r)
}

// TestCorpusInModule: the corpus is found inside the module, with a .dsl
// beside every table, so a clean clone tests everything.
func TestCorpusInModule(t *testing.T) {
	tables := Corpus(t)
	if len(tables) != 24 {
		t.Errorf("%d corpus tables, want the 24 of acpi/testdata/corpus", len(tables))
	}
	for _, ct := range tables {
		if !strings.Contains(filepath.ToSlash(ct.Path), "acpi/testdata/corpus/erst/") {
			t.Errorf("%s is outside the module's testdata", ct.Path)
		}
	}
	if _, err := os.Stat(CorpusIndex(t)); err != nil {
		t.Error(err)
	}
}

// TestCorpusMissing: where the corpus is missing, the tests that need it
// fail under CI=true, naming the path; elsewhere (a test binary run
// outside its source tree, as in a vmtest guest) they skip, naming it too.
func TestCorpusMissing(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	want := filepath.Join(dir, "acpi", "testdata", "corpus")
	for _, ci := range []string{"true", ""} {
		t.Setenv("CI", ci)
		for name, f := range map[string]func(testing.TB){
			"CorpusDir":   func(tb testing.TB) { CorpusDir(tb) },
			"Corpus":      func(tb testing.TB) { Corpus(tb) },
			"CorpusFile":  func(tb testing.TB) { CorpusFile(tb, "eebf1dc4571b2072.dat") },
			"CorpusIndex": func(tb testing.TB) { CorpusIndex(tb) },
		} {
			r := &recordTB{TB: t}
			catch(r, f)
			got, other := r.fatal, r.skip
			if ci != "true" {
				got, other = r.skip, r.fatal
			}
			if other != "" || !strings.Contains(got, want) {
				t.Errorf("CI=%q: %s without the corpus: fatal %q, skip %q; want a %s naming %s", ci, name, r.fatal, r.skip, map[bool]string{true: "failure", false: "skip"}[ci == "true"], want)
			}
		}
	}
}
