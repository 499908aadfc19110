package sim

import (
	"fmt"

	"github.com/goerst/erst/erst/store"
)

// Open opens the existing store file at path ([store.Open]: it is locked
// until Close) and returns a device over it; Close closes the store. It
// is the first of the three calls from a store file to a PSHED
// persistence plug-in:
//
//	dev, err := sim.Open(path)              // the device
//	drv, err := erst.Open(dev.Table(), dev) // the driver, on QEMU's table
//	p := pshed.NewAdapter(drv)              // the PSHED callbacks
//	defer dev.Close()
func Open(path string, opts ...Option) (*Device, error) {
	st, err := store.Open(path)
	if err != nil {
		return nil, err
	}
	d, err := New(st, opts...)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return d, nil
}

// Close closes the backing store (syncing a file-backed one); the device
// then reports HARDWARE_NOT_AVAILABLE.
func (d *Device) Close() error { return d.st.Close() }

// Capacity is how many records the store holds at most: its record slots
// (a real device cannot tell; erst.Device.Capacity asks a platform that
// can).
func (d *Device) Capacity() int { return d.st.Capacity() }
