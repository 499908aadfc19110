//go:build !linux

package linuxhw

import (
	"fmt"
	"runtime"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst/hw"
)

// Platform is hw.Platform on a live Linux system. On this OS it cannot be
// opened.
type Platform struct{}

var _ hw.Platform = (*Platform)(nil)

func errNotSupported() error {
	return fmt.Errorf("linuxhw: register access on %s: %w", runtime.GOOS, acpi.ErrNotSupported)
}

// Open fails with an error wrapping acpi.ErrNotSupported: ERST register
// access is implemented on Linux only.
func Open(t *acpi.ERST, opts ...Option) (*Platform, error) { return nil, errNotSupported() }

// Registers returns nil.
func (p *Platform) Registers() []Register { return nil }

// Bus fails with acpi.ErrNotSupported.
func (p *Platform) Bus(space acpi.AddressSpace) (hw.Bus, error) { return nil, errNotSupported() }

// Map fails with acpi.ErrNotSupported.
func (p *Platform) Map(base, size uint64) ([]byte, error) { return nil, errNotSupported() }

// Close does nothing.
func (p *Platform) Close() error { return nil }
