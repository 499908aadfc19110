package images

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
)

func TestErstModule(t *testing.T) {
	at := func(v string) debug.Module { return debug.Module{Path: ModulePath, Version: v} }
	released := at("v0.99.0")
	for _, tc := range []struct {
		name string
		bi   debug.BuildInfo
		want string // version, or "" for ErrNoSource
	}{
		{"go run erstvm@version", debug.BuildInfo{Main: released}, "v0.99.0"},
		{"a project requiring erst", debug.BuildInfo{Main: debug.Module{Path: "example.com/p"}, Deps: []*debug.Module{&released}}, "v0.99.0"},
		{"built in a checkout", debug.BuildInfo{Main: at("(devel)")}, ""},
		{"replaced by a directory", debug.BuildInfo{Main: debug.Module{Path: "example.com/p"}, Deps: []*debug.Module{{Path: ModulePath, Version: "v0.99.0", Replace: &debug.Module{Path: "../erst"}}}}, ""},
		{"replaced by a fork", debug.BuildInfo{Main: debug.Module{Path: "example.com/p"}, Deps: []*debug.Module{{Path: ModulePath, Version: "v0.99.0", Replace: &debug.Module{Path: "example.com/fork", Version: "v1.0.0"}}}}, ""},
		{"no erst at all", debug.BuildInfo{Main: debug.Module{Path: "example.com/p"}}, ""},
	} {
		m, err := erstModule(&tc.bi)
		switch {
		case tc.want == "" && !errors.Is(err, ErrNoSource):
			t.Errorf("%s: erstModule = %+v, %v; want ErrNoSource", tc.name, m, err)
		case tc.want != "" && (err != nil || m.Path != ModulePath || m.Version != tc.want):
			t.Errorf("%s: erstModule = %+v, %v; want %s %s", tc.name, m, err, ModulePath, tc.want)
		}
	}
}

// ConfigFor finds the source from the working directory when none is
// given, and takes the kernel file given; a missing kernel is an error.
func TestConfigFor(t *testing.T) {
	k := filepath.Join(t.TempDir(), "vmlinuz-6.1.0-99-amd64")
	if err := os.WriteFile(k, []byte("kernel"), 0o644); err != nil {
		t.Fatal(err)
	}
	logged := false
	c, err := ConfigFor("", k, func(string, ...any) { logged = true })
	if err != nil {
		t.Fatal(err)
	}
	want, err := FindSource(".")
	if err != nil {
		t.Fatal(err)
	}
	if c.Source != want || c.Kernel.Path != k || c.Kernel.Version != "6.1.0-99-amd64" || c.Logf == nil {
		t.Errorf("ConfigFor(\"\", %s) = source %q, kernel %+v; want source %q and that kernel", k, c.Source, c.Kernel, want)
	}
	c.Logf("x")
	if !logged {
		t.Error("Logf is not the one given")
	}
	if c, err := ConfigFor("/src", k, nil); err != nil || c.Source != "/src" {
		t.Errorf("ConfigFor(/src) = %q, %v; want the source given", c.Source, err)
	}
	if _, err := ConfigFor("/src", k+".missing", nil); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ConfigFor with a missing kernel: %v, want ErrNotExist", err)
	}
}
