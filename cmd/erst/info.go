package main

import (
	"flag"

	"github.com/goerst/erst/erst"
)

func init() {
	register(&command{name: "info", summary: "Show the error log address range, attributes, timings, record count and capacity.", setup: setupInfo})
}

// attributeNames names the range attribute bits, [] for none, as
// erst.Info does in attribute_names.
func attributeNames(a uint64) []string {
	if names := erst.Attributes(a).Names(); names != nil {
		return names
	}
	return []string{}
}

func setupInfo(fs *flag.FlagSet) func(*env, []string) error {
	asJSON := fs.Bool("json", false, "print JSON")
	return func(e *env, args []string) error {
		if len(args) > 0 {
			return usagef("info takes no arguments")
		}
		d, err := e.openDevice()
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		info.Device = d.where
		if d.st != nil {
			info.Store = &erst.StoreGeometry{Capacity: d.st.Capacity(), RecordSize: d.st.RecordSize(), Size: d.st.Size()}
		}
		if *asJSON {
			return printJSON(e.stdout, info)
		}
		return info.WriteText(e.stdout)
	}
}
