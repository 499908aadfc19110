package main

import (
	"flag"
	"fmt"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/internal/cli"
)

func init() {
	register(&command{
		Name:    "table",
		Args:    "[FILE]",
		Summary: "Disassemble an ERST table: every header and entry field, with names, laid out like ACPICA's iasl -d.\n" + tableArgHelp,
		Setup:   setupTable,
	})
}

func setupTable(fs *flag.FlagSet) func(*env, []string) error {
	asJSON := fs.Bool("json", false, "print JSON instead: 64-bit quantities as \"0x...\" strings, OEM strings with one character per raw byte")
	return func(e *env, args []string) error {
		t, _, _, err := e.commandTable(args)
		if err != nil {
			return err
		}
		if *asJSON {
			return cli.PrintJSON(e.stdout, t.JSON())
		}
		return t.Disassemble(e.stdout)
	}
}

// tableArgHelp says which table table and lint look at (commandTableWith).
const tableArgHelp = "FILE is a binary table or acpidump text; without it, the global -table file, else with -store the\n" +
	"simulated device's table (QEMU's), else the live table."

// commandTable reads and decodes the table that table looks at.
func (e *env) commandTable(args []string) (*acpi.ERST, []byte, string, error) {
	return e.commandTableWith(args, acpi.DecodeERST)
}

// commandTableWith reads the table that table and lint look at
// (target.Options.SelectTable: FILE, else -table, else with -store the
// simulated device's, else the live table) and decodes it with decode. A
// table that cannot be read or decoded is a usage error (exit 2).
func (e *env) commandTableWith(args []string, decode func([]byte) (*acpi.ERST, error)) (*acpi.ERST, []byte, string, error) {
	var file string
	switch len(args) {
	case 0:
	case 1:
		file = args[0]
	default:
		return nil, nil, "", cli.Usagef("too many arguments: want at most one FILE")
	}
	t, err := e.g.options().SelectTable(file, decode)
	if t.Tables > 1 {
		fmt.Fprintf(e.stderr, "erst: note: %s holds %d ERST tables; this is the first of them\n", t.Name, t.Tables)
	}
	return t.ERST, t.Raw, t.Name, exitCode(err)
}
