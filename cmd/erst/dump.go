package main

import (
	"flag"

	"github.com/goerst/erst/erst/batch"
	"github.com/goerst/erst/internal/cli"
)

func init() {
	register(&command{Name: "dump", Summary: "Decode every stored record: header, sections, and validation problems.", Setup: setupDump})
}

func setupDump(fs *flag.FlagSet) func(*env, []string) error {
	asJSON := fs.Bool("json", false, "print JSON")
	format := fs.String("format", "text", "output `format`: text, json, or redfish (as erst decode -format redfish)")
	return func(e *env, args []string) error {
		if err := outputFormat(format, asJSON); err != nil {
			return err
		}
		recs, err := e.storedRecords("dump", args)
		if err != nil {
			return err
		}
		switch *format {
		case "redfish":
			return e.dumpRedfish(recs)
		case "json":
			err = cli.PrintJSON(e.stdout, map[string]any{"records": batch.DumpEntries(recs)})
		default:
			err = batch.WriteDump(e.stdout, recs)
		}
		if err != nil {
			return err
		}
		return e.readFailures("dump", recs)
	}
}
