package main

import (
	"flag"

	"github.com/goerst/erst/erst/target"
	"github.com/goerst/erst/internal/cli"
)

func init() {
	register(&command{Name: "info", Summary: "Show the error log address range, attributes, timings, record count and capacity.", Setup: setupInfo})
}

func setupInfo(fs *flag.FlagSet) func(*env, []string) error {
	asJSON := fs.Bool("json", false, "print JSON")
	return func(e *env, args []string) error {
		if len(args) > 0 {
			return cli.Usagef("info takes no arguments")
		}
		d, err := e.open(target.ReadOnly)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if *asJSON {
			return cli.PrintJSON(e.stdout, info)
		}
		return info.WriteText(e.stdout)
	}
}
