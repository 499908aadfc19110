package main

import (
	"flag"

	"github.com/goerst/erst/erst"
)

func init() {
	register(&command{name: "read", args: "ID", summary: "Read one record's raw bytes (ID 0 = the first record).", setup: setupRead})
}

func setupRead(fs *flag.FlagSet) func(*env, []string) error {
	out := fs.String("o", "", "write the record to this `file` instead of stdout")
	return func(e *env, args []string) error {
		if len(args) != 1 {
			return usagef("read takes one record ID")
		}
		id, err := erst.ParseID(args[0])
		if err == nil && id != 0 { // 0 means the first record
			err = erst.CheckID(id)
		}
		if err != nil {
			return usageErr(err)
		}
		if err := e.checkOutput(*out); err != nil {
			return err
		}
		d, err := e.openDevice()
		if err != nil {
			return err
		}
		rec, err := d.Read(id)
		if err != nil {
			return err
		}
		return e.output(*out, rec)
	}
}
