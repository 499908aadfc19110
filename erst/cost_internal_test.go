package erst

import (
	"testing"

	"github.com/goerst/erst/acpi"
)

// SKIP may skip and GOTO may end the action: the minimum takes the
// cheaper way; a PRESERVE write costs its read-back.
func TestMachineMinAccesses(t *testing.T) {
	preserve := ent(acpi.WriteRegisterValue, reg(0x40, 32), 1, 0xff)
	preserve.Flags = acpi.FlagPreserveRegister
	for _, tc := range []struct {
		name    string
		entries []acpi.Entry
		want    int
	}{
		{"straight", []acpi.Entry{
			ent(acpi.WriteRegisterValue, reg(0x40, 32), 1, 0xff),
			ent(acpi.ReadRegister, reg(0x48, 64), 0, ^uint64(0)),
		}, 2},
		{"preserve", []acpi.Entry{preserve}, 2},
		{"add value", []acpi.Entry{ent(acpi.AddValue, reg(0x40, 32), 0, 0xff)}, 2},
		{"skip", []acpi.Entry{
			ent(acpi.SkipNextInstructionIfTrue, reg(0x40, 32), 0, 0xff),
			ent(acpi.AddValue, reg(0x40, 32), 0, 0xff),
			ent(acpi.Noop, acpi.GAS{}, 0, 0),
		}, 1},
		{"goto", []acpi.Entry{
			ent(acpi.ReadRegister, reg(0x48, 64), 0, ^uint64(0)),
			ent(acpi.Goto, acpi.GAS{}, 0, 0),
			ent(acpi.AddValue, reg(0x40, 32), 0, 0xff),
		}, 1},
	} {
		r := newRig(t, tc.entries...)
		if got, ok := r.m.MinAccesses(acpi.GetRecordCount); !ok || got != tc.want {
			t.Errorf("%s: MinAccesses = %d, %v; want %d", tc.name, got, ok, tc.want)
		}
	}
}

// An instruction the spec does not define has no known cost: the
// minimum is refused (false), never computed as if it made no access.
func TestMachineMinAccessesUnknownInstruction(t *testing.T) {
	r := newRig(t,
		ent(acpi.ReadRegister, reg(0x48, 64), 0, ^uint64(0)),
		ent(acpi.Instruction(acpi.NumInstructions), reg(0x40, 32), 0, 0xff),
	)
	if got, ok := r.m.MinAccesses(acpi.GetRecordCount); ok {
		t.Errorf("MinAccesses = %d, true over an unknown instruction; want false", got)
	}
}
