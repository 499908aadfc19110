package style

import (
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const modulePath = "github.com/goerst/erst"

// layers is the table of docs/architecture.md, bottom first: the
// packages of a layer may import those of the layers below it, never
// those of its own layer or of one above. A package the table does not
// name fails the test until it is given its layer.
var layers = [][]string{
	{"internal/enum", "internal/size", "internal/virtioport", "internal/style", "internal/cachedir", "internal/atomicfile", "internal/flock", "internal/textout", "images/guestproto"}, // support
	{"erst/cper"},                                           // records
	{"erst/pstore"},                                         // crash logs
	{"erst/store", "erst/store/storetest"},                  // store
	{"acpi", "acpi/acpitest"},                               // table
	{"acpi/lint", "erst/hw", "internal/guesttest"},          // lint, register bus
	{"erst", "erst/sim", "erst/hw/linuxhw"},                 // interpreter, device
	{"erst/sim/simdriver", "erst/live"},                     // the driver over a simulated device, or the live one
	{"erst/target"},                                         // the device a tool names
	{"erst/sim/simtest"},                                    // the tests' device rig
	{"erst/bench", "erst/batch"},                            // over the driver: the benchmark, batch writes
	{"erst/pshed", "erst/torture"},                          // PSHED contract, stress records
	{"erst/pshed/pshedtest", "erst/pshed/remote"},           // conformance suite, wire
	{"erst/conform", "images"},                              // a platform's checks, the guest image
	{"internal/vm", "images/guestinit", "images/livecheck"}, // QEMU, the guest's agent, the bootable check
	{"vmtest"},       // harness
	{"internal/cli"}, // the commands' subcommand framework
	{"cmd/erst", "cmd/erstvm", "images/cmd/mkinitramfs", "images/cmd/testlog", "images/cmd/mkimage", "images/erstlive", "mk/mutate"}, // commands
}

// TestLayers holds the module's imports to the layer table: data flows
// one way, and a package reaches only what lies under it.
func TestLayers(t *testing.T) {
	imports, err := moduleImports(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if len(imports) < 20 {
		t.Fatalf("found %d packages; the walk missed the module", len(imports))
	}
	for _, p := range checkLayers(layers, imports) {
		t.Error(p)
	}
}

// TestLayersCatchesUpwardImports shows the check failing: an import from
// a layer into one above it, into its own layer, and a package the table
// does not know.
func TestLayersCatchesUpwardImports(t *testing.T) {
	imports := map[string][]string{
		"erst/cper":   {"internal/enum"}, // down: fine
		"erst/store":  {"erst"},          // up
		"erst/sim":    {"erst"},          // its own layer
		"erst/newpkg": {"acpi"},          // not in the table
		"acpi":        {"internal/enum", "erst/cper", "erst/store"},
	}
	got := checkLayers(layers, imports)
	for _, want := range []string{
		"erst/store imports erst",
		"erst/sim imports erst",
		"erst/newpkg has no layer",
	} {
		if !slices.ContainsFunc(got, func(p string) bool { return strings.HasPrefix(p, want) }) {
			t.Errorf("no problem reported for %q; got %q", want, got)
		}
	}
	if len(got) != 3 {
		t.Errorf("got %d problems, want 3: %q", len(got), got)
	}
}

// checkLayers returns one line per import the table forbids and per
// package it does not name.
func checkLayers(layers [][]string, imports map[string][]string) []string {
	layer := map[string]int{}
	for i, row := range layers {
		for _, p := range row {
			layer[p] = i
		}
	}
	var pkgs []string
	for p := range imports {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	var problems []string
	for _, p := range pkgs {
		lp, ok := layer[p]
		if !ok {
			problems = append(problems, p+" has no layer: add it to the table in layers_test.go and docs/architecture.md")
			continue
		}
		for _, q := range imports[p] {
			if lq, ok := layer[q]; ok && lq >= lp {
				problems = append(problems, fmt.Sprintf("%s imports %s: layer %d may import only layers below it, and %s is in layer %d", p, q, lp, q, lq))
			}
		}
	}
	return problems
}

// moduleImports maps each package of the module under root (its path
// relative to the module, "" for the root) to the module packages its
// non-test files import, whatever their build constraints.
func moduleImports(root string) (map[string][]string, error) {
	fset := token.NewFileSet()
	out := map[string][]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); path != root && (n == "build" || n == "testdata" || strings.HasPrefix(n, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(fset, path, src, parser.ImportsOnly|parser.ParseComments)
		if err != nil {
			return err
		}
		if strings.HasPrefix(string(src), "//go:build tools") {
			return nil // the tools file pins versions; it is never built
		}
		rel, err := filepath.Rel(root, filepath.Dir(path))
		if err != nil {
			return err
		}
		pkg := filepath.ToSlash(rel)
		if pkg == "." {
			pkg = ""
		}
		if _, ok := out[pkg]; !ok {
			out[pkg] = nil
		}
		for _, s := range f.Imports {
			q, err := strconv.Unquote(s.Path.Value)
			if err != nil {
				return err
			}
			if q == modulePath || strings.HasPrefix(q, modulePath+"/") {
				q = strings.TrimPrefix(strings.TrimPrefix(q, modulePath), "/")
				if !slices.Contains(out[pkg], q) {
					out[pkg] = append(out[pkg], q)
				}
			}
		}
		return nil
	})
	return out, err
}
