package main

import (
	"flag"

	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/target"
	"github.com/goerst/erst/internal/cli"
)

func init() {
	register(&command{Name: "read", Args: "ID", Summary: "Read one record's raw bytes (ID 0 = the first record).", Setup: setupRead})
}

func setupRead(fs *flag.FlagSet) func(*env, []string) error {
	out := fs.String("o", "", "write the record to this `file` instead of stdout")
	return func(e *env, args []string) error {
		if len(args) != 1 {
			return cli.Usagef("read takes one record ID")
		}
		id, err := erst.ParseID(args[0])
		if err == nil && id != 0 { // 0 means the first record
			err = erst.CheckID(id)
		}
		if err != nil {
			return cli.Usage(err)
		}
		if err := e.checkOutput(*out); err != nil {
			return err
		}
		d, err := e.open(target.ReadOnly)
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
