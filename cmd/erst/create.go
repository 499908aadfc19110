package main

import (
	"flag"
	"fmt"
)

func init() {
	register(&command{name: "create", summary: "Create the -store file in QEMU's format (-store-size, -record-size), or check that an existing one opens.\nA missing or empty file is made -store-size bytes; a zero-filled one is formatted at its own size, as QEMU does.\nAn existing store whose size or record size differs from a -store-size or -record-size given, or one without\nroom for a record, is an error (exit 1).", setup: setupCreate})
}

func setupCreate(fs *flag.FlagSet) func(*env, []string) error {
	return func(e *env, args []string) error {
		if len(args) > 0 {
			return usagef("create takes no arguments")
		}
		if e.g.store == "" {
			return usagef("create needs -store FILE")
		}
		if err := e.g.checkStoreFlags(); err != nil { // a bad value is bad whether or not the store exists
			return err
		}
		d, err := e.openDeviceCreate()
		if err != nil {
			return err
		}
		if err := e.g.options().CheckStore(d.st); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s: %d record slots of %d bytes (%d-byte store)\n", e.g.store, d.st.Capacity(), d.st.RecordSize(), d.st.Size())
		return nil
	}
}
