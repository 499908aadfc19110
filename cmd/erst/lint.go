package main

import (
	"flag"

	"github.com/goerst/erst/acpi/lint"
	"github.com/goerst/erst/internal/cli"
)

func init() {
	register(&command{
		Name: "lint",
		Args: "[FILE]",
		Summary: "Check an ERST table against what the ACPI spec, Linux and QEMU require; one line per finding.\n" + tableArgHelp +
			"\nExit status 0 with no errors, 1 with errors, 2 when the table cannot be read at all.",
		Setup: setupLint,
	})
}

func setupLint(fs *flag.FlagSet) func(*env, []string) error {
	asJSON := fs.Bool("json", false, `print {"findings":[{"severity","code","entry","message"}...]}; entry is null for the whole table`)
	return func(e *env, args []string) error {
		t, raw, name, err := e.commandTableWith(args, lint.Decode)
		if err != nil {
			return err
		}
		findings := lint.Check(t, raw)
		if *asJSON {
			err = cli.PrintJSON(e.stdout, lint.Report{Findings: findings})
		} else {
			err = lint.WriteText(e.stdout, name, findings)
		}
		if err != nil {
			return err
		}
		if lint.HasErrors(findings) {
			return cli.Silent(cli.ExitFailure)
		}
		return nil
	}
}
