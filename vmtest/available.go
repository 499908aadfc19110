package vmtest

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"

	"github.com/goerst/erst/images"
	"github.com/goerst/erst/internal/vm"
)

// ErrUnavailable: what a guest needs on the host is missing.
var ErrUnavailable = errors.New("vmtest: cannot start a guest here")

// Available reports whether the zero [Options] could start a guest on this
// host: nil, or an error wrapping [ErrUnavailable] that names each missing
// piece (QEMU, a kernel) and how to install it. A project whose tests
// skip outside CI can call it first:
//
//	if err := vmtest.Available(); err != nil && os.Getenv("CI") != "true" {
//		t.Skip(err)
//	}
func Available() error { return AvailableFor(Options{}) }

// AvailableFor is [Available] for o: its QEMU and kernel, and its firmware
// (OVMF when o.Firmware asks for it). It does not build the initramfs.
func AvailableFor(o Options) error {
	var missing []string
	qemu := o.QEMU
	if qemu == "" {
		qemu = vm.DefaultQEMU
	}
	if _, err := exec.LookPath(qemu); err != nil {
		missing = append(missing, fmt.Sprintf("QEMU: %v (install it: apt-get install qemu-system-x86)", err))
	}
	if _, err := images.KernelFor(o.Kernel); err != nil {
		missing = append(missing, fmt.Sprintf("kernel: %v (install one: apt-get install linux-image-amd64)", err))
	}
	if _, err := vm.ParseFirmware(o.Firmware); err != nil {
		missing = append(missing, err.Error())
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrUnavailable, strings.Join(missing, "; "))
}
