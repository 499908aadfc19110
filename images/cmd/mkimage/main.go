// Command mkimage builds the bootable ERST check (make image):
//
//	go run ./images/cmd/mkimage [-o build/image] [-kernel /boot/vmlinuz-...] [-v]
//
// Into the output directory it writes erst-live.img (a GPT disk image
// whose EFI system partition UEFI firmware boots from removable media,
// \EFI\BOOT\BOOTX64.EFI, a unified kernel image: the systemd stub with
// the kernel, the initramfs and images.LiveCmdline), and the same kernel
// and initramfs as vmlinuz and initramfs.cpio for PXE, kexec or a
// LinuxBoot flash. The initramfs holds u-root's init, erst and the check
// (images/erstlive) and images.LiveModules; it is built and cached as
// images.Build does. Nothing needs root.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/goerst/erst/images"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mkimage", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "build/image", "output `dir`")
	kernel := fs.String("kernel", "", "kernel `image` (bzImage) to boot, with its modules (default: the newest /boot/vmlinuz-*-amd64)")
	src := fs.String("src", "", "erst source `dir` (default: found from the current directory)")
	cmdline := fs.String("cmdline", images.LiveCmdline, "kernel command line baked into the image")
	readme := fs.String("readme", "", "text `file` to put on the stick as \\erst\\README.txt")
	verbose := fs.Bool("v", false, "print progress")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "mkimage: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if err := build(*out, *kernel, *src, *cmdline, *readme, *verbose, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "mkimage: %v\n", err)
		return 1
	}
	return 0
}

func build(out, kernel, src, cmdline, readme string, verbose bool, stdout, stderr io.Writer) error {
	var logf func(string, ...any)
	if verbose {
		logf = func(format string, args ...any) { fmt.Fprintf(stderr, format+"\n", args...) }
	}
	c, err := images.ConfigFor(src, kernel, logf)
	if err != nil {
		return err
	}
	c = images.LiveConfig(c)
	k := c.Kernel
	initramfs, _, err := images.Build(c)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for _, f := range []struct{ src, dst string }{{k.Path, "vmlinuz"}, {initramfs, "initramfs.cpio"}} {
		if err := copyFile(f.src, filepath.Join(out, f.dst)); err != nil {
			return err
		}
	}
	img := filepath.Join(out, "erst-live.img")
	l := images.LiveImage{Kernel: k.Path, Initramfs: initramfs, Cmdline: cmdline, Readme: readme}
	if err := l.Build(img); err != nil {
		return err
	}
	for _, f := range []string{img, filepath.Join(out, "vmlinuz"), filepath.Join(out, "initramfs.cpio")} {
		fmt.Fprintln(stdout, f)
	}
	return nil
}

// copyFile copies src to dst through a temporary file in dst's directory.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".tmp-")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, err = io.Copy(tmp, in)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dst)
}
