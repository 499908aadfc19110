package main

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/live"
	"github.com/goerst/erst/erst/sim/simdriver"
	"github.com/goerst/erst/erst/store"
)

// liveLockPath serialises erst processes on the live device (a variable
// for tests).
var liveLockPath = live.LockPath

// device is an open ERST device and what the commands report about it.
type device struct {
	*erst.Device
	st    *store.Store // the backing store with -store, else nil
	table *acpi.ERST
	where string // "simulated store FILE" or "live device"
}

// openDevice opens the simulated device over an existing -store file,
// read-only (for the commands that only read), or the live device.
func (e *env) openDevice() (*device, error) { return e.openDeviceWith(readStore) }

// openDeviceWrite is openDevice for the commands that change records on
// an existing store (clear, torture, bench, serve, conform).
func (e *env) openDeviceWrite() (*device, error) { return e.openDeviceWith(writeStore) }

// openDeviceCreate is openDevice for create and write, the only commands
// that make a store: a missing, empty or zero-filled -store file is made
// a store in QEMU's format.
func (e *env) openDeviceCreate() (*device, error) { return e.openDeviceWith(createStore) }

func (e *env) openDeviceWith(access storeAccess) (*device, error) {
	var trace func(erst.TraceEvent)
	if e.g.trace {
		trace = e.traceFunc()
	}
	opts := []erst.Option{erst.WithTrace(trace)}
	if e.g.store != "" {
		return e.openSimulated(opts, access)
	}
	if len(e.g.faults) > 0 {
		return nil, usagef("-fault %s needs -store: faults are injected into the simulated device", e.g.faults.String())
	}
	if runtime.GOOS != "linux" {
		return nil, usagef("the live ERST device is Linux-only (it needs the ACPI tables in sysfs and /dev/mem); on %s use -store FILE for a simulated device", runtime.GOOS)
	}
	var tableArgs []string // the live table, or -table's
	if e.g.tablePath != "" {
		tableArgs = []string{e.g.tablePath}
	}
	d, err := live.Open(func() (*acpi.ERST, error) {
		t, _, _, err := decodeTable(tableArgs)
		return t, err
	}, live.WithLockPath(liveLockPath), live.WithDriver(opts...))
	var te *live.TableError
	switch {
	case errors.As(err, &te):
		return nil, te.Err
	case err != nil:
		return nil, fmt.Errorf("live device: %w", err)
	}
	e.g.onClose(d.Close)
	return &device{Device: d.Device, table: d.Table, where: "live device"}, nil
}

// openSimulated opens the -store file for access (see storeAccess) and
// puts a simulated acpi-erst device over it, driven through QEMU's own
// table. The store holds the file's lock until the command ends: other
// erst and erstvm processes wait (readers share it).
func (e *env) openSimulated(opts []erst.Option, access storeAccess) (*device, error) {
	path := e.g.store
	if e.g.sizeErr != nil { // a size flag that does not parse is wrong whatever the command
		return nil, e.g.sizeErr
	}
	st, err := e.openStore(access)
	if err != nil {
		return nil, err
	}
	e.g.onClose(st.Close)
	e.g.opened = st
	o := []simdriver.Option{simdriver.WithDriver(opts...), simdriver.WithFaults(e.g.faults)}
	if c := e.g.simClock; c != nil {
		o = append(o, simdriver.WithClock(c))
	}
	if e.g.tablePath != "" {
		o = append(o, simdriver.WithTableFile(e.g.tablePath))
	}
	d, err := simdriver.Open(st, o...)
	var te *simdriver.TableError
	switch {
	case errors.As(err, &te):
		return nil, usageErr(te.Err)
	case err != nil:
		return nil, fmt.Errorf("store %s: %w", path, err)
	}
	return &device{Device: d.Device, st: st, table: d.Table, where: "simulated store " + path}, nil
}

// storeFindings is the hook ls, dump and clear -all call: nil without a
// -store file or on a consistent one, else an error naming the first
// thing erst fsck finds (a broken map explains ghost ids, records that
// read as missing, a clear that stops part-way).
func (e *env) storeFindings() error {
	if e.g.opened == nil {
		return nil
	}
	fs := e.g.opened.Check()
	if len(fs) == 0 {
		return nil
	}
	return fmt.Errorf("the store is inconsistent (%d finding(s); first: %s): run 'erst -store %s fsck'", len(fs), fs[0], e.g.store)
}

// storeFault adds to a failed operation on a -store file why the store
// failed it, when the reason was the file itself (a disk that cannot back
// it): the device reports only FAILED.
func (e *env) storeFault(err error) error {
	if err == nil || e.g.opened == nil {
		return err
	}
	if f := e.g.opened.Fault(); f != nil {
		return fmt.Errorf("%w (the store file: %v)", err, f)
	}
	return err
}

// traceFunc prints one line per register access to stderr.
func (e *env) traceFunc() func(erst.TraceEvent) {
	return func(ev erst.TraceEvent) { fmt.Fprintf(e.stderr, "trace: %v\n", ev) }
}

// output writes b to the -o file, or to stdout when there is none.
func (e *env) output(path string, b []byte) error {
	if path != "" {
		return writeFileAtomic(path, b)
	}
	_, err := e.stdout.Write(b)
	return err
}
