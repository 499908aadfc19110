package images

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime/debug"
)

// sourceFromBuildInfo returns the erst module's directory in Go's module
// cache for the version this program was built with (its build info),
// downloading it there when missing (go mod download). It is what
// FindSource falls back on in a program built without its source paths
// (go install -trimpath, or a binary copied elsewhere). A program built
// in a checkout (version "(devel)") has no version to download.
func sourceFromBuildInfo() (string, error) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "", fmt.Errorf("%w: no build info", ErrNoSource)
	}
	m, err := erstModule(bi)
	if err != nil {
		return "", err
	}
	cmd := exec.Command("go", "mod", "download", "-json", m.Path+"@"+m.Version)
	// Outside any module: the download must not depend on, or change, the
	// current directory's go.mod.
	cmd.Dir = os.TempDir()
	cmd.Env = append(os.Environ(), "GO111MODULE=on", "GOWORK=off")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var dl struct{ Dir, Error string }
	if jerr := json.Unmarshal(out, &dl); err == nil && jerr == nil && dl.Error == "" && dl.Dir != "" {
		if _, err := os.Stat(dl.Dir); err == nil {
			return dl.Dir, nil
		}
	}
	why := dl.Error
	if why == "" {
		why = fmt.Sprint(err, ": ", bytes.TrimSpace(stderr.Bytes()))
	}
	return "", fmt.Errorf("%w: go mod download %s@%s: %s", ErrNoSource, m.Path, m.Version, why)
}

// erstModule is the erst module version in bi: the main module's or a
// dependency's, a version that go mod download can fetch.
func erstModule(bi *debug.BuildInfo) (*debug.Module, error) {
	m := &bi.Main
	if m.Path != ModulePath {
		m = nil
		for _, d := range bi.Deps {
			if d.Path == ModulePath {
				m = d
				break
			}
		}
	}
	if m != nil && m.Replace != nil {
		m = m.Replace
	}
	if m == nil || m.Version == "" || m.Version == "(devel)" {
		return nil, fmt.Errorf("%w: built from a checkout that is gone, or without %s", ErrNoSource, ModulePath)
	}
	if m.Path != ModulePath {
		return nil, fmt.Errorf("%w: replaced by %s %s", ErrNoSource, m.Path, m.Version)
	}
	return m, nil
}
