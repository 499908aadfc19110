package main

import (
	"flag"
	"fmt"

	"github.com/goerst/erst/erst/cper"
)

func init() {
	register(&command{name: "dump", summary: "Decode every stored record: header, sections, and validation problems.", setup: setupDump})
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
		if *format == "redfish" {
			return e.dumpRedfish(recs)
		}
		type dumpEntry struct {
			ID     string           `json:"id"`
			Record *cper.RecordJSON `json:"record,omitempty"`
			Error  string           `json:"error,omitempty"`
		}
		if *asJSON {
			out := make([]dumpEntry, len(recs))
			for i, r := range recs {
				out[i].ID = hex64(r.ID)
				if r.Err != nil {
					out[i].Error = r.Err.Error()
					continue
				}
				j := r.Rec.JSON()
				out[i].Record = &j
			}
			if err := printJSON(e.stdout, map[string]any{"records": out}); err != nil {
				return err
			}
			return e.readFailures("dump", recs)
		}
		first := true
		for _, r := range recs {
			if r.Unread {
				continue
			}
			if !first {
				fmt.Fprintln(e.stdout)
			}
			first = false
			if r.Err != nil {
				fmt.Fprintf(e.stdout, "record %s: %v\n", hex64(r.ID), r.Err)
				continue
			}
			if err := cper.WriteText(e.stdout, r.Rec); err != nil {
				return err
			}
		}
		return e.readFailures("dump", recs)
	}
}
