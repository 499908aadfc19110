package lint

import (
	"reflect"
	"testing"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/acpi/acpitest"
)

// FuzzCheck runs the linter on any table the decoder accepts: it must not
// panic, must finish, and must report well-formed findings, the same ones
// every time.
func FuzzCheck(f *testing.F) {
	good := goodTable()
	f.Add(good.Encode())
	loop := goodTable()
	replaceAction(loop, acpi.ExecuteOperation,
		ent(0, acpi.WriteRegisterValue, reg32(cmdReg+0x20), 1, 0xffffffff),
		ent(0, acpi.SkipNextInstructionIfTrue, reg32(cmdReg+4), 0, 1),
		ent(0, acpi.Goto, acpi.GAS{}, 0, 0),
		ent(0, acpi.Stall, acpi.GAS{}, 100, 0))
	f.Add(loop.Encode())
	for _, b := range acpitest.SeedTables() {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		tbl, err := acpi.DecodeERST(b)
		if err != nil {
			return
		}
		fs := Check(tbl, b)
		checkWellFormed(t, tbl, fs)
		if again := Check(tbl, b); !reflect.DeepEqual(again, fs) {
			t.Fatalf("Check is not deterministic")
		}
	})
}
