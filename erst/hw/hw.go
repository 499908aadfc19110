// Package hw is the boundary between the ERST driver and the hardware: the
// register buses named by a Generic Address Structure (ACPI 6.5 §5.2.3.2)
// and the memory behind the Error Log Address Range (§18.5.2).
//
// Everything above this package (the interpreter, the operations, the PSHED
// adapter) is written against these interfaces, so it runs unchanged over
// the simulated QEMU device on the host and over mmap'd registers in a guest.
package hw

import (
	"errors"
	"fmt"
	"time"

	"github.com/goerst/erst/acpi"
)

// Errors from register access. Implementations wrap them with %w.
var (
	// ErrUnmapped: no register or memory answers at that address.
	ErrUnmapped = errors.New("address not mapped")
	// ErrWidth: the access width is not 8, 16, 32 or 64 bits, or the
	// device does not decode accesses of that width there.
	ErrWidth = errors.New("unsupported access width")
	// ErrSpace: the address space is neither SystemMemory nor SystemIO, or
	// the platform offers no access to it.
	ErrSpace = errors.New("unsupported address space")
	// ErrRefused: the platform will not touch that address (System RAM,
	// outside what the table names).
	ErrRefused = errors.New("access refused")
)

// Bus is one register address space. Each method performs exactly one
// access of its width, as firmware registers require.
type Bus interface {
	Read8(addr uint64) (uint8, error)
	Read16(addr uint64) (uint16, error)
	Read32(addr uint64) (uint32, error)
	Read64(addr uint64) (uint64, error)
	Write8(addr uint64, v uint8) error
	Write16(addr uint64, v uint16) error
	Write32(addr uint64, v uint32) error
	Write64(addr uint64, v uint64) error
}

// Platform gives the driver its buses and the error log address range.
type Platform interface {
	// Bus returns the bus for a GAS address space (SystemMemory or
	// SystemIO); any other space gives ErrSpace.
	Bus(space acpi.AddressSpace) (Bus, error)
	// Map returns a view of physical memory [base, base+size): the
	// exchange buffer, or the store itself in NVRAM mode. The view stays
	// valid for the platform's lifetime. Writes through it reach the
	// device.
	Map(base, size uint64) ([]byte, error)
}

// Read performs one read of width bits (8, 16, 32 or 64) on b.
func Read(b Bus, width int, addr uint64) (uint64, error) {
	switch width {
	case 8:
		v, err := b.Read8(addr)
		return uint64(v), err
	case 16:
		v, err := b.Read16(addr)
		return uint64(v), err
	case 32:
		v, err := b.Read32(addr)
		return uint64(v), err
	case 64:
		return b.Read64(addr)
	}
	return 0, fmt.Errorf("read %d bits at %#x: %w", width, addr, ErrWidth)
}

// Write performs one write of width bits (8, 16, 32 or 64) on b; v is
// truncated to the width.
func Write(b Bus, width int, addr, v uint64) error {
	switch width {
	case 8:
		return b.Write8(addr, uint8(v))
	case 16:
		return b.Write16(addr, uint16(v))
	case 32:
		return b.Write32(addr, uint32(v))
	case 64:
		return b.Write64(addr, v)
	}
	return fmt.Errorf("write %d bits at %#x: %w", width, addr, ErrWidth)
}

// Clock is the driver's notion of time: STALL, busy polling and timeouts
// go through it, so tests run them on a fake clock without sleeping.
type Clock interface {
	Now() time.Time
	Sleep(d time.Duration)
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// Sleep sleeps for d. Sub-microsecond waits spin on the monotonic clock,
// as udelay/ndelay do, since the scheduler cannot sleep that briefly.
func (SystemClock) Sleep(d time.Duration) {
	if d <= 0 {
		return
	}
	if d < 50*time.Microsecond {
		for start := time.Now(); time.Since(start) < d; {
		}
		return
	}
	time.Sleep(d)
}
