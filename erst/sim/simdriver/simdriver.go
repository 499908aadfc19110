// Package simdriver puts the driver over a simulated acpi-erst device
// over a store, in the one order every user of the simulator needs:
// [sim.New] over the store, the faults injected, then [erst.Open] on the
// simulator's own table (QEMU's) or one read from a file and rebased onto
// the simulated registers. erst -store and [simtest.New] start this way.
//
// [simtest.New]: https://pkg.go.dev/github.com/goerst/erst/erst/sim/simtest#New
package simdriver

import (
	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/hw"
	"github.com/goerst/erst/erst/sim"
	"github.com/goerst/erst/erst/store"
)

// Device is the driver over a simulated device over a store.
type Device struct {
	*erst.Device
	Sim   *sim.Device
	Store *store.Store
	Table *acpi.ERST // the table the driver runs
}

// Option is an optional knob of Open.
type Option func(*config)

type config struct {
	clock     hw.Clock
	sim       []sim.Option
	driver    []erst.Option
	faults    sim.Faults
	tableFile string
}

// WithClock gives the simulator and the driver one clock (a
// hw.FakeClock: the device's time as the simulator models it, so busy
// waits and execute timings cost no real time).
func WithClock(c hw.Clock) Option { return func(o *config) { o.clock = c } }

// WithSim passes options to sim.New (BARs, hooks, NVRAM mode).
func WithSim(opts ...sim.Option) Option {
	return func(o *config) { o.sim = append(o.sim, opts...) }
}

// WithDriver passes options to erst.Open (trace, lock, timeout).
func WithDriver(opts ...erst.Option) Option {
	return func(o *config) { o.driver = append(o.driver, opts...) }
}

// WithFaults injects f into the simulated device before the driver
// opens it (sim.Faults.Inject).
func WithFaults(f sim.Faults) Option {
	return func(o *config) { o.faults = append(o.faults, f...) }
}

// WithTableFile drives the device through the ERST table in path (a
// binary table or acpidump text, as QEMU built it) rebased onto the
// simulated registers ([sim.Device.TableFromFile]), instead of the
// simulator's own.
func WithTableFile(path string) Option { return func(o *config) { o.tableFile = path } }

// TableError is Open's error when the WithTableFile table cannot be read
// or used; its message is Err's.
type TableError struct{ Err error }

func (e *TableError) Error() string { return e.Err.Error() }
func (e *TableError) Unwrap() error { return e.Err }

// Open returns the driver over a simulated device over st. st stays the
// caller's to close.
func Open(st *store.Store, opts ...Option) (*Device, error) {
	var c config
	for _, o := range opts {
		o(&c)
	}
	simOpts, drvOpts := c.sim, c.driver
	if c.clock != nil {
		simOpts = append([]sim.Option{sim.WithClock(c.clock)}, simOpts...)
		drvOpts = append([]erst.Option{erst.WithClock(c.clock)}, drvOpts...)
	}
	dev, err := sim.New(st, simOpts...)
	if err != nil {
		return nil, err
	}
	c.faults.Inject(dev)
	t := dev.Table()
	if c.tableFile != "" {
		if t, err = dev.TableFromFile(c.tableFile); err != nil {
			return nil, &TableError{err}
		}
	}
	d, err := erst.Open(t, dev, drvOpts...)
	if err != nil {
		return nil, err
	}
	return &Device{Device: d, Sim: dev, Store: st, Table: t}, nil
}
