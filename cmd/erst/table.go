package main

import (
	"flag"
)

func init() {
	register(&command{
		name:    "table",
		args:    "[FILE]",
		summary: "Disassemble an ERST table: every header and entry field, with names, laid out like ACPICA's iasl -d.\nFILE is a binary table or acpidump text; without it, the global -table file, else the live table.",
		setup:   setupTable,
	})
}

func setupTable(fs *flag.FlagSet) func(*env, []string) error {
	asJSON := fs.Bool("json", false, "print JSON instead: 64-bit quantities as \"0x...\" strings, OEM strings with one character per raw byte")
	return func(e *env, args []string) error {
		t, _, _, err := decodeTable(e.tableFileArgs(args))
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e.stdout, t.JSON())
		}
		return t.Disassemble(e.stdout)
	}
}

// tableFileArgs is args, or the global -table file when args names no
// FILE, for the commands that read a table rather than a device.
func (e *env) tableFileArgs(args []string) []string {
	if len(args) == 0 && e.g.tablePath != "" {
		return []string{e.g.tablePath}
	}
	return args
}
