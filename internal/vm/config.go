package vm

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/goerst/erst/images"
)

// ErrImages wraps NewConfig's errors about the kernel and initramfs.
var ErrImages = errors.New("kernel and initramfs")

// Setup is what a user chooses of a guest: erstvm's flags, vmtest's
// Options. NewConfig turns it into a Config.
type Setup struct {
	QEMU, Machine, Accel, Memory string // as in Config
	// Store is the acpi-erst device's backing file; StoreSize and
	// RecordSize are as StoreSize takes them (0: the file's own size).
	Store                 string
	StoreSize, RecordSize uint64
	// Kernel, Initramfs and Source are as images.Resolve takes them.
	Kernel, Initramfs, Source string
	Firmware                  Firmware
	// Cmdline is the kernel command line (KernelCmdline).
	Cmdline string
	// Logf receives images.Resolve's progress; nil discards it.
	Logf func(format string, args ...any)
}

// NewConfig is the Config for s: its machine, the store's absolute path
// and size (StoreSize), the kernel and initramfs to boot (images.Resolve) and the
// firmware (Firmware.Apply). The caller adds shares, ports and the rest.
// An error names the part of s it is about.
func NewConfig(s Setup) (*Config, error) {
	logf := s.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	c := &Config{QEMU: s.QEMU, Machine: s.Machine, Accel: s.Accel, Memory: s.Memory, RecordSize: s.RecordSize, Cmdline: s.Cmdline}
	var err error
	if c.Store, err = filepath.Abs(s.Store); err != nil {
		return nil, fmt.Errorf("store %s: %w", s.Store, err)
	}
	if c.StoreSize, err = StoreSize(c.Store, s.StoreSize, s.RecordSize); err != nil {
		return nil, fmt.Errorf("store %s: %w", s.Store, err)
	}
	if c.Kernel, c.Initramfs, err = images.Resolve(s.Kernel, s.Initramfs, s.Source, logf); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrImages, err)
	}
	if err := s.Firmware.Apply(c, s.Kernel); err != nil {
		return nil, fmt.Errorf("firmware %s: %w", s.Firmware.Name, err)
	}
	return c, nil
}
