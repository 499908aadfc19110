package main

import (
	"fmt"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/live"
	"github.com/goerst/erst/erst/store"
	"github.com/goerst/erst/erst/target"
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

// openDeviceWith opens the device the global flags name (target.Open),
// the -store file for access; it is closed when the command ends, and
// the store holds the file's lock until then: other erst and erstvm
// processes wait (readers share it).
func (e *env) openDeviceWith(access storeAccess) (*device, error) {
	if e.g.store != "" && e.g.sizeErr != nil { // a size flag that does not parse is wrong whatever the command
		return nil, e.g.sizeErr
	}
	o := e.g.options()
	if e.g.trace {
		o.Trace = func(ev erst.TraceEvent) { fmt.Fprintf(e.stderr, "trace: %v\n", ev) }
	}
	d, err := target.Open(o, access)
	if err != nil {
		return nil, exitCode(err)
	}
	e.g.onClose(d.Close)
	e.g.opened = d
	return &device{Device: d.Device, st: d.Store, table: d.Table, where: d.Where}, nil
}

// storeFindings is the hook ls, dump and clear -all call: nil without a
// -store file or on a consistent one, else an error naming the first
// thing erst fsck finds.
func (e *env) storeFindings() error {
	if err := e.g.opened.Findings(); err != nil {
		return fmt.Errorf("%w: run 'erst -store %s fsck'", err, e.g.store)
	}
	return nil
}

// storeFault adds to a failed operation on a -store file why the store
// failed it, when the reason was the file itself.
func (e *env) storeFault(err error) error { return e.g.opened.Fault(err) }

// output writes b to the -o file, or to stdout when there is none.
func (e *env) output(path string, b []byte) error {
	if path != "" {
		return writeFileAtomic(path, b)
	}
	_, err := e.stdout.Write(b)
	return err
}
