package images

import (
	"fmt"
	"os"
	"path/filepath"
)

// Resolve returns the kernel and initramfs a guest boots (package
// internal/vm's NewConfig). The kernel is kernel,
// or the newest Debian kernel when empty, as the uncompressed ELF that
// QEMU boots directly when package images can extract it (cached under
// the cache root, package internal/cachedir), else the file itself. The
// initramfs is initramfs, or when empty the one package images builds
// from the erst source at src (found from the current directory, else
// from where package images was built, when src is empty; only read, it
// may be the read-only module cache), cached under the cache root and
// rebuilt only when an input changed. logf receives progress messages
// (building takes about a minute) and why the kernel is booted
// compressed, when it is.
func Resolve(kernel, initramfs, src string, logf func(string, ...any)) (kernelPath, initramfsPath string, err error) {
	k, err := KernelFor(kernel)
	if err != nil {
		return "", "", err
	}
	if src == "" {
		wd, err := os.Getwd()
		if err == nil {
			src, err = FindSource(wd)
		}
		if err != nil && initramfs == "" {
			return "", "", err
		}
	} else if src, err = filepath.Abs(src); err != nil {
		return "", "", err
	}
	boot := k.Boot("") // the cache root's
	if !boot.Direct {
		logf("booting the compressed kernel %s: %v", k.Path, boot.Fallback)
	}
	if initramfs != "" {
		return boot.Path, initramfs, nil
	}
	path, _, err := Build(Config{Source: src, Kernel: k, Logf: logf})
	if err != nil {
		return "", "", fmt.Errorf("%w (or give an initramfs file, e.g. from make initramfs)", err)
	}
	return boot.Path, path, nil
}
