// Package simtest wires a simulated acpi-erst device to the driver for
// tests, the way every test over the driver starts: an empty in-memory
// store in QEMU's format and [simdriver.Open] over it ([sim.New], then
// [erst.Open] on the simulator's own table, QEMU's).
package simtest

import (
	"testing"

	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/hw"
	"github.com/goerst/erst/erst/sim"
	"github.com/goerst/erst/erst/sim/simdriver"
	"github.com/goerst/erst/erst/store"
)

// Rig is a driver over a simulated device over an in-memory store.
type Rig struct {
	Image  store.Image // the store's bytes, for a test that damages them
	Store  *store.Store
	Sim    *sim.Device
	Driver *erst.Device
}

// Option is an optional knob of New.
type Option func(*config)

type config struct {
	recordSize int
	clock      hw.Clock
	sim        []sim.Option
	driver     []erst.Option
}

// WithRecordSize makes the store's slots, and so the error log address
// range, rs bytes (default store.DefaultRecordSize, QEMU's 8 KiB).
func WithRecordSize(rs int) Option { return func(c *config) { c.recordSize = rs } }

// WithClock gives the simulator and the driver one clock (a
// hw.FakeClock, so that busy waits and timings cost no real time).
func WithClock(clk hw.Clock) Option { return func(c *config) { c.clock = clk } }

// WithSim passes options to sim.New (faults, hooks, NVRAM mode).
func WithSim(o ...sim.Option) Option { return func(c *config) { c.sim = append(c.sim, o...) } }

// WithDriver passes options to erst.Open.
func WithDriver(o ...erst.Option) Option {
	return func(c *config) { c.driver = append(c.driver, o...) }
}

// New returns a Rig over an empty store of size bytes, failing tb when
// any part cannot be made.
func New(tb testing.TB, size int, opts ...Option) *Rig {
	tb.Helper()
	c := config{recordSize: store.DefaultRecordSize}
	for _, o := range opts {
		o(&c)
	}
	im, err := store.NewImage(size, uint32(c.recordSize))
	if err != nil {
		tb.Fatalf("simtest: store of %d bytes in %d-byte slots: %v", size, c.recordSize, err)
	}
	st, err := store.New(im)
	if err != nil {
		tb.Fatalf("simtest: %v", err)
	}
	d, err := simdriver.Open(st, simdriver.WithClock(c.clock), simdriver.WithSim(c.sim...), simdriver.WithDriver(c.driver...))
	if err != nil {
		tb.Fatalf("simtest: %v", err)
	}
	return &Rig{Image: im, Store: st, Sim: d.Sim, Driver: d.Device}
}
