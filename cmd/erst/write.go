package main

import (
	"errors"
	"flag"
	"fmt"

	"github.com/goerst/erst/erst/batch"
	"github.com/goerst/erst/erst/store"
	"github.com/goerst/erst/erst/target"
	"github.com/goerst/erst/internal/cli"
)

func init() {
	register(&command{Name: "write", Args: "[FILE|-]...", Summary: "Write CPER records (from the FILEs, or stdin) under the ids in their headers; prints each id.\nEvery record (CPER structure, id, fit in the error log range, free slots of a -store file) is checked\nbefore the first is written; a stored record with the same id is replaced, two with one id are refused. If the device fails part-way,\nthe error names the records written and those not written.", Setup: setupWrite})
}

// write is all or nothing as far as anything can be known in advance
// (batch.Input, batch.Check); only the device failing part-way can leave
// some records written, and the error then names exactly which.

func setupWrite(fs *flag.FlagSet) func(*env, []string) error {
	asJSON := fs.Bool("json", false, "print one JSON document, {\"records\": [{\"id\", \"length\"}...]}, the records written, instead of the ids")
	return func(e *env, args []string) error {
		if len(args) == 0 {
			args = []string{"-"}
		}
		var in batch.Input
		for _, name := range args {
			r, name, err := cli.OpenInput(name, e.stdin)
			if err != nil {
				return err
			}
			e.g.onClose(r.Close)
			if err := in.Add(name, r); err != nil {
				return inputErr(err)
			}
		}
		// Opening a missing -store creates it: check the records first,
		// against the range the new store will have (its record size).
		// Otherwise the range is known once the device is open.
		var b []batch.Record
		var err error
		if e.g.store != "" {
			if state, _ := store.Probe(e.g.store); state == store.FileMissing {
				if b, err = in.Records(uint64(e.g.recordSize)); err != nil {
					return inputErr(err)
				}
			}
		}
		d, err := e.open(target.Create)
		if err != nil {
			return err
		}
		if b == nil {
			if b, err = in.Records(d.Range().Length); err != nil {
				return inputErr(err)
			}
		}
		if err := batch.Check(d.Device, d.Store, b); err != nil {
			return err
		}
		// With -json, one document, the records written, even when the
		// device failed part-way (the error then says which were not).
		written := []batch.Written{}
		err = batch.Write(d, b, func(r batch.Record) error {
			if *asJSON {
				written = append(written, batch.WrittenOf(r))
				return nil
			}
			_, err := fmt.Fprintln(e.stdout, hex64(r.ID))
			return err
		})
		if *asJSON {
			if perr := cli.PrintJSON(e.stdout, map[string]any{"records": written}); perr != nil && err == nil {
				err = perr
			}
		}
		return e.storeFault(err)
	}
}

// inputErr makes a failure to read an input (not a refused record) a
// usage error, exit 2.
func inputErr(err error) error {
	if _, ok := errors.AsType[*batch.ReadError](err); ok {
		return cli.Usage(err)
	}
	return err
}
