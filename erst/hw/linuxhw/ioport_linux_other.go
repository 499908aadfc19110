//go:build linux && !amd64

package linuxhw

import (
	"fmt"

	"github.com/goerst/erst/erst/hw"
)

// ioperm does nothing: only x86 has I/O ports, and this build has no
// instructions for them. Wider port accesses then fail with hw.ErrWidth.
func ioperm(port, n uint64) error { return nil }

func portIn(width int, port uint64) (uint32, error) {
	return 0, fmt.Errorf("%d-bit read of port %#x: port I/O wider than 8 bits is implemented on amd64 only: %w", width, port, hw.ErrWidth)
}

func portOut(width int, port uint64, v uint32) error {
	return fmt.Errorf("%d-bit write of port %#x: port I/O wider than 8 bits is implemented on amd64 only: %w", width, port, hw.ErrWidth)
}
