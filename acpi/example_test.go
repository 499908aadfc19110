package acpi_test

import (
	"fmt"
	"log"

	"github.com/goerst/erst/acpi"
)

// Read QEMU's ERST table (a binary file here; acpidump text works too),
// decode it and look at the instructions of one action. QEMU's
// EXECUTE_OPERATION writes the magic 0x9C to its value register (BAR0+8),
// then the action code 5 to its action register (BAR0).
func ExampleDecodeERST() {
	raw, err := acpi.ReadTableFile("testdata/corpus/erst/eebf1dc4571b2072.dat", acpi.SignatureERST)
	if err != nil {
		log.Fatal(err)
	}
	t, err := acpi.DecodeERST(raw)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %d entries, checksum ok: %v\n", t.Header.OEMID[:], len(t.Entries), t.ChecksumOK())
	for _, e := range t.Action(acpi.ExecuteOperation) {
		fmt.Printf("%v %v %v[%#x] = %#x\n", e.Action, e.Instruction, e.Register.Space, e.Register.Address, e.Value)
	}
	// Output:
	// BOCHS : 27 entries, checksum ok: true
	// EXECUTE_OPERATION WRITE_REGISTER_VALUE SystemMemory[0xfebd7008] = 0x9c
	// EXECUTE_OPERATION WRITE_REGISTER_VALUE SystemMemory[0xfebd7000] = 0x5
}
