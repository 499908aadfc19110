package main

import (
	"flag"
	"fmt"

	"github.com/goerst/erst/erst/target"
	"github.com/goerst/erst/internal/cli"
)

func init() {
	register(&command{Name: "create", Summary: "Create the -store file in QEMU's format (-store-size, -record-size), or check that an existing one opens.\nA missing or empty file is made -store-size bytes; a zero-filled one is formatted at its own size, as QEMU does.\nAn existing store whose size or record size differs from a -store-size or -record-size given, or one without\nroom for a record, is an error (exit 1).", Setup: setupCreate})
}

func setupCreate(fs *flag.FlagSet) func(*env, []string) error {
	return func(e *env, args []string) error {
		if len(args) > 0 {
			return cli.Usagef("create takes no arguments")
		}
		if e.g.store == "" {
			return cli.Usagef("create needs -store FILE")
		}
		if err := e.g.checkStoreFlags(); err != nil { // a bad value is bad whether or not the store exists
			return err
		}
		d, err := e.open(target.Create)
		if err != nil {
			return err
		}
		if err := e.g.options().CheckStore(d.Store); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s: %d record slots of %d bytes (%d-byte store)\n", e.g.store, d.Store.Capacity(), d.Store.RecordSize(), d.Store.Size())
		return nil
	}
}
