// Package target opens the ERST device a tool names: the live one
// ([live.Open]) or QEMU's acpi-erst simulated over a store file in QEMU's
// format ([simdriver.Open]), with the store opened read-only, for writing,
// or created as QEMU creates it.
//
// The configuration is an [Options]; its errors name the fields by the
// global flags of the erst command (-store, -store-size, -record-size,
// -table, -fault). An error caused by what the tool was
// given (a missing or unreadable file, one that is not a store, a bad
// geometry, a table that does not decode) is [ErrInput]; any other (a
// store in use past the lock wait, failing I/O, a device that fails) is
// the device's or the system's.
package target

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/hw"
	"github.com/goerst/erst/erst/live"
	"github.com/goerst/erst/erst/sim"
	"github.com/goerst/erst/erst/sim/simdriver"
	"github.com/goerst/erst/erst/store"
)

// Options is the device a tool names.
type Options struct {
	// Store is the QEMU backing file of a simulated device; empty for
	// the live device.
	Store string
	// StoreSize and RecordSize are the geometry of a store [Create]
	// makes; zero, when not Set, is [store.DefaultSize] and
	// [store.DefaultRecordSize] (QEMU's docs/specs/acpi_erst.rst example
	// and its default record_size).
	StoreSize, RecordSize uint64
	// StoreSizeSet and RecordSizeSet: the size was asked for. A
	// zero-filled file is formatted at its own size, and one of another
	// size than an asked StoreSize is refused ([ErrGeometry]);
	// [Options.CheckStore] holds an existing store to the sizes asked.
	StoreSizeSet, RecordSizeSet bool
	// TableFile is an ERST table file (binary or acpidump text) the
	// driver runs instead of the live table, or of QEMU's over a Store.
	TableFile string
	// Faults are injected into the simulated device; without a Store
	// they are an error.
	Faults sim.Faults
	// Trace, when set, sees every register access.
	Trace func(erst.TraceEvent)
	// Clock, when set, is the clock of the simulated device and of the
	// driver over it.
	Clock hw.Clock
	// LockPath is the live device's lock file; empty is [live.LockPath].
	LockPath string
}

// Mode is how [Open] opens the Store file.
type Mode int

const (
	// ReadOnly opens an existing store read-only under a shared lock, so
	// that a store the user may not write can be inspected beside other
	// readers.
	ReadOnly Mode = iota
	// ReadWrite opens an existing store for writing under the exclusive
	// lock.
	ReadWrite
	// Create is ReadWrite, but a missing or empty file is created with
	// the Options' geometry and a zero-filled one (magic 0) formatted at
	// its own size, as QEMU makes a store.
	Create
)

// Errors of [Open] and its helpers, for [errors.Is].
var (
	// ErrInput marks an error caused by what the tool was given: a file
	// that is missing, unreadable or not what it should be, a bad
	// geometry, faults without a store, a live device on a system
	// without one.
	ErrInput = errors.New("bad input")
	// ErrNoStore: the Store file does not exist, and the Mode does not
	// create one (also [ErrInput]).
	ErrNoStore = errors.New("no store file")
	// ErrGeometry: a store, or a zero-filled file to become one, differs
	// from a StoreSize or RecordSize asked for.
	ErrGeometry = errors.New("store geometry differs from the one asked for")
)

// marked is an error whose message is msg and which is each of errs.
type marked struct {
	msg  string
	errs []error
}

func (e *marked) Error() string   { return e.msg }
func (e *marked) Unwrap() []error { return e.errs }

// input marks err as ErrInput, keeping its message.
func input(err error) error { return &marked{err.Error(), []error{ErrInput, err}} }

// inputf is input with a formatted message.
func inputf(format string, a ...any) error { return input(fmt.Errorf(format, a...)) }

// inputWith is bad input with message msg, caused by err.
func inputWith(err error, format string, a ...any) error {
	return &marked{fmt.Sprintf(format, a...), []error{ErrInput, err}}
}

// Device is the driver over the device Options name, and what a tool
// reports about it. Close releases it.
type Device struct {
	*erst.Device
	Store *store.Store // the simulated device's backing store; nil for the live device
	Table *acpi.ERST   // the table the driver runs
	Where string       // "simulated store FILE" or "live device"
	close func() error
}

// Close releases the store (and its lock) or the live registers and
// their lock.
func (d *Device) Close() error { return d.close() }

// Open opens the device o names: with o.Store, the simulated device over
// the store file opened for m, through QEMU's table or o.TableFile; else
// the live device (Linux only) under its lock file, on the live table or
// o.TableFile. Every error is one line naming the file; the store file
// is held, locked, until Close.
func Open(o Options, m Mode) (*Device, error) {
	var opts []erst.Option
	if o.Trace != nil {
		opts = append(opts, erst.WithTrace(o.Trace))
	}
	if o.Store != "" {
		return openSimulated(o, m, opts)
	}
	if len(o.Faults) > 0 {
		return nil, inputf("-fault %s needs -store: faults are injected into the simulated device", o.Faults.String())
	}
	if runtime.GOOS != "linux" {
		return nil, inputf("the live ERST device is Linux-only (it needs the ACPI tables in sysfs and /dev/mem); on %s use -store FILE for a simulated device", runtime.GOOS)
	}
	lockPath := o.LockPath
	if lockPath == "" {
		lockPath = live.LockPath
	}
	d, err := live.Open(func() (*acpi.ERST, error) {
		t, _, _, err := DecodeTable(o.TableFile)
		return t, err
	}, live.WithLockPath(lockPath), live.WithDriver(opts...))
	var te *live.TableError
	switch {
	case errors.As(err, &te):
		return nil, te.Err
	case err != nil:
		return nil, fmt.Errorf("live device: %w", err)
	}
	return &Device{Device: d.Device, Table: d.Table, Where: "live device", close: d.Close}, nil
}

// openSimulated opens o.Store for m and puts the simulated acpi-erst
// device and the driver over it.
func openSimulated(o Options, m Mode, opts []erst.Option) (*Device, error) {
	st, err := openStore(o, m)
	if err != nil {
		return nil, err
	}
	so := []simdriver.Option{simdriver.WithDriver(opts...), simdriver.WithFaults(o.Faults)}
	if o.Clock != nil {
		so = append(so, simdriver.WithClock(o.Clock))
	}
	if o.TableFile != "" {
		so = append(so, simdriver.WithTableFile(o.TableFile))
	}
	d, err := simdriver.Open(st, so...)
	var te *simdriver.TableError
	switch {
	case errors.As(err, &te):
		st.Close()
		return nil, input(te.Err)
	case err != nil:
		st.Close()
		return nil, fmt.Errorf("store %s: %w", o.Store, err)
	}
	return &Device{Device: d.Device, Store: st, Table: d.Table, Where: "simulated store " + o.Store, close: st.Close}, nil
}

// FindingsError is [Device.Findings]' error: what [store.Store.Check]
// found.
type FindingsError struct{ Findings []store.Finding }

func (e *FindingsError) Error() string {
	return fmt.Sprintf("the store is inconsistent (%d finding(s); first: %s)", len(e.Findings), e.Findings[0])
}

// Findings is nil for the live device, a nil Device or a consistent
// store, else a [*FindingsError] naming the first thing
// [store.Store.Check] finds (a broken map explains ghost ids, records
// that read as missing, a clear that stops part-way).
func (d *Device) Findings() error {
	if d == nil || d.Store == nil {
		return nil
	}
	if fs := d.Store.Check(); len(fs) > 0 {
		return &FindingsError{fs}
	}
	return nil
}

// Fault adds to err, an operation's failure, why the store failed it
// when the reason was the file itself (a disk that cannot back it): the
// device reports only FAILED. It returns err unchanged otherwise (and for
// the live device, or a nil Device).
func (d *Device) Fault(err error) error {
	if err == nil || d == nil || d.Store == nil {
		return err
	}
	if f := d.Store.Fault(); f != nil {
		return fmt.Errorf("%w (the store file: %v)", err, f)
	}
	return err
}

// Info is [erst.Device.Info] with what only the tool knows: where the
// device is and, on a simulated device, its store's geometry.
func (d *Device) Info() (erst.Info, error) {
	info, err := d.Device.Info()
	if err != nil {
		return info, err
	}
	info.Device = d.Where
	if st := d.Store; st != nil {
		info.Store = &erst.StoreGeometry{Capacity: st.Capacity(), RecordSize: st.RecordSize(), Size: st.Size()}
	}
	return info, nil
}
