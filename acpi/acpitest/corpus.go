// Package acpitest holds test support for ERST tables: the corpus of real
// tables in acpi/testdata/corpus, a parser for ACPICA's disassembly (`iasl -d`) of them,
// a field-by-field comparison of that disassembly with the JSON form that
// `erst table -json` prints, and a way to run iasl itself.
package acpitest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// CorpusRel is where the ERST table corpus lives, relative to the module
// root: acpi/testdata/corpus/erst, inside the module so that a clean clone
// (and the module zip) tests everything. CorpusIndexRel is its index.csv.
var (
	CorpusRel      = filepath.Join("acpi", "testdata", "corpus", "erst")
	CorpusIndexRel = filepath.Join("acpi", "testdata", "corpus", "index.csv")
)

// CorpusTable is one table of the corpus: <Name>.dat and, beside it,
// <Name>.dsl with ACPICA's disassembly of it.
type CorpusTable struct {
	Name    string // file name without .dat, e.g. "eebf1dc4571b2072"
	Path    string // the .dat file
	DSLPath string // the .dsl file
	Raw     []byte // the .dat contents
}

// CorpusDir returns the corpus folder. The corpus is part of the module,
// so when it is absent the checkout is broken: under CI (environment
// CI=true) it fails the test, naming the path it looked for. Elsewhere it
// skips, saying why: that is a test binary run outside its source tree,
// as vmtest runs a package's tests inside a guest, where only the
// package's own folder is copied.
func CorpusDir(tb testing.TB) string {
	tb.Helper()
	return corpusPath(tb, CorpusRel)
}

// CorpusFile returns the path of the corpus file name (e.g.
// "eebf1dc4571b2072.dat"), failing the test when it is absent.
func CorpusFile(tb testing.TB, name string) string {
	tb.Helper()
	p := filepath.Join(CorpusDir(tb), name)
	if _, err := os.Stat(p); err != nil {
		tb.Fatalf("corpus file %s is missing: %v", p, err)
	}
	return p
}

// CorpusIndex returns the path of the corpus's index.csv, failing the
// test when it is absent.
func CorpusIndex(tb testing.TB) string {
	tb.Helper()
	return corpusPath(tb, CorpusIndexRel)
}

func corpusPath(tb testing.TB, rel string) string {
	tb.Helper()
	root, err := moduleRoot()
	if err != nil {
		missing(tb, "ERST corpus not found (%v): the test runs outside the module's source tree", err)
	}
	p := filepath.Join(root, rel)
	if _, err := os.Stat(p); err != nil {
		missing(tb, "ERST corpus %s is missing (%v): it is part of the module; restore it with git checkout", p, err)
	}
	return p
}

// missing fails the test under CI=true and skips it elsewhere, with the
// same message.
func missing(tb testing.TB, format string, args ...any) {
	tb.Helper()
	if os.Getenv("CI") == "true" {
		tb.Fatalf("CI=true: "+format, args...)
	}
	tb.Skipf(format, args...)
}

// Corpus reads every table in the corpus folder, sorted by name. It fails
// the test when the folder is absent, holds no tables, or a table has no
// .dsl beside it.
func Corpus(tb testing.TB) []CorpusTable {
	tb.Helper()
	dir := CorpusDir(tb)
	paths, err := filepath.Glob(filepath.Join(dir, "*.dat"))
	if err != nil {
		tb.Fatal(err)
	}
	if len(paths) == 0 {
		tb.Fatalf("ERST corpus folder %s holds no *.dat tables", dir)
	}
	sort.Strings(paths)
	out := make([]CorpusTable, 0, len(paths))
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		dsl := strings.TrimSuffix(p, ".dat") + ".dsl"
		if _, err := os.Stat(dsl); err != nil {
			tb.Fatalf("corpus table %s has no disassembly beside it: %v", p, err)
		}
		out = append(out, CorpusTable{
			Name:    strings.TrimSuffix(filepath.Base(p), ".dat"),
			Path:    p,
			DSLPath: dsl,
			Raw:     raw,
		})
	}
	return out
}

// moduleRoot walks up from the working directory (a package directory
// under `go test`) to the directory holding go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// Acpidump formats table b the way `acpidump` prints it:
//
//	ERST @ 0x00000000BF6B7000
//	    0000: 45 52 53 54 30 02 00 00 01 6A 49 4E 54 45 4C 20  ERST0....jINTEL
//
// followed by a blank line. sig is the heading's signature.
func Acpidump(sig string, addr uint64, b []byte) []byte {
	var s strings.Builder
	fmt.Fprintf(&s, "%s @ 0x%016X\n", sig, addr)
	for off := 0; off < len(b); off += 16 {
		line := b[off:min(off+16, len(b))]
		fmt.Fprintf(&s, "    %04X: %-48s ", off, fmt.Sprintf("% X", line))
		for _, c := range line {
			if c < 0x20 || c >= 0x7f {
				c = '.'
			}
			s.WriteByte(c)
		}
		s.WriteByte('\n')
	}
	s.WriteByte('\n')
	return []byte(s.String())
}
