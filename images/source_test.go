package images

import (
	"errors"
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
