//go:build vmtest

package vmtest

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/module"
	modzip "golang.org/x/mod/zip"
)

// extVersion is the version of erst that TestExternalModule serves from
// its module proxy directory: one no real release will have.
const extVersion = "v0.99.0"

// TestExternalModule uses erst as a project outside it does, through Go's
// module machinery and nothing of this checkout's: it builds a module
// proxy directory holding this checkout as github.com/goerst/erst
// extVersion (.info, .mod and .zip under @v/, from the files git tracks
// or would track), and in a fresh GOMODCACHE and a fresh HOME (so erst's
// cache is the default one under HOME, and is empty) it
//   - runs testdata/extmod, a module that requires erst at that version
//     (no replace) and imports only vmtest, erst/pshed and
//     erst/pshed/pshedtest: its test boots a guest on a store file, runs
//     the conformance suite from the host, writes records, kills QEMU,
//     restarts it and reads every record back;
//   - runs go run github.com/goerst/erst/cmd/erstvm@extVersion -- info.
//
// GOPROXY is the directory, then the configured proxy for the other
// modules; GONOSUMDB keeps the checksum database out of erst's way. While
// both run, erst's directory in the module cache is a read-only bind
// mount, so that a write into it (the initramfs built beside the source,
// a saved guest) fails as it does for any user, root or not. The Go build
// cache stays the configured one: it is not erst's to manage, and a cold
// one would only cost minutes.
func TestExternalModule(t *testing.T) {
	t.Parallel()
	prerequisites(t)
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	proxy := t.TempDir()
	writeModuleProxy(t, root, proxy, extVersion)

	goEnv := func(name string) string {
		out, err := exec.Command("go", "env", name).Output()
		if err != nil {
			t.Fatalf("go env %s: %v", name, err)
		}
		return strings.TrimSpace(string(out))
	}
	upstream, gocache := goEnv("GOPROXY"), goEnv("GOCACHE")
	home, modcache := t.TempDir(), t.TempDir()
	var env []string
	for _, kv := range os.Environ() {
		switch name, _, _ := strings.Cut(kv, "="); name {
		case "HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "ERST_CACHE", "GOPATH", "GOMODCACHE", "GOPROXY",
			"GONOSUMDB", "GONOPROXY", "GOPRIVATE", "GOFLAGS", "GOCACHE", "GOENV", "GOWORK":
		default:
			env = append(env, kv)
		}
	}
	env = append(env, "HOME="+home, "GOMODCACHE="+modcache, "GOCACHE="+gocache,
		"GOPROXY=file://"+filepath.ToSlash(proxy)+","+upstream, "GONOSUMDB=github.com/goerst/erst", "GOFLAGS=-buildvcs=false")
	// Go makes the module cache read-only; as root RemoveAll gets through
	// anyway, as another user it needs this.
	t.Cleanup(func() {
		cmd := exec.Command("go", "clean", "-modcache")
		cmd.Env = env
		cmd.Run()
	})
	run := func(dir string, name string, args ...string) []byte {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir, cmd.Env = dir, env
		start := time.Now()
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s in %s: %v\n%s", name, strings.Join(args, " "), dir, err, out)
		}
		t.Logf("%s %s: %.0fs", name, strings.Join(args, " "), time.Since(start).Seconds())
		return out
	}

	// The client module: go.mod and the test from testdata/extmod, and
	// erst's go.sum, which has the checksums of every module erst needs.
	client := t.TempDir()
	for _, f := range []string{"testdata/extmod/go.mod", "testdata/extmod/harness_test.go", "../go.sum"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(client, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run(client, "go", "mod", "tidy")
	erstDir := filepath.Join(modcache, "github.com", "goerst", "erst@"+extVersion)
	if _, err := os.Stat(filepath.Join(erstDir, "go.mod")); err != nil {
		t.Fatalf("go mod tidy did not put erst %s in the module cache: %v", extVersion, err)
	}
	readOnlyBind(t, erstDir)

	out := run(client, "go", "test", "-count=1", "-v", "-timeout", "20m", ".")
	if !bytes.Contains(out, []byte("--- PASS: TestRecordsSurviveAPowerCut")) || !bytes.Contains(out, []byte("--- PASS: TestRecordsSurviveAPowerCut/conformance/StoreFull")) || bytes.Contains(out, []byte("--- SKIP")) {
		t.Errorf("the external module's test did not pass every check:\n%s", out)
	}
	for _, l := range bytes.Split(out, []byte("\n")) {
		if bytes.Contains(l, []byte("vmtest: boot")) || bytes.HasPrefix(l, []byte("ok ")) {
			t.Logf("%s", bytes.TrimSpace(l))
		}
	}

	work := t.TempDir()
	out = run(work, "go", "run", "github.com/goerst/erst/cmd/erstvm@"+extVersion, "-store-size", "64K", "--", "info")
	if !bytes.Contains(out, []byte("error log range: 0x")) {
		t.Errorf("erstvm -- info printed no device information:\n%s", out)
	}
	t.Logf("erstvm -- info:\n%s", out)

	// What they built and saved is in erst's default cache under HOME.
	cache := filepath.Join(home, ".cache", "erst")
	for _, pattern := range []string{"initramfs/initramfs-*.cpio", "resume/guest-*.state"} {
		if m, _ := filepath.Glob(filepath.Join(cache, pattern)); len(m) == 0 {
			t.Errorf("nothing matches %s in %s", pattern, cache)
		}
	}
}

// readOnlyBind makes dir a read-only bind mount of itself until the test
// ends: writes into it fail for root too, as chmod cannot make them. It
// needs root (CAP_SYS_ADMIN); without, the test goes on with dir as Go
// left it (read-only for everyone but root), and says so, except on CI.
func readOnlyBind(t *testing.T, dir string) {
	t.Helper()
	if out, err := exec.Command("mount", "--bind", dir, dir).CombinedOutput(); err != nil {
		if onCI() {
			t.Fatalf("CI=true: mount --bind %s: %v: %s", dir, err, out)
		}
		t.Logf("no read-only bind mount of %s (mount --bind: %v: %s); going on with Go's file modes", dir, err, bytes.TrimSpace(out))
		return
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	if out, err := exec.Command("mount", "-o", "remount,bind,ro", dir).CombinedOutput(); err != nil {
		t.Fatalf("mount -o remount,bind,ro %s: %v: %s", dir, err, out)
	}
	probe := filepath.Join(dir, "write-probe")
	if err := os.WriteFile(probe, nil, 0o644); err == nil {
		os.Remove(probe)
		t.Fatalf("%s: a file could be written after the read-only remount", dir)
	}
}

// writeModuleProxy writes the module at root as version into a module
// proxy directory (GOPROXY=file://dir; the GOPROXY protocol of
// cmd/go's "Module proxy protocol"): list, .info, .mod and .zip under
// dir/<module path>/@v/. The zip holds the files git tracks or would
// track (git ls-files: committed, changed and new but not ignored), as
// in a clean clone of the working tree.
func writeModuleProxy(t *testing.T, root, dir, version string) {
	t.Helper()
	const path = "github.com/goerst/erst"
	out, err := exec.Command("git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		t.Fatalf("git ls-files in %s (the module proxy is built from a git checkout): %v", root, err)
	}
	var files []modzip.File
	for _, name := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		// A file deleted in the working tree but not in the index.
		if _, err := os.Lstat(filepath.Join(root, name)); err == nil {
			files = append(files, proxyFile{root, filepath.ToSlash(name)})
		}
	}
	v := filepath.Join(dir, path, "@v")
	if err := os.MkdirAll(v, 0o755); err != nil {
		t.Fatal(err)
	}
	var zbuf bytes.Buffer
	if err := modzip.Create(&zbuf, module.Version{Path: path, Version: version}, files); err != nil {
		t.Fatalf("zipping %s as %s@%s: %v", root, path, version, err)
	}
	// What was left out (nested modules such as testdata/extmod) is not
	// an error, and the zip must still hold the commands.
	zr, err := zip.NewReader(bytes.NewReader(zbuf.Bytes()), int64(zbuf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fs.Stat(zr, path+"@"+version+"/cmd/erstvm/main.go"); err != nil {
		t.Fatalf("the module zip has no cmd/erstvm: %v", err)
	}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	info, _ := json.Marshal(struct{ Version, Time string }{version, time.Now().UTC().Format(time.RFC3339)})
	for name, b := range map[string][]byte{
		"list": []byte(version + "\n"), version + ".info": info, version + ".mod": gomod, version + ".zip": zbuf.Bytes(),
	} {
		if err := os.WriteFile(filepath.Join(v, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// proxyFile is a file of the checkout for modzip.Create.
type proxyFile struct{ root, name string }

func (f proxyFile) Path() string                 { return f.name }
func (f proxyFile) Lstat() (os.FileInfo, error)  { return os.Lstat(filepath.Join(f.root, f.name)) }
func (f proxyFile) Open() (io.ReadCloser, error) { return os.Open(filepath.Join(f.root, f.name)) }
