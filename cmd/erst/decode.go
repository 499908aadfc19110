package main

import (
	"flag"
	"fmt"

	"github.com/goerst/erst/erst/cper"
	"github.com/goerst/erst/internal/cli"
)

func init() {
	register(&command{Name: "decode", Args: "[FILE|-]...", Summary: "Decode CPER record files without a store: binary, base64 (Redfish LogEntry DiagnosticData) or hex.\nEvery section is decoded field by field where its type is standard; \"-\" or no FILE reads stdin.\nA record that decodes with findings (a malformed section, bytes after it, cut short) exits 1.", Setup: setupDecode})
}

func setupDecode(fs *flag.FlagSet) func(*env, []string) error {
	asJSON := fs.Bool("json", false, "print JSON: the header, every section descriptor and every decoded field (-format json)")
	format := fs.String("format", "text", "output `format`: text, json, or redfish (a JSON array of Redfish LogEntry v1.15.0, the record base64 in DiagnosticData)")
	return func(e *env, args []string) error {
		if err := outputFormat(format, asJSON); err != nil {
			return err
		}
		if len(args) == 0 {
			args = []string{"-"}
		}
		// Read everything first: an unreadable file is bad input (exit 2)
		// before anything is printed.
		ds := make([]cper.Decoded, len(args))
		for i, name := range args {
			b, name, err := readInput(e, name)
			if err != nil {
				return err
			}
			ds[i] = cper.DecodeFile(name, b)
		}
		if *asJSON {
			if err := cli.PrintJSON(e.stdout, map[string]any{"records": ds}); err != nil {
				return err
			}
			return cper.DecodeError(ds)
		}
		entries := []cper.RedfishLogEntry{}
		for _, d := range ds {
			if d.Err == nil && *format == "redfish" {
				entries = append(entries, cper.NewRedfishLogEntry(d.Rec, d.Raw))
			} else if err := d.WriteText(e.stdout, len(args) > 1); err != nil {
				return err
			}
			for _, p := range d.Problems() {
				fmt.Fprintf(e.stderr, "erst decode: %s: %s\n", d.File, p)
			}
		}
		if *format == "redfish" {
			if err := cli.PrintJSON(e.stdout, entries); err != nil {
				return err
			}
		}
		if cper.DecodeError(ds) != nil {
			return cli.Silent(cli.ExitFailure)
		}
		return nil
	}
}

// readInput reads the record file name, "-" for stdin, and returns its
// bytes and the name to show for it.
func readInput(e *env, name string) ([]byte, string, error) {
	in, name, err := cli.OpenInput(name, e.stdin)
	if err != nil {
		return nil, name, err
	}
	defer in.Close()
	b, err := cper.ReadInput(in)
	if err != nil {
		return nil, name, cli.Usage(fmt.Errorf("%s: %w", name, err))
	}
	return b, name, nil
}
