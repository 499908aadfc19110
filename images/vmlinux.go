package images

import (
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/goerst/erst/internal/cachedir"
)

// Booting the uncompressed kernel.
//
// A Debian vmlinuz is a bzImage: real-mode setup code, then a small
// decompressor and the kernel ELF (vmlinux) as an XZ payload. Under TCG,
// SeaBIOS running the setup code and the decompressor inflating 66 MB take
// several seconds of every boot. The kernel is built with CONFIG_PVH, so
// its ELF carries a PVH entry point (the XEN_ELFNOTE_PHYS32_ENTRY note,
// Xen's public/elfnote.h; the PVH boot ABI, Xen docs/misc/pvh.pandoc), and
// QEMU boots such an ELF directly when it is given as -kernel
// (hw/i386/x86.c, load_elfboot): no setup code, no decompression.
// Kernel.Boot extracts that ELF once and caches it.

// XEN_ELFNOTE_PHYS32_ENTRY: the note (owner "Xen") whose descriptor is the
// 32-bit physical address of the PVH entry point.
const xenElfnotePhys32Entry = 18

// Errors of the direct-boot extraction.
var (
	// ErrNoXZPayload: the kernel image holds no XZ stream (another
	// compression, or not a bzImage).
	ErrNoXZPayload = errors.New("no XZ payload in the kernel image")
	// ErrNotELF: the payload is not an x86-64 ELF executable.
	ErrNotELF = errors.New("the payload is not an x86-64 ELF kernel")
	// ErrNoPVH: the ELF has no PVH entry point, so QEMU cannot boot it
	// directly (a kernel without CONFIG_PVH).
	ErrNoPVH = errors.New("the kernel ELF has no PVH entry point (XEN_ELFNOTE_PHYS32_ENTRY; CONFIG_PVH)")
)

// ExtractELF returns the uncompressed kernel ELF inside bzImage, a kernel
// compressed with XZ (CONFIG_KERNEL_XZ), after checking that it has a PVH
// entry point ([PVHEntry]). The payload is the first XZ stream in the file
// that decodes, with its check verified.
func ExtractELF(bzImage []byte) ([]byte, error) {
	var firstErr error
	for off := 0; ; off++ {
		i := bytes.Index(bzImage[off:], xzMagic)
		if i < 0 {
			break
		}
		off += i
		vmlinux, err := decodeXZ(bzImage[off:])
		if err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("XZ stream at byte %d: %w", off, err)
			}
			continue
		}
		if _, err := PVHEntry(vmlinux); err != nil {
			return nil, err
		}
		return vmlinux, nil
	}
	if firstErr != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoXZPayload, firstErr)
	}
	return nil, ErrNoXZPayload
}

// PVHEntry returns the PVH entry point of an x86-64 ELF kernel: the
// descriptor of its XEN_ELFNOTE_PHYS32_ENTRY note in a PT_NOTE segment
// (where QEMU looks for it).
func PVHEntry(vmlinux []byte) (uint32, error) {
	f, err := elf.NewFile(bytes.NewReader(vmlinux))
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrNotELF, err)
	}
	if f.Class != elf.ELFCLASS64 || f.Machine != elf.EM_X86_64 || f.Type != elf.ET_EXEC {
		return 0, fmt.Errorf("%w: %v %v %v", ErrNotELF, f.Class, f.Machine, f.Type)
	}
	for _, p := range f.Progs {
		if p.Type != elf.PT_NOTE {
			continue
		}
		notes, err := io.ReadAll(p.Open())
		if err != nil {
			return 0, fmt.Errorf("%w: PT_NOTE at %#x: %w", ErrNotELF, p.Off, err)
		}
		if entry, ok := findNote(notes, f.ByteOrder, "Xen", xenElfnotePhys32Entry); ok && len(entry) >= 4 {
			return f.ByteOrder.Uint32(entry), nil
		}
	}
	return 0, ErrNoPVH
}

// findNote returns the descriptor of the first note named name with type
// typ in an ELF note segment (ELF gABI, "Note Section": namesz, descsz,
// type, then name and descriptor, each padded to four bytes).
func findNote(b []byte, bo interface{ Uint32([]byte) uint32 }, name string, typ uint32) ([]byte, bool) {
	pad := func(n uint64) uint64 { return (n + 3) &^ 3 }
	for len(b) >= 12 {
		namesz, descsz, t := uint64(bo.Uint32(b)), uint64(bo.Uint32(b[4:])), bo.Uint32(b[8:])
		b = b[12:]
		if pad(namesz)+descsz > uint64(len(b)) {
			return nil, false // truncated
		}
		if strings.TrimRight(string(b[:namesz]), "\x00") == name && t == typ {
			return b[pad(namesz) : pad(namesz)+descsz], true
		}
		b = b[min(pad(namesz)+pad(descsz), uint64(len(b))):]
	}
	return nil, false
}

// BootImage is the kernel file to give QEMU's -kernel.
type BootImage struct {
	Path string // the uncompressed ELF in the cache, or the Kernel's own Path
	// Direct says that Path is the uncompressed ELF, booted through its
	// PVH entry point.
	Direct bool
	// Fallback, when Direct is false, says why the compressed kernel is
	// booted instead (ErrNoXZPayload, ErrNoPVH, ErrXZ, or an I/O error).
	Fallback error
}

// Boot returns the fastest image of k that QEMU can boot: the
// uncompressed ELF (Uncompressed), else k.Path itself, with the reason in
// Fallback. It never fails: the compressed kernel always boots, only more
// slowly.
func (k Kernel) Boot(cacheDir string) BootImage {
	p, err := k.Uncompressed(cacheDir)
	if err != nil {
		return BootImage{Path: k.Path, Fallback: err}
	}
	return BootImage{Path: p, Direct: true}
}

// Uncompressed returns the path of k's uncompressed ELF kernel (see
// [ExtractELF]) in cacheDir, extracting it the first time (a second or
// two) and reusing it after that. The cache is keyed by the SHA-256 of
// k.Path; a kernel that cannot be booted directly is remembered as such
// (a .none file holding the reason), so the work is not repeated on
// every boot. An empty cacheDir means the cache root's kernel directory
// (package internal/cachedir), where a new ELF prunes the oldest beyond
// cachedir.KeepKernels. Processes extracting the same kernel at once each
// write a temporary file and rename it into place.
func (k Kernel) Uncompressed(cacheDir string) (string, error) {
	prune := cacheDir == ""
	if prune {
		d, err := cachedir.Dir(cachedir.Kernel)
		if err != nil {
			return "", err
		}
		cacheDir = d
	}
	bz, err := os.ReadFile(k.Path)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(bz)
	base := filepath.Join(cacheDir, "vmlinux-"+hex.EncodeToString(sum[:8]))
	if _, err := os.Stat(base); err == nil {
		return base, nil
	}
	if why, err := os.ReadFile(base + ".none"); err == nil {
		return "", fmt.Errorf("%s (cached in %s): %w", strings.TrimSpace(string(why)), base+".none", cachedReason(string(why)))
	}
	vmlinux, extractErr := ExtractELF(bz)
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return "", err
	}
	if extractErr != nil {
		err := writeAtomic(base+".none", []byte(extractErr.Error()+"\n"))
		return "", errors.Join(fmt.Errorf("%s: %w", k.Path, extractErr), err)
	}
	if err := writeAtomic(base, vmlinux); err != nil {
		return "", err
	}
	if prune {
		cachedir.Prune(cacheDir, "vmlinux-"+strings.Repeat("?", 16), cachedir.KeepKernels, base, ".none")
		cachedir.RemoveStale(cacheDir, ".tmp-vmlinux-*")
	}
	return base, nil
}

// cachedReason maps a remembered reason back to its sentinel.
func cachedReason(why string) error {
	for _, e := range []error{ErrNoPVH, ErrNotELF, ErrNoXZPayload} {
		if strings.Contains(why, e.Error()) {
			return e
		}
	}
	return ErrXZ
}

// writeAtomic writes b to path through a temporary file and a rename, so
// that a concurrent reader sees the whole file or none.
func writeAtomic(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-")
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Chmod(0o644) // CreateTemp makes it 0600
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}
