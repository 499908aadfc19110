package images

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/goerst/erst/internal/cachedir"
	"github.com/u-root/gobusybox/src/pkg/golang"
	"github.com/u-root/mkuimage/uimage"
	"github.com/u-root/uio/llog"
)

// ModulePath is the erst module, whose commands go into the image.
const ModulePath = "github.com/goerst/erst"

// The guest's own commands.
const (
	ErstCommand      = ModulePath + "/cmd/erst"
	GuestInitCommand = ModulePath + "/images/guestinit"
)

// CoreCommands are the u-root commands in the image: init, a shell and
// what a person debugging the guest reaches for (files, kernel log,
// mounts, PCI devices, raw port and memory I/O, power off).
func CoreCommands() []string {
	names := []string{
		"init", "gosh",
		"cat", "cmp", "cp", "dd", "df", "dmesg", "echo", "false", "find", "free", "grep", "head",
		"hexdump", "insmod", "io", "ln", "ls", "lsmod", "md5sum", "mkdir", "more", "mount", "mv",
		"pci", "poweroff", "printenv", "ps", "pwd", "readlink", "rm", "shutdown", "sleep",
		"strings", "sync", "tail", "true", "umount", "uname", "uptime", "wc",
	}
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "github.com/u-root/u-root/cmds/core/" + n
	}
	return out
}

// Config describes an initramfs to build.
type Config struct {
	// Source is the root of the erst module checkout (the directory
	// holding go.mod). The commands are built from it, with the versions
	// its go.mod pins.
	Source string
	// Kernel provides the modules (GuestModules).
	Kernel Kernel
	// CacheDir holds built images; default the cache root's initramfs
	// directory (package internal/cachedir: $ERST_CACHE/initramfs, else
	// os.UserCacheDir()/erst/initramfs). Nothing is written into Source,
	// which may be read-only (Go's module cache).
	CacheDir string
	// GOARCH of the guest; default amd64.
	GOARCH string
	// Logf, when set, receives progress messages.
	Logf func(format string, args ...any)
	// Uinit is the command u-root's init runs; default "guestinit".
	Uinit string
	// Commands are the erst module's commands in the image besides
	// CoreCommands; default ErstCommand and GuestInitCommand.
	Commands []string
	// Modules are the kernel modules, in load order; default
	// GuestModules.
	Modules []string
}

// Build returns an initramfs for c: the cached one when one was built from
// the same inputs, else a new one. The inputs are the Go version, go.mod
// and go.sum, the command list, the kernel modules and every source file
// of the erst module's packages that the guest's commands import; a
// change in any of them gives a new image. built says whether it was
// built now.
func Build(c Config) (path string, built bool, err error) {
	if c.GOARCH == "" {
		c.GOARCH = "amd64"
	}
	if c.CacheDir == "" {
		if c.CacheDir, err = cachedir.Dir(cachedir.Initramfs); err != nil {
			return "", false, err
		}
	}
	logf := c.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	if c.Uinit == "" {
		c.Uinit = "guestinit"
	}
	mods, err := c.Kernel.ModuleFilesFor(c.modules())
	if err != nil {
		return "", false, err
	}
	key, err := c.key(mods)
	if err != nil {
		return "", false, err
	}
	path = filepath.Join(c.CacheDir, "initramfs-"+key[:16]+".cpio")
	if _, err := os.Stat(path); err == nil {
		return path, false, nil
	}
	if err := os.MkdirAll(c.CacheDir, 0o755); err != nil {
		return "", false, err
	}
	// Another process building the same image: wait for it, and use its.
	unlock, err := cachedir.Lock(context.Background(), path)
	if err != nil {
		return "", false, err
	}
	defer unlock()
	if _, err := os.Stat(path); err == nil {
		return path, false, nil
	}
	cachedir.RemoveStale(c.CacheDir, "_tmp-*")
	// A leading underscore: go build ./... ignores the directory, so
	// a build in progress, or one killed half-way, cannot break it.
	tmp, err := os.MkdirTemp(c.CacheDir, "_tmp-")
	if err != nil {
		return "", false, err
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, "initramfs.cpio")
	specs, err := c.Kernel.StageModules(mods, filepath.Join(tmp, "modules"))
	if err != nil {
		return "", false, err
	}
	logf("building %s (kernel %s modules)", path, c.Kernel.Version)
	l := llog.New(slog.LevelWarn, func(format string, v ...any) { logf(format, v...) })
	err = uimage.Create(l,
		uimage.WithReplaceEnv(golang.Default(golang.DisableCGO(), golang.WithGOARCH(c.GOARCH), golang.WithWorkingDir(c.Source))),
		uimage.WithBaseArchive(uimage.DefaultRamfs()),
		uimage.WithBusyboxCommands(c.commands()...),
		WithGoBuildCache(),
		uimage.WithInit("init"),
		uimage.WithUinit(c.Uinit),
		uimage.WithShell("gosh"),
		uimage.WithFiles(specs...),
		uimage.WithSkipLDD(),
		uimage.WithCPIOOutput(out),
		uimage.WithTempDir(tmp),
	)
	if err != nil {
		return "", false, fmt.Errorf("building the initramfs: %w", err)
	}
	if err := os.Rename(out, path); err != nil {
		return "", false, err
	}
	for _, p := range cachedir.Prune(c.CacheDir, "initramfs-*.cpio", cachedir.KeepInitramfs, path, ".lock") {
		logf("removed old image %s", p)
	}
	return path, true, nil
}

// BusyboxBuildOpts are the go build options for an image's busybox.
// gobusybox passes -a, so that every image rebuilt the standard library
// and every dependency from scratch (about 60 s of CPU on these
// machines, with a warm Go cache as with a cold one); -a=false after it
// (go build's flags: the last one wins) lets go build use its cache. The
// binary is the same: gobusybox's other flags (-trimpath, no build ID)
// keep it reproducible either way.
func BusyboxBuildOpts() *golang.BuildOpts {
	return &golang.BuildOpts{ExtraArgs: []string{"-a=false"}}
}

// WithGoBuildCache is a uimage modifier that gives every command group
// of an image, busybox and binaries alike, [BusyboxBuildOpts]' -a=false,
// keeping the group's other options. It must come after the modifiers
// that add commands; vmtest's guests get it with
// govmtest.WithUimage(images.WithGoBuildCache()), which govmtest applies
// after its own commands (its busybox and cmd/test2json).
func WithGoBuildCache() uimage.Modifier {
	return func(o *uimage.Opts) error {
		for i := range o.Commands {
			var bo golang.BuildOpts
			if o.Commands[i].BuildOpts != nil {
				bo = *o.Commands[i].BuildOpts
			}
			bo.ExtraArgs = append(slices.Clone(bo.ExtraArgs), BusyboxBuildOpts().ExtraArgs...)
			o.Commands[i].BuildOpts = &bo
		}
		return nil
	}
}

func (c Config) commands() []string {
	own := c.Commands
	if own == nil {
		own = []string{ErstCommand, GuestInitCommand}
	}
	return append(CoreCommands(), own...)
}

func (c Config) modules() []string {
	if c.Modules == nil {
		return GuestModules()
	}
	return c.Modules
}

// ownPackages are the erst module's commands in the image, as go list
// patterns relative to the module root ("./cmd/erst").
func (c Config) ownPackages() []string {
	var pkgs []string
	for _, cmd := range c.commands() {
		if rest, ok := strings.CutPrefix(cmd, ModulePath+"/"); ok {
			pkgs = append(pkgs, "./"+rest)
		}
	}
	return pkgs
}

// key hashes every input of the image.
func (c Config) key(mods []ModuleFile) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "erst initramfs v2\nGOARCH=%s\nmodule signatures kept: %v\n", c.GOARCH, c.Kernel.EnforcesSignatures())
	goVersion, err := c.goCmd("env", "GOVERSION")
	if err != nil {
		return "", err
	}
	fmt.Fprintf(h, "go %s\n", goVersion)
	for _, cmd := range c.commands() {
		fmt.Fprintf(h, "command %s\n", cmd)
	}
	if c.Uinit != "guestinit" {
		fmt.Fprintf(h, "uinit %s\n", c.Uinit)
	}
	for _, f := range []string{"go.mod", "go.sum"} {
		if err := hashFile(h, filepath.Join(c.Source, f), f); err != nil {
			return "", err
		}
	}
	for _, m := range mods {
		if err := hashFile(h, m.Src, m.Dst); err != nil {
			return "", err
		}
	}
	// The erst module's packages the guest commands import.
	dirs, err := c.goCmd(append([]string{"list", "-deps", "-f", "{{if .Module}}{{if .Module.Main}}{{.Dir}}{{end}}{{end}}"}, c.ownPackages()...)...)
	if err != nil {
		return "", err
	}
	for _, dir := range strings.Fields(dirs) {
		ents, err := os.ReadDir(dir)
		if err != nil {
			return "", err
		}
		for _, e := range ents {
			if !e.Type().IsRegular() || strings.HasSuffix(e.Name(), "_test.go") {
				continue
			}
			rel, _ := filepath.Rel(c.Source, filepath.Join(dir, e.Name()))
			if err := hashFile(h, filepath.Join(dir, e.Name()), rel); err != nil {
				return "", err
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// goCmd runs the go command in the source tree for the guest's platform.
func (c Config) goCmd(args ...string) (string, error) {
	cmd := exec.Command("go", args...)
	cmd.Dir = c.Source
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+c.GOARCH, "CGO_ENABLED=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

func hashFile(h io.Writer, path, name string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fh := sha256.New()
	if _, err := io.Copy(fh, f); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	fmt.Fprintf(h, "file %s %x\n", name, fh.Sum(nil))
	return nil
}

// ErrNoSource: the erst module's source tree was not found.
var ErrNoSource = errors.New("cannot find the erst source tree (go.mod of " + ModulePath + ")")

// FindSource returns the root of the erst module: the first directory
// from start upwards whose go.mod declares [ModulePath], else the tree this
// package was compiled from, if it is still there (a checkout, or the
// module's directory in Go's module cache), else that directory for the
// erst version in the program's build info (go mod download).
func FindSource(start string) (string, error) {
	if dir, ok := findUp(start); ok {
		return dir, nil
	}
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		if dir, ok := findUp(filepath.Dir(file)); ok {
			return dir, nil
		}
	}
	return sourceFromBuildInfo()
}

func findUp(dir string) (string, bool) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", false
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && modulePathOf(b) == ModulePath {
			return dir, true
		} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", false
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

func modulePathOf(gomod []byte) string {
	for _, line := range strings.Split(string(gomod), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "module" {
			return strings.Trim(f[1], `"`)
		}
	}
	return ""
}

// ConfigFor returns the Config of the erst source tree src (empty: found
// from the current directory, [FindSource]) and the kernel image kernel
// (empty: the newest installed, [KernelFor]), with logf for progress.
// The commands that build images start from it.
func ConfigFor(src, kernel string, logf func(format string, args ...any)) (Config, error) {
	if src == "" {
		var err error
		if src, err = FindSource("."); err != nil {
			return Config{}, err
		}
	}
	k, err := KernelFor(kernel)
	if err != nil {
		return Config{}, err
	}
	return Config{Source: src, Kernel: k, Logf: logf}, nil
}
