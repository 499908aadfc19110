package lint_test

import (
	"fmt"
	"log"
	"os"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/acpi/lint"
)

// Lint a Supermicro X8SIL's ERST table, which lacks the actions Linux
// needs to find the error log address range.
func Example() {
	raw, err := acpi.ReadTableFile("../testdata/corpus/erst/a32d335f835a4c1f.dat", acpi.SignatureERST)
	if err != nil {
		log.Fatal(err)
	}
	t, err := lint.Decode(raw)
	if err != nil {
		log.Fatal(err) // not an ERST table at all
	}
	findings := lint.Check(t, raw)
	for _, f := range findings {
		fmt.Println(f.Severity, f.Code)
	}
	fmt.Println("Linux can use it:", !lint.HasErrors(findings))
	// Output:
	// error missing-action
	// info missing-timings
	// Linux can use it: false
}

// WriteText prints findings as erst lint does, then a count line.
func ExampleWriteText() {
	lint.WriteText(os.Stdout, "erst.dat", []lint.Finding{
		{Severity: lint.Error, Code: lint.CodeChecksum, Entry: -1, Message: "the bytes do not sum to 0"},
		{Severity: lint.Info, Code: lint.CodeFillerAction, Entry: 7, Message: "a filler entry"},
	})
	// Output:
	// error [checksum] the bytes do not sum to 0
	// info [filler-action] entry 7: a filler entry
	// erst.dat: 1 error, 0 warnings, 1 info
}
