package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst/sim"
)

func init() {
	register(&command{
		name:    "table",
		args:    "[FILE]",
		summary: "Disassemble an ERST table: every header and entry field, with names, laid out like ACPICA's iasl -d.\n" + tableArgHelp,
		setup:   setupTable,
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
			return printJSON(e.stdout, t.JSON())
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

// commandTableWith reads the table that table and lint look at, FILE,
// else the global -table file, else with -store the table of the
// simulated device (the one -store's subcommands run), else the live
// table, and decodes it with decode. A table that cannot be read or
// decoded is a usage error (exit 2).
func (e *env) commandTableWith(args []string, decode func([]byte) (*acpi.ERST, error)) (*acpi.ERST, []byte, string, error) {
	switch {
	case len(args) == 0 && e.g.tablePath != "":
		args = []string{e.g.tablePath}
	case len(args) == 0 && e.g.store != "":
		t := sim.BuildTable(sim.Q35Bar0)
		return t, t.Encode(), "simulated device (QEMU's table)", nil
	}
	raw, name, err := readTable(args)
	if err != nil {
		return nil, nil, name, err
	}
	e.noteTables(name)
	t, err := decode(raw)
	if err != nil {
		return nil, raw, name, usageErr(fmt.Errorf("%s: %w", name, err))
	}
	return t, raw, name, nil
}

// noteTables prints a note on stderr when the acpidump text in file holds
// more than one ERST table: the command shows the first.
func (e *env) noteTables(file string) {
	b, err := os.ReadFile(file)
	if err != nil {
		return
	}
	if n := acpi.CountAcpidump(b, acpi.SignatureERST); n > 1 {
		fmt.Fprintf(e.stderr, "erst: note: %s holds %d ERST tables; this is the first of them\n", file, n)
	}
}
