package main

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/goerst/erst/erst/cper"
)

func init() {
	register(&command{name: "decode", args: "[FILE|-]...", summary: "Decode CPER record files without a store: binary, base64 (Redfish LogEntry DiagnosticData) or hex.\nEvery section is decoded field by field where its type is standard; \"-\" or no FILE reads stdin.", setup: setupDecode})
}

// maxInput bounds what decode reads from one file: a CPER record's length
// is a u32, but no real one comes near 64 MiB (base64 a third more).
const maxInput = 64 << 20

// decodedFile is one FILE's outcome in decode -json.
type decodedFile struct {
	File   string           `json:"file"`
	Record *cper.RecordJSON `json:"record,omitempty"`
	Error  string           `json:"error,omitempty"`
}

func setupDecode(fs *flag.FlagSet) func(*env, []string) error {
	asJSON := fs.Bool("json", false, "print JSON: the header, every section descriptor and every decoded field")
	return func(e *env, args []string) error {
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
		failed := 0
		for i, name := range args {
			if name == "-" {
				name = "stdin"
			}
			r, err := decodeRecord(inputs[i])
			d := decodedFile{File: name}
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
			out = append(out, d)
			if *asJSON || err != nil {
				continue
			}
			if len(args) > 1 {
				fmt.Fprintf(e.stdout, "%s:\n", name)
			}
			if err := cper.WriteText(e.stdout, r); err != nil {
				return err
			}
		}
		if *asJSON {
			if err := printJSON(e.stdout, map[string]any{"records": out}); err != nil {
				return err
			}
		}
		if failed > 0 {
			if *asJSON {
				return fmt.Errorf("%d of %d inputs are not CPER records", failed, len(args))
			}
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

// decodeRecord reads one record from a file's bytes: the record itself
// (bytes after RecordLength, such as an ERST slot's padding, are ignored),
// or its base64 or hex text form, whitespace allowed.
func decodeRecord(b []byte) (*cper.Record, error) {
	raw := b
	if !bytes.HasPrefix(b, []byte(cper.Signature)) {
		text := strings.Join(strings.Fields(string(b)), "")
		switch {
		case text == "":
			return nil, fmt.Errorf("empty input")
		case isHex(text):
			var err error
			if raw, err = hex.DecodeString(text); err != nil {
				return nil, fmt.Errorf("hex: %w", err)
			}
		default:
			var err error
			if raw, err = base64.StdEncoding.DecodeString(text); err != nil {
				if raw, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(text, "=")); err != nil {
					return nil, fmt.Errorf("neither a CPER record (no %q signature) nor base64 or hex text", cper.Signature)
				}
			}
		}
	}
	t, err := cper.Trim(raw)
	if err != nil {
		return nil, fmt.Errorf("not a valid CPER record: %w", err)
	}
	r, err := cper.Parse(t)
	if err != nil {
		return nil, fmt.Errorf("not a valid CPER record: %w", err)
	}
	return r, nil
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
