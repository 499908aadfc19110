//go:build linux && amd64

package linuxhw

import (
	"fmt"
	"syscall"

	"github.com/goerst/erst/erst/hw"
	"golang.org/x/sys/unix"
)

// ioperm grants the process ports [port, port+n), on every thread:
// ioperm(2) is per thread, and a goroutine may run on any of them. Threads
// created later inherit the permission from the thread that creates them.
func ioperm(port, n uint64) error {
	_, _, errno := syscall.AllThreadsSyscall(unix.SYS_IOPERM, uintptr(port), uintptr(n), 1)
	switch errno {
	case 0:
		return nil
	case unix.ENOTSUP:
		return fmt.Errorf("ioperm %#x+%d: a cgo binary cannot change the I/O permissions of all its threads: build with CGO_ENABLED=0: %w", port, n, errno)
	}
	return fmt.Errorf("ioperm %#x+%d: %w", port, n, errno)
}

// portIn does one IN of width (16 or 32) bits from port.
func portIn(width int, port uint64) (uint32, error) {
	switch width {
	case 16:
		return uint32(inw(uint16(port))), nil
	case 32:
		return inl(uint16(port)), nil
	}
	return 0, fmt.Errorf("%d-bit read of port %#x: %w", width, port, hw.ErrWidth)
}

// portOut does one OUT of width (16 or 32) bits to port.
func portOut(width int, port uint64, v uint32) error {
	switch width {
	case 16:
		outw(uint16(port), uint16(v))
		return nil
	case 32:
		outl(uint16(port), v)
		return nil
	}
	return fmt.Errorf("%d-bit write of port %#x: %w", width, port, hw.ErrWidth)
}

// Implemented in ioport_linux_amd64.s.
func inw(port uint16) uint16
func inl(port uint16) uint32
func outw(port uint16, v uint16)
func outl(port uint16, v uint32)
