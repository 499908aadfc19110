package images

import (
	"errors"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/u-root/gobusybox/src/pkg/golang"
	"github.com/u-root/mkuimage/uimage"
	"github.com/u-root/mkuimage/uimage/builder"
)

func touch(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestFindKernel(t *testing.T) {
	dir := t.TempDir()
	boot, mods := filepath.Join(dir, "boot"), filepath.Join(dir, "modules")
	for _, v := range []string{"6.1.0-9-amd64", "6.1.0-10-amd64", "6.1.0-11-cloud-amd64x", "6.1.0-12-arm64"} {
		touch(t, filepath.Join(boot, "vmlinuz-"+v))
	}
	touch(t, filepath.Join(boot, "vmlinuz-6.1.0-13-amd64")) // no modules: skipped
	for _, v := range []string{"6.1.0-9-amd64", "6.1.0-10-amd64", "6.1.0-12-arm64"} {
		if err := os.MkdirAll(filepath.Join(mods, v), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	k, err := FindKernel(boot, mods, "amd64")
	if err != nil {
		t.Fatal(err)
	}
	if k.Version != "6.1.0-10-amd64" || k.Path != filepath.Join(boot, "vmlinuz-6.1.0-10-amd64") || k.Modules != filepath.Join(mods, "6.1.0-10-amd64") {
		t.Errorf("FindKernel = %+v, want 6.1.0-10-amd64 (numeric order, with modules)", k)
	}
	if _, err := FindKernel(filepath.Join(dir, "none"), mods, "amd64"); !errors.Is(err, ErrNoKernel) {
		t.Errorf("FindKernel without kernels: %v, want ErrNoKernel", err)
	}
}

func TestVersionLess(t *testing.T) {
	ordered := []string{"5.10.0-1-amd64", "6.1.0-9-amd64", "6.1.0-10-amd64", "6.1.0-10-rt-amd64", "6.10.0-1-amd64"}
	for i := range ordered {
		for j := range ordered {
			if got := versionLess(ordered[i], ordered[j]); got != (i < j) {
				t.Errorf("versionLess(%s, %s) = %v", ordered[i], ordered[j], got)
			}
		}
	}
}

// fakeModules writes a module tree with modules.dep listing the guest
// modules (plus others) in another order than the load order.
func fakeModules(t *testing.T, suffix map[string]string) Kernel {
	dir := t.TempDir()
	var dep strings.Builder
	names := append([]string{"e1000"}, GuestModules()...)
	slices.Reverse(names)
	for _, n := range names {
		rel := "kernel/drivers/" + strings.ReplaceAll(n, "_", "-") + ".ko" + suffix[n]
		touch(t, filepath.Join(dir, rel))
		dep.WriteString(rel + ": kernel/drivers/virtio.ko\n")
	}
	if err := os.WriteFile(filepath.Join(dir, "modules.dep"), []byte(dep.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return Kernel{Version: "6.1.0-1-amd64", Modules: dir}
}

func TestModuleFiles(t *testing.T) {
	k := fakeModules(t, nil)
	mods, err := k.ModuleFiles()
	if err != nil {
		t.Fatal(err)
	}
	if len(mods) != len(GuestModules()) {
		t.Fatalf("got %d modules, want %d", len(mods), len(GuestModules()))
	}
	for i, m := range mods {
		if m.Name != GuestModules()[i] {
			t.Errorf("module %d is %s, want %s", i, m.Name, GuestModules()[i])
		}
		// Numbered so that u-root's init, which loads them in name
		// order, loads them in dependency order.
		if want := "lib/modules/" + twoDigits(i) + "-" + m.Name + ".ko"; m.Dst != want {
			t.Errorf("module %s goes to %s, want %s", m.Name, m.Dst, want)
		}
		if _, err := os.Stat(m.Src); err != nil {
			t.Error(err)
		}
	}
	if mods[0].Spec() != mods[0].Src+":lib/modules/00-virtio_ring.ko" {
		t.Errorf("Spec = %q", mods[0].Spec())
	}
}

func twoDigits(i int) string { s := strconv.Itoa(i); return strings.Repeat("0", 2-len(s)) + s }

func TestModuleFilesCompressed(t *testing.T) {
	k := fakeModules(t, map[string]string{"9pnet": ".xz"})
	if _, err := k.ModuleFiles(); err == nil || !strings.Contains(err.Error(), "compressed") {
		t.Errorf("ModuleFiles with a .ko.xz: %v, want an error about compression", err)
	}
}

// installedKernel is the machine's Debian kernel (DefaultKernel). Without
// one the test skips, and under CI=true, where make deps installs it,
// fails.
func installedKernel(t *testing.T) Kernel {
	t.Helper()
	k, err := DefaultKernel()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and %v", err)
		}
		t.Skipf("no installed kernel: %v", err)
	}
	return k
}

// The real kernel on this machine, when there is one.
func TestModuleFilesInstalledKernel(t *testing.T) {
	k := installedKernel(t)
	if _, err := k.ModuleFiles(); err != nil {
		t.Error(err)
	}
}

// tools.go must import every u-root command the image holds, or `go mod
// tidy` may drop what building them needs from go.mod and go.sum.
func TestToolsGoListsCoreCommands(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "../tools.go", nil, parser.ImportsOnly)
	if err != nil {
		t.Fatal(err)
	}
	var imports []string
	for _, im := range f.Imports {
		p, _ := strconv.Unquote(im.Path.Value)
		imports = append(imports, p)
	}
	for _, c := range CoreCommands() {
		if !slices.Contains(imports, c) {
			t.Errorf("tools.go does not import %s", c)
		}
	}
}

func TestFindSource(t *testing.T) {
	dir, err := FindSource(".")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "images", "build.go")); err != nil {
		t.Errorf("FindSource = %s, which has no images/build.go", dir)
	}
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "go.mod"), []byte("module example.com/other\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Outside the tree: falls back to where this package was compiled.
	if got, err := FindSource(other); err != nil || got != dir {
		t.Errorf("FindSource(elsewhere) = %q, %v; want %q", got, err, dir)
	}
}

func TestWithGoBuildCache(t *testing.T) {
	o := &uimage.Opts{}
	for _, m := range []uimage.Modifier{
		uimage.WithBusyboxCommands("github.com/u-root/u-root/cmds/core/init"),
		uimage.WithCommands(&golang.BuildOpts{NoStrip: true, ExtraArgs: []string{"-race"}}, builder.Binary, "cmd/test2json"),
		WithGoBuildCache(),
	} {
		if err := m(o); err != nil {
			t.Fatal(err)
		}
	}
	if len(o.Commands) != 2 {
		t.Fatalf("%d command groups, want 2", len(o.Commands))
	}
	for i, c := range o.Commands {
		if c.BuildOpts == nil || !slices.Equal(c.BuildOpts.ExtraArgs[len(c.BuildOpts.ExtraArgs)-1:], []string{"-a=false"}) {
			t.Errorf("group %d: build options %+v, want -a=false last", i, c.BuildOpts)
		}
	}
	if bo := o.Commands[1].BuildOpts; !bo.NoStrip || bo.ExtraArgs[0] != "-race" {
		t.Errorf("the binaries' own options were lost: %+v", bo)
	}
}
