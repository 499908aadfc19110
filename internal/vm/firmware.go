package vm

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/goerst/erst/images"
)

// Firmware names for ParseFirmware.
const (
	SeaBIOS = "seabios" // QEMU's default firmware
	OVMF    = "ovmf"    // UEFI: Debian's ovmf package (OVMFPath)
)

// OVMFPath is the UEFI firmware image of Debian's ovmf package, which
// QEMU loads with -bios.
const OVMFPath = "/usr/share/ovmf/OVMF.fd"

// ErrFirmware is returned by ParseFirmware for a firmware that cannot be
// used.
var ErrFirmware = errors.New("firmware")

// Firmware is the guest's firmware: QEMU's default SeaBIOS, or an image
// for QEMU's -bios.
type Firmware struct {
	Name string // "seabios", "ovmf", or the image file as given
	// BIOS is the absolute path of the image for -bios; "" for QEMU's
	// default SeaBIOS.
	BIOS string
	// Compressed says that the guest must boot the compressed kernel
	// (/boot/vmlinuz-*, its EFI stub). OVMF cannot load the uncompressed
	// ELF that SeaBIOS boots through its PVH entry point (it ends in the
	// UEFI shell), and neither may another firmware: only SeaBIOS keeps
	// that fast path.
	Compressed bool
}

// ParseFirmware resolves erstvm's -firmware and vmtest's
// Options.Firmware: "" or "seabios", "ovmf" (OVMFPath, which must be
// installed), or the path of any firmware image for QEMU's -bios.
func ParseFirmware(s string) (Firmware, error) {
	switch s {
	case "", SeaBIOS:
		return Firmware{Name: SeaBIOS}, nil
	case OVMF:
		if _, err := os.Stat(OVMFPath); err != nil {
			return Firmware{}, fmt.Errorf("%w %s: %s missing (install Debian's ovmf: make -f mk/vm.mk deps)", ErrFirmware, s, OVMFPath)
		}
		return Firmware{Name: OVMF, BIOS: OVMFPath, Compressed: true}, nil
	}
	abs, err := filepath.Abs(s)
	if err != nil {
		return Firmware{}, fmt.Errorf("%w %s: %w", ErrFirmware, s, err)
	}
	fi, err := os.Stat(abs)
	switch {
	case err != nil:
		return Firmware{}, fmt.Errorf("%w %s: want seabios, ovmf or an image file: %w", ErrFirmware, s, err)
	case !fi.Mode().IsRegular():
		return Firmware{}, fmt.Errorf("%w %s: not a regular file", ErrFirmware, s)
	case fi.Size() == 0:
		return Firmware{}, fmt.Errorf("%w %s: empty file", ErrFirmware, s)
	}
	return Firmware{Name: s, BIOS: abs, Compressed: true}, nil
}

// Apply sets c up to boot under f: its -bios, and under any firmware
// but SeaBIOS the compressed kernel (kernel, or the newest Debian kernel
// when empty) in place of the boot image images.Resolve chose.
func (f Firmware) Apply(c *Config, kernel string) error {
	c.BIOS = f.BIOS
	if !f.Compressed {
		return nil
	}
	k, err := images.KernelFor(kernel)
	if err != nil {
		return err
	}
	if c.Kernel, err = filepath.Abs(k.Path); err != nil {
		return err
	}
	return nil
}
