package main

import (
	"fmt"

	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/live"
	"github.com/goerst/erst/erst/target"
	"github.com/goerst/erst/internal/atomicfile"
)

// liveLockPath serialises erst processes on the live device (a variable
// for tests).
var liveLockPath = live.LockPath

// open opens the device the global flags name (target.Open), the -store
// file for access (target.Create only for create and write, the commands
// that make a store); it is closed when the command ends, and the store
// holds the file's lock until then: other erst and erstvm processes wait
// (readers share it).
func (e *env) open(access target.Mode) (*target.Device, error) {
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
	return d, nil
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

// output writes b to the -o file, whole or not at all, or to stdout when
// there is none.
func (e *env) output(path string, b []byte) error {
	if path != "" {
		if err := atomicfile.Write(path, b); err != nil {
			return fmt.Errorf("-o %w", err)
		}
		return nil
	}
	_, err := e.stdout.Write(b)
	return err
}
