// Package images describes and builds the guest that erstvm and the VM
// tests boot: the host's Debian kernel (package linux-image-amd64), the
// virtio and 9p modules it needs as modules, and a u-root initramfs with
// the erst command, the guest agent (guestinit) and the u-root core
// commands a person debugging a guest wants.
//
// Everything is derived from the files on the host and from go.mod, which
// pins u-root, mkuimage and vmtest (tools.go keeps them there), so the same
// checkout builds the same image. Build only reads the module (a checkout,
// or Go's read-only module cache) and caches the initramfs in erst's cache
// root (package internal/cachedir: $ERST_CACHE, else
// os.UserCacheDir()/erst), keyed by a hash of every input.
package images

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Kernel is a bootable kernel image and its module tree.
type Kernel struct {
	Path    string // /boot/vmlinuz-6.1.0-56-amd64
	Version string // 6.1.0-56-amd64, from the file name
	Modules string // /lib/modules/6.1.0-56-amd64
}

// Where Debian installs kernels and their modules.
const (
	DefaultBootDir    = "/boot"
	DefaultModulesDir = "/lib/modules"
)

// ErrNoKernel: no usable kernel is installed.
var ErrNoKernel = errors.New("no Debian kernel found (install linux-image-amd64: make -f mk/vm.mk deps)")

// FindKernel returns the newest /boot/vmlinuz-<version> whose version ends
// in -<flavour> (e.g. "amd64") and that has a module tree
// modulesDir/<version>. The version comes from the file name and never
// from the running kernel (uname -r): the host may run another one.
func FindKernel(bootDir, modulesDir, flavour string) (Kernel, error) {
	paths, err := filepath.Glob(filepath.Join(bootDir, "vmlinuz-*"))
	if err != nil {
		return Kernel{}, err
	}
	var ks []Kernel
	for _, p := range paths {
		v := strings.TrimPrefix(filepath.Base(p), "vmlinuz-")
		if flavour != "" && !strings.HasSuffix(v, "-"+flavour) {
			continue
		}
		md := filepath.Join(modulesDir, v)
		if fi, err := os.Stat(md); err != nil || !fi.IsDir() {
			continue
		}
		ks = append(ks, Kernel{Path: p, Version: v, Modules: md})
	}
	if len(ks) == 0 {
		return Kernel{}, fmt.Errorf("%s/vmlinuz-*-%s with modules in %s: %w", bootDir, flavour, modulesDir, ErrNoKernel)
	}
	sort.Slice(ks, func(i, j int) bool { return versionLess(ks[i].Version, ks[j].Version) })
	return ks[len(ks)-1], nil
}

// DefaultKernel is [FindKernel] on /boot and /lib/modules for the amd64
// flavour.
func DefaultKernel() (Kernel, error) {
	return FindKernel(DefaultBootDir, DefaultModulesDir, "amd64")
}

// versionLess orders kernel versions: runs of digits compare as numbers,
// so 6.1.0-9 < 6.1.0-10.
func versionLess(a, b string) bool {
	for a != "" && b != "" {
		da, ra := splitDigits(a)
		db, rb := splitDigits(b)
		if da != "" && db != "" {
			na, _ := strconv.ParseUint(da, 10, 64)
			nb, _ := strconv.ParseUint(db, 10, 64)
			if na != nb {
				return na < nb
			}
			a, b = ra, rb
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func splitDigits(s string) (digits, rest string) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i], s[i:]
}

// GuestModules are the kernel modules the guest loads, in load order.
// Debian builds virtio, 9p and the virtio console as modules; u-root's
// init loads /lib/modules/*.ko once, in name order, without resolving
// dependencies, so each comes after what it needs.
func GuestModules() []string {
	return []string{
		"virtio_ring", "virtio", "virtio_pci_legacy_dev", "virtio_pci_modern_dev", "virtio_pci",
		"netfs", "fscache", "9pnet", "9pnet_virtio", "9p", "virtio_console",
	}
}

// ModuleFile is a kernel module to put into the initramfs.
type ModuleFile struct {
	Name string // virtio_ring
	Src  string // /lib/modules/<version>/kernel/drivers/virtio/virtio_ring.ko
	Dst  string // lib/modules/00-virtio_ring.ko: numbered in load order
}

// Spec is the file in the form uimage.WithFiles takes: "src:dst".
func (m ModuleFile) Spec() string { return m.Src + ":" + m.Dst }

// ModuleFiles finds [GuestModules] in k's modules.dep. Modules must be
// uncompressed .ko files, as Debian 12 ships them: u-root's init loads
// them with finit_module as they are.
func (k Kernel) ModuleFiles() ([]ModuleFile, error) { return k.ModuleFilesFor(GuestModules()) }

// ModuleFilesFor is ModuleFiles for the modules names, in load order.
func (k Kernel) ModuleFilesFor(names []string) ([]ModuleFile, error) {
	dep := filepath.Join(k.Modules, "modules.dep")
	f, err := os.Open(dep)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	byName := map[string]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		rel, _, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		name := filepath.Base(rel)
		if i := strings.Index(name, ".ko"); i >= 0 {
			byName[strings.ReplaceAll(name[:i], "-", "_")] = rel
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", dep, err)
	}
	var out []ModuleFile
	for i, name := range names {
		rel, ok := byName[name]
		if !ok {
			return nil, fmt.Errorf("kernel %s has no module %s (%s): is it built in or missing?", k.Version, name, dep)
		}
		if !strings.HasSuffix(rel, ".ko") {
			return nil, fmt.Errorf("module %s is compressed (%s): u-root's init loads only plain .ko files", name, rel)
		}
		src := filepath.Join(k.Modules, rel)
		if _, err := os.Stat(src); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("module %s: %w", name, err)
		}
		out = append(out, ModuleFile{Name: name, Src: src, Dst: fmt.Sprintf("lib/modules/%02d-%s.ko", i, name)})
	}
	return out, nil
}

// KernelFor returns the kernel at path with the modules of its version,
// or [DefaultKernel] when path is empty. The version is the file name's
// suffix after "vmlinuz-".
func KernelFor(path string) (Kernel, error) {
	if path == "" {
		return DefaultKernel()
	}
	if _, err := os.Stat(path); err != nil {
		return Kernel{}, err
	}
	v := strings.TrimPrefix(filepath.Base(path), "vmlinuz-")
	return Kernel{Path: path, Version: v, Modules: filepath.Join(DefaultModulesDir, v)}, nil
}
