// Command mkinitramfs builds (or finds in the cache) the guest initramfs
// that erstvm boots and prints its path:
//
//	go run ./images/cmd/mkinitramfs [-o build/initramfs.cpio] [-kernel /boot/vmlinuz-...] [-v]
//
// The image holds u-root's init and core commands, erst, the guest agent
// guestinit and the kernel's virtio/9p modules, built from the erst
// module at -src (default: found from the current directory), which it
// only reads. It is cached in the initramfs directory of erst's cache
// root ($ERST_CACHE, else os.UserCacheDir()/erst; see vmtest's package
// doc) and rebuilt only when an input changes (see images.Build).
//
// It also extracts the kernel's uncompressed ELF into the cache root's
// kernel directory (see images.Kernel.Boot), so that the first boot does
// not pay for it; with -vmlinux it places that ELF at a path too.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/goerst/erst/images"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mkinitramfs", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "also place the image at `path` (a hard link or copy of the cached file)")
	kernel := fs.String("kernel", "", "kernel `image` whose modules go in (default: the newest /boot/vmlinuz-*-amd64)")
	src := fs.String("src", "", "erst source `dir` (default: found from the current directory)")
	cache := fs.String("cache", "", "image cache `dir` (default: $ERST_CACHE/initramfs, else the user cache directory's erst/initramfs)")
	vmlinux := fs.String("vmlinux", "", "also place the uncompressed kernel ELF (for QEMU's direct PVH boot) at `path`; fails if the kernel has none")
	verbose := fs.Bool("v", false, "print progress")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if err := build(*out, *vmlinux, *kernel, *src, *cache, *verbose, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "mkinitramfs: %v\n", err)
		return 1
	}
	return 0
}

func build(out, vmlinux, kernel, src, cache string, verbose bool, stdout, stderr io.Writer) error {
	var logf func(string, ...any)
	if verbose {
		logf = func(format string, args ...any) { fmt.Fprintf(stderr, format+"\n", args...) }
	}
	c, err := images.ConfigFor(src, kernel, logf)
	if err != nil {
		return err
	}
	c.CacheDir = cache
	k := c.Kernel
	path, built, err := images.Build(c)
	if err != nil {
		return err
	}
	if verbose && !built {
		fmt.Fprintf(stderr, "cached: %s\n", path)
	}
	if out != "" {
		if err := place(path, out); err != nil {
			return err
		}
		path = out
	}
	fmt.Fprintln(stdout, path)

	start := time.Now()
	boot := k.Boot("")
	switch {
	case boot.Direct && verbose:
		fmt.Fprintf(stderr, "kernel: %s boots directly as %s (%.1fs)\n", k.Path, boot.Path, time.Since(start).Seconds())
	case !boot.Direct:
		// Not an error: erstvm boots the compressed kernel, only more slowly.
		fmt.Fprintf(stderr, "mkinitramfs: %s cannot boot directly, the compressed kernel is used: %v\n", k.Path, boot.Fallback)
		if vmlinux != "" {
			return fmt.Errorf("-vmlinux %s: %w", vmlinux, boot.Fallback)
		}
	}
	if vmlinux != "" {
		return place(boot.Path, vmlinux)
	}
	return nil
}

// place makes dst the same file as src: a hard link when possible.
func place(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	tmp := dst + ".tmp"
	os.Remove(tmp)
	if err := os.Link(src, tmp); err != nil {
		b, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		if err := os.WriteFile(tmp, b, 0o644); err != nil {
			return err
		}
	}
	return os.Rename(tmp, dst)
}
