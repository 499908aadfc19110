package main

import (
	"fmt"

	"github.com/goerst/erst/erst/batch"
	"github.com/goerst/erst/internal/cli"
)

// outputFormat checks the -format of decode and dump and folds -json into it.
func outputFormat(format *string, asJSON *bool) error {
	switch {
	case *format != "text" && *format != "json" && *format != "redfish":
		return cli.Usagef("-format %q: want text, json or redfish", *format)
	case *asJSON && *format == "redfish":
		return cli.Usagef("-json and -format redfish: choose one")
	case *asJSON:
		*format = "json"
	}
	*asJSON = *format == "json"
	return nil
}

// dumpRedfish prints every stored record as a Redfish LogEntry (a JSON
// array, as erst decode -format redfish); a record that cannot be read or
// is not CPER is left out and named on stderr, and the exit is 1.
func (e *env) dumpRedfish(recs []batch.Stored) error {
	for _, r := range recs {
		if r.Err != nil {
			fmt.Fprintf(e.stderr, "erst dump: record %s: %v\n", hex64(r.ID), r.Err)
		}
	}
	entries := batch.RedfishEntries(recs)
	if err := cli.PrintJSON(e.stdout, entries); err != nil {
		return err
	}
	if err := e.storeFindings(); err != nil {
		return err
	}
	if len(entries) < len(recs) {
		return cli.Silent(cli.ExitFailure)
	}
	return nil
}
