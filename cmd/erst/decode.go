package main

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

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
			r, raw, findings, err := decodeRecord(inputs[i])
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

// errNotRecord is the message for input in none of the three forms.
var errNotRecord = fmt.Errorf("neither a CPER record (no %q signature) nor base64 or hex text of one", cper.Signature)

// decodeRecord reads one record from a file's bytes: the record itself,
// or its base64 or hex text form (hex with or without a leading 0x),
// whitespace allowed. It returns the record and what is wrong with it
// (findings: bytes after RecordLength, a record cut short whose sections
// all fit, SectionCount 0, malformed section bodies), or an error when
// the input is not a record at all. raw is the record's bytes: the input
// decoded from its text form, without any bytes after RecordLength.
func decodeRecord(b []byte) (r *cper.Record, raw []byte, findings []string, err error) {
	raw = b
	if !bytes.HasPrefix(b, []byte(cper.Signature)) {
		text := strings.Join(strings.Fields(string(b)), "")
		if h, ok := strings.CutPrefix(strings.ToLower(text), "0x"); ok && isHex(h) {
			text = h
		}
		switch {
		case text == "":
			return nil, nil, nil, fmt.Errorf("empty input")
		case isHex(text):
			var err error
			if raw, err = hex.DecodeString(text); err != nil {
				return nil, nil, nil, fmt.Errorf("hex: %w", err)
			}
		default:
			var err error
			if raw, err = base64.StdEncoding.DecodeString(text); err != nil {
				if raw, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(text, "=")); err != nil {
					return nil, nil, nil, errNotRecord
				}
			}
			if !bytes.HasPrefix(raw, []byte(cper.Signature)) {
				// Text that happens to be valid base64 but does not
				// hold a record: say what the input is not.
				return nil, nil, nil, errNotRecord
			}
		}
	}
	r, err = cper.Parse(raw)
	switch {
	case errors.Is(err, cper.ErrTrailingBytes):
		t, terr := cper.Trim(raw)
		if terr != nil {
			return nil, nil, nil, fmt.Errorf("not a valid CPER record: %w", terr)
		}
		if r, err = cper.Parse(t); err == nil {
			findings = append(findings, fmt.Sprintf("%d bytes after the record (RecordLength %d, the input holds %d): ignored",
				len(raw)-len(t), len(t), len(raw)))
			raw = t
		}
	case errors.Is(err, cper.ErrRecordTruncated):
		if tr, terr := cper.ParseTruncated(raw); terr == nil {
			r, err = tr, nil
			findings = append(findings, fmt.Sprintf("record cut short: RecordLength %d, the input holds %d bytes; every section is within them and decoded",
				tr.RecordLength, len(raw)))
		}
	}
	if err != nil {
		return nil, nil, nil, fmt.Errorf("not a valid CPER record: %w", err)
	}
	for _, f := range cper.Findings(r) {
		findings = append(findings, f.Error())
	}
	return r, raw, findings, nil
}

// isHex reports whether s is an even number of hex digits starting with
// the hex of "CPER", so that base64 text of hex digits alone is not taken
// for hex.
func isHex(s string) bool {
	if len(s)%2 != 0 || !strings.HasPrefix(strings.ToLower(s), hex.EncodeToString([]byte(cper.Signature))) {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return false
		}
	}
	return true
}
