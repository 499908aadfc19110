package style

import (
	"bytes"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportGroups checks goimports' grouping as the house style wants it
// in every Go file of the module: the standard library first, a blank
// line, then everything else, in one group each. (goimports itself keeps
// any grouping it finds.) The tools file, one group per purpose, is exempt.
func TestImportGroups(t *testing.T) {
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	n := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "build", "testdata", ".git":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.HasPrefix(src, []byte("//go:build tools")) {
			return nil
		}
		f, err := parser.ParseFile(fset, path, src, parser.ImportsOnly|parser.ParseComments)
		if err != nil {
			return err
		}
		n++
		var groups [][]bool // per group, whether each import is std
		prevEnd := -1
		for _, s := range f.Imports {
			start := s.Pos()
			if s.Doc != nil {
				start = s.Doc.Pos()
			}
			if s.Name != nil && s.Name.Pos() < start {
				start = s.Name.Pos()
			}
			off := fset.Position(start).Offset
			if prevEnd < 0 || bytes.Contains(src[prevEnd:off], []byte("\n\n")) {
				groups = append(groups, nil)
			}
			p, _ := strconv.Unquote(s.Path.Value)
			std := !strings.Contains(strings.Split(p, "/")[0], ".")
			groups[len(groups)-1] = append(groups[len(groups)-1], std)
			prevEnd = fset.Position(s.End()).Offset
		}
		if msg := checkGroups(groups); msg != "" {
			rel, _ := filepath.Rel(root, path)
			t.Errorf("%s: imports %s; want the standard library, a blank line, then the rest", rel, msg)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 100 {
		t.Fatalf("checked only %d files: is the module root %s?", n, root)
	}
}

// checkGroups describes what is wrong with groups, or returns "".
func checkGroups(groups [][]bool) string {
	var kinds []bool
	for _, g := range groups {
		for _, std := range g[1:] {
			if std != g[0] {
				return "mix the standard library and others in one group"
			}
		}
		kinds = append(kinds, g[0])
	}
	switch {
	case len(kinds) > 2:
		return "are in " + strconv.Itoa(len(kinds)) + " groups"
	case len(kinds) == 2 && !(kinds[0] && !kinds[1]):
		return "are in two groups that are not the standard library then the rest"
	}
	return ""
}

func TestCheckGroups(t *testing.T) {
	for _, tc := range []struct {
		groups [][]bool
		ok     bool
	}{
		{nil, true},
		{[][]bool{{true, true}}, true},
		{[][]bool{{false}}, true},
		{[][]bool{{true}, {false, false}}, true},
		{[][]bool{{true, false}}, false},
		{[][]bool{{true}, {false}, {false}}, false},
		{[][]bool{{false}, {true}}, false},
		{[][]bool{{true}, {true}}, false},
	} {
		if got := checkGroups(tc.groups) == ""; got != tc.ok {
			t.Errorf("checkGroups(%v) ok = %v, want %v", tc.groups, got, tc.ok)
		}
	}
}
