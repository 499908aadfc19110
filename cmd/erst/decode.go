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

// decodedFile is one FILE's outcome in decode -json: the record as far
// as it decoded, what is wrong with it, or why it is not a record at all.
type decodedFile struct {
	File     string           `json:"file"`
	Record   *cper.RecordJSON `json:"record,omitempty"`
	Findings []string         `json:"findings,omitempty"`
	Error    string           `json:"error,omitempty"`
}

func setupDecode(fs *flag.FlagSet) func(*env, []string) error {
	asJSON := fs.Bool("json", false, "print JSON: the header, every section descriptor and every decoded field (-format json)")
	format := fs.String("format", "text", "output `format`: text, json, or redfish (a JSON array of Redfish LogEntry v1.15.0, the record base64 in DiagnosticData)")
	return func(e *env, args []string) error {
		if err := outputFormat(format, asJSON); err != nil {
			return err
		}
		redfish := *format == "redfish"
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
		var out []decodedFile
		entries := []cper.RedfishLogEntry{}
		failed, withFindings := 0, 0
		for i, name := range args {
			if name == "-" {
				name = "stdin"
			}
			r, raw, findings, err := cper.ReadRecord(inputs[i])
			d := decodedFile{File: name, Findings: findings}
			if err != nil {
				failed++
				d.Error = err.Error()
				if !*asJSON {
					fmt.Fprintf(e.stderr, "erst decode: %s: %v\n", name, err)
				}
			} else {
				j := r.JSON()
				d.Record = &j
			}
			if len(findings) > 0 {
				withFindings++
			}
			out = append(out, d)
			if redfish && err == nil {
				entries = append(entries, cper.NewRedfishLogEntry(r, raw))
			}
			if redfish {
				for _, f := range findings {
					fmt.Fprintf(e.stderr, "erst decode: %s: %s\n", name, f)
				}
			}
			if *asJSON || redfish || err != nil {
				continue
			}
			if len(args) > 1 {
				fmt.Fprintf(e.stdout, "%s:\n", name)
			}
			if err := cper.WriteText(e.stdout, r); err != nil {
				return err
			}
			for _, f := range findings {
				fmt.Fprintf(e.stderr, "erst decode: %s: %s\n", name, f)
			}
		}
		if *asJSON {
			if err := printJSON(e.stdout, map[string]any{"records": out}); err != nil {
				return err
			}
		}
		if redfish {
			if err := printJSON(e.stdout, entries); err != nil {
				return err
			}
		}
		switch {
		case !*asJSON && failed+withFindings > 0:
			return silentExit(exitFailure)
		case failed > 0 && withFindings > 0:
			return fmt.Errorf("%d of %d inputs are not CPER records, %d have findings", failed, len(args), withFindings)
		case failed > 0:
			return fmt.Errorf("%d of %d inputs are not CPER records", failed, len(args))
		case withFindings > 0:
			return fmt.Errorf("%d of %d records have findings", withFindings, len(args))
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
