package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/goerst/erst/erst/cper"
)

func init() {
	register(&command{name: "decode", args: "[FILE|-]...", summary: "Decode CPER record files without a store: binary, base64 (Redfish LogEntry DiagnosticData) or hex.\nEvery section is decoded field by field where its type is standard; \"-\" or no FILE reads stdin.\nA record that decodes with findings (a malformed section, bytes after it, cut short) exits 1.", setup: setupDecode})
}

// maxInput bounds what decode reads from one file: a CPER record's length
// is a u32, but no real one comes near 64 MiB (base64 a third more).
const maxInput = 64 << 20

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
		inputs := make([][]byte, len(args))
		for i, name := range args {
			b, err := readInput(e, name)
			if err != nil {
				return err
			}
			inputs[i] = b
		}
		ds := make([]cper.Decoded, len(args))
		for i, name := range args {
			if name == "-" {
				name = "stdin"
			}
			ds[i] = cper.DecodeFile(name, inputs[i])
		}
		if *asJSON {
			if err := printJSON(e.stdout, map[string]any{"records": ds}); err != nil {
				return err
			}
			return cper.DecodeError(ds)
		}
		entries := []cper.RedfishLogEntry{}
		for _, d := range ds {
			if d.Err == nil && *format == "redfish" {
				entries = append(entries, cper.NewRedfishLogEntry(d.Rec, d.Raw))
			} else if d.Err == nil {
				if len(args) > 1 {
					fmt.Fprintf(e.stdout, "%s:\n", d.File)
				}
				if err := cper.WriteText(e.stdout, d.Rec); err != nil {
					return err
				}
			}
			for _, p := range d.Problems() {
				fmt.Fprintf(e.stderr, "erst decode: %s: %s\n", d.File, p)
			}
		}
		if *format == "redfish" {
			if err := printJSON(e.stdout, entries); err != nil {
				return err
			}
		}
		if cper.DecodeError(ds) != nil {
			return silentExit(exitFailure)
		}
		return nil
	}
}

func readInput(e *env, name string) ([]byte, error) {
	in := e.stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, usageErr(err)
		}
		defer f.Close()
		in = f
	} else {
		name = "stdin"
	}
	b, err := io.ReadAll(io.LimitReader(in, maxInput+1))
	if err != nil {
		return nil, usageErr(fmt.Errorf("%s: %w", name, err))
	}
	if len(b) > maxInput {
		return nil, usagef("%s: larger than %d MiB: not an error record", name, maxInput>>20)
	}
	return b, nil
}
