package main

import (
	"flag"
	"fmt"

	"github.com/goerst/erst/acpi/lint"
)

func init() {
	register(&command{
		name: "lint",
		args: "[FILE]",
		summary: "Check an ERST table against what the ACPI spec, Linux and QEMU require; one line per finding.\n" + tableArgHelp +
			"\nExit status 0 with no errors, 1 with errors, 2 when the table cannot be read at all.",
		setup: setupLint,
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
			if findings == nil {
				findings = []lint.Finding{}
			}
			err = printJSON(e.stdout, struct {
				Findings []lint.Finding `json:"findings"`
			}{findings})
		} else {
			err = printFindings(e, name, findings)
		}
		if err != nil {
			return err
		}
		if lint.HasErrors(findings) {
			return silentExit(exitFailure)
		}
		return nil
	}
}

// printFindings prints one line per finding and a count.
func printFindings(e *env, name string, findings []lint.Finding) error {
	var n [3]int
	for _, f := range findings {
		if _, err := fmt.Fprintln(e.stdout, f); err != nil {
			return err
		}
		if int(f.Severity) < len(n) {
			n[f.Severity]++
		}
	}
	plural := func(k int, what string) string {
		if k == 1 {
			return fmt.Sprintf("%d %s", k, what)
		}
		return fmt.Sprintf("%d %ss", k, what)
	}
	_, err := fmt.Fprintf(e.stdout, "%s: %s, %s, %d info\n", name,
		plural(n[lint.Error], "error"), plural(n[lint.Warning], "warning"), n[lint.Info])
	return err
}
