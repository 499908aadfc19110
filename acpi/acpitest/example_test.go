package acpitest_test

import (
	"fmt"

	"github.com/goerst/erst/acpi/acpitest"
)

// Acpidump writes a table the way acpidump prints it, for tests of the
// readers that take acpidump output; IaslString shows a fixed-size string
// field as iasl's disassembly does.
func Example() {
	fmt.Printf("%s", acpitest.Acpidump("ERST", 0xBF6B7000, []byte("ERST0\x02\x00\x00\x01jBOCHS\x00")))
	fmt.Printf("%q\n", acpitest.IaslString([]byte("BOCHS \x00\x00")))
	// Output:
	// ERST @ 0x00000000BF6B7000
	//     0000: 45 52 53 54 30 02 00 00 01 6A 42 4F 43 48 53 00  ERST0....jBOCHS.
	//
	// "BOCHS "
}
