package vmtest

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/goerst/erst/erst/pshed/pshedtest"
)

// erstDir is package erst's directory, from this package's (go test runs
// a test in its package's directory).
const erstDir = "../erst"

// liveTests are erst's tests that run on every kind of device, and so on
// QEMU's in a guest (subtests named "qemu"), read from erst's test files
// so that a new one cannot be left out: each top-level test whose body
// calls forEachDevice, and each that ranges over deviceKinds() to run the
// PSHED suite (pshedtest.TestPersistence), one name per check.
func liveTests(t *testing.T) []string {
	t.Helper()
	names, err := deviceTests(erstDir)
	if err != nil {
		t.Fatalf("listing erst's device tests: %v", err)
	}
	return names
}

// deviceTests parses the _test.go files of dir; see liveTests.
func deviceTests(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*_test.go"))
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	var names []string
	for _, path := range files {
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || fn.Body == nil || !strings.HasPrefix(fn.Name.Name, "Test") {
				continue
			}
			each, kinds, suite := false, false, false
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				switch f := call.Fun.(type) {
				case *ast.Ident:
					each = each || f.Name == "forEachDevice"
					kinds = kinds || f.Name == "deviceKinds"
				case *ast.SelectorExpr:
					if x, ok := f.X.(*ast.Ident); ok && x.Name == "pshedtest" && f.Sel.Name == "TestPersistence" {
						suite = true
					}
				}
				return true
			})
			switch {
			case each && kinds:
				return nil, fmt.Errorf("%s: %s both calls forEachDevice and ranges over deviceKinds: teach liveTests its subtests", fset.Position(fn.Pos()), fn.Name.Name)
			case each:
				names = append(names, fn.Name.Name+"/qemu")
			case kinds && suite:
				for _, c := range pshedtest.Checks() {
					names = append(names, fn.Name.Name+"/qemu/"+c.Name)
				}
			case kinds:
				return nil, fmt.Errorf("%s: %s ranges over deviceKinds without the PSHED suite: teach liveTests its subtests", fset.Position(fn.Pos()), fn.Name.Name)
			}
		}
	}
	return names, nil
}

// The derived list holds device tests erst has today (a derivation that
// found none would run nothing on QEMU), and a device test added to
// erst's files joins it while a test on the simulator alone does not.
func TestLiveTestsFromErstSources(t *testing.T) {
	names := liveTests(t)
	for _, want := range []string{
		"TestWriteReadClearRoundTrip/qemu",
		"TestWriteStampsPersistenceSignature/qemu",
		"TestOverwriteKeepsOneRecord/qemu",
		"TestIDsSurviveAStaleCursor/qemu",
		"TestMissingRecordStatuses/qemu",
		"TestFullStore/qemu",
		"TestDummyWrite/qemu",
		"TestTraceNamesActions/qemu",
		"TestConformanceExchangeBuffer/qemu/" + pshedtest.Checks()[0].Name,
	} {
		if !slices.Contains(names, want) {
			t.Errorf("liveTests lacks %s: %q", want, names)
		}
	}

	dir := t.TempDir()
	src := `package erst_test

import "testing"

func TestNew(t *testing.T) {
	forEachDevice(t, func(t *testing.T, d *dut) {})
}

func TestSimOnly(t *testing.T) {}
`
	if err := os.WriteFile(filepath.Join(dir, "new_test.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := deviceTests(dir); err != nil || !slices.Equal(got, []string{"TestNew/qemu"}) {
		t.Errorf("deviceTests on a file with one new device test: %q, %v", got, err)
	}
}
