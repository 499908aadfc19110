package linuxhw

import (
	"reflect"
	"strings"
	"testing"

	"github.com/goerst/erst/acpi"
)

// entry builds a serialization instruction entry.
func entry(a acpi.Action, ins acpi.Instruction, g acpi.GAS, value uint64) acpi.Entry {
	return acpi.Entry{Action: a, Instruction: ins, Register: g, Value: value, Mask: ^uint64(0)}
}

// mem32 and mem64 are SystemMemory registers as QEMU's build_erst writes
// them: bit offset 0, access size DWord or QWord.
func mem32(addr uint64) acpi.GAS {
	return acpi.GAS{Space: acpi.SystemMemory, BitWidth: 32, AccessSize: 3, Address: addr}
}

func mem64(addr uint64) acpi.GAS {
	return acpi.GAS{Space: acpi.SystemMemory, BitWidth: 64, AccessSize: 4, Address: addr}
}

// qemuTable is a table shaped like QEMU's (hw/acpi/erst.c build_erst),
// with ACTION at base and VALUE at base+8: enough actions to read the
// error log range and execute an operation.
func qemuTable(base uint64) *acpi.ERST {
	action, value := base, base+8
	t := &acpi.ERST{Entries: []acpi.Entry{
		entry(acpi.ExecuteOperation, acpi.WriteRegisterValue, mem32(value), 0x9c),
		entry(acpi.ExecuteOperation, acpi.WriteRegisterValue, mem32(action), uint64(acpi.ExecuteOperation)),
		entry(acpi.GetErrorLogAddressRange, acpi.WriteRegisterValue, mem32(action), uint64(acpi.GetErrorLogAddressRange)),
		entry(acpi.GetErrorLogAddressRange, acpi.ReadRegister, mem64(value), 0),
		entry(acpi.GetErrorLogAddressLength, acpi.WriteRegisterValue, mem32(action), uint64(acpi.GetErrorLogAddressLength)),
		entry(acpi.GetErrorLogAddressLength, acpi.ReadRegister, mem64(value), 0),
	}}
	t.Finalize()
	return t
}

func TestRegistersQEMU(t *testing.T) {
	regs, skipped := Registers(qemuTable(0xfebd3000))
	if len(skipped) != 0 {
		t.Errorf("skipped = %v, want none", skipped)
	}
	want := []Register{
		{Space: acpi.SystemMemory, Addr: 0xfebd3000, Widths: widthBit(32), Entries: []int{1, 2, 4}},
		{Space: acpi.SystemMemory, Addr: 0xfebd3008, Widths: widthBit(32) | widthBit(64), Entries: []int{0, 3, 5}},
	}
	if !reflect.DeepEqual(regs, want) {
		t.Errorf("Registers =\n%v\nwant\n%v", regs, want)
	}
	if regs[1].Size() != 8 || !regs[1].Allows(32) || regs[1].Allows(16) {
		t.Errorf("VALUE register %v: Size %d, Allows(32) %v, Allows(16) %v", regs[1], regs[1].Size(), regs[1].Allows(32), regs[1].Allows(16))
	}
}

func TestRegistersWidths(t *testing.T) {
	for _, tc := range []struct {
		name   string
		g      acpi.GAS
		widths uint8  // 0: skipped
		reason string // for skipped
	}{
		{"byte", acpi.GAS{Space: acpi.SystemIO, BitWidth: 8, AccessSize: 1, Address: 0xb2}, widthBit(8), ""},
		// apei_check_gar widens a byte access to an aligned 32-bit register.
		{"fixup32", acpi.GAS{Space: acpi.SystemMemory, BitWidth: 32, AccessSize: 1, Address: 0x1000}, widthBit(8) | widthBit(32), ""},
		{"fixup64", acpi.GAS{Space: acpi.SystemMemory, BitWidth: 64, AccessSize: 3, Address: 0x1000}, widthBit(32) | widthBit(64), ""},
		{"no fixup unaligned", acpi.GAS{Space: acpi.SystemMemory, BitWidth: 32, AccessSize: 1, Address: 0x1001}, widthBit(8), ""},
		{"legacy", acpi.GAS{Space: acpi.SystemMemory, BitWidth: 16, Address: 0x1000}, widthBit(16), ""},
		{"legacy odd width", acpi.GAS{Space: acpi.SystemMemory, BitWidth: 12, Address: 0x1000}, 0, "no usable access width"},
		{"address 0", acpi.GAS{Space: acpi.SystemMemory, BitWidth: 32, AccessSize: 3}, 0, "address 0"},
		{"PCI config", acpi.GAS{Space: acpi.PCIConfig, BitWidth: 32, AccessSize: 3, Address: 0x10}, 0, "address space"},
		{"wraps", acpi.GAS{Space: acpi.SystemMemory, BitWidth: 64, AccessSize: 4, Address: ^uint64(3)}, 0, "wraps"},
		{"port beyond 0xffff", acpi.GAS{Space: acpi.SystemIO, BitWidth: 32, AccessSize: 3, Address: 0xfffe}, 0, "beyond 0xffff"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tab := &acpi.ERST{Entries: []acpi.Entry{entry(acpi.GetRecordCount, acpi.ReadRegister, tc.g, 0)}}
			regs, skipped := Registers(tab)
			if tc.widths == 0 {
				if len(regs) != 0 || len(skipped) != 1 || !strings.Contains(skipped[0].Reason, tc.reason) {
					t.Errorf("got regs %v skipped %+v, want it skipped for %q", regs, skipped, tc.reason)
				}
				return
			}
			if len(regs) != 1 || regs[0].Widths != tc.widths {
				t.Errorf("got regs %v skipped %+v, want widths %04b", regs, skipped, tc.widths)
			}
		})
	}
}

// Instructions that do not access their register (NOOP, STALL, ...) do
// not make it accessible, whatever their GAS says.
func TestRegistersIgnoresNonAccessing(t *testing.T) {
	tab := &acpi.ERST{Entries: []acpi.Entry{
		entry(acpi.ExecuteOperation, acpi.Noop, mem32(0x1000), 0),
		entry(acpi.ExecuteOperation, acpi.Stall, mem32(0x2000), 10),
		entry(acpi.ExecuteOperation, acpi.Instruction(0x7f), mem32(0x3000), 0),
	}}
	if regs, skipped := Registers(tab); len(regs) != 0 || len(skipped) != 0 {
		t.Errorf("Registers = %v, %v; want nothing", regs, skipped)
	}
}

// FuzzRegisters checks that whatever a table says, Registers only allows
// usable registers: a supported space, a non-zero address, at least one
// width, no wrap-around, ports below 0x10000.
func FuzzRegisters(f *testing.F) {
	f.Add(qemuTable(0xfebd3000).Encode())
	f.Add((&acpi.ERST{Entries: []acpi.Entry{entry(acpi.GetRecordCount, acpi.ReadRegister,
		acpi.GAS{Space: acpi.SystemIO, BitWidth: 32, AccessSize: 1, Address: 0xfffc}, 0)}}).Encode())
	f.Fuzz(func(t *testing.T, b []byte) {
		tab := &acpi.ERST{}
		for len(b) >= acpi.EntrySize {
			e, err := acpi.DecodeEntry(b)
			if err != nil {
				t.Fatal(err)
			}
			tab.Entries = append(tab.Entries, e)
			b = b[acpi.EntrySize:]
		}
		regs, _ := Registers(tab)
		for _, r := range regs {
			last := r.Addr + r.Size() - 1
			switch {
			case r.Space != acpi.SystemMemory && r.Space != acpi.SystemIO:
				t.Errorf("%v: space", r)
			case r.Addr == 0 || r.Widths == 0 || r.Widths > 0xf:
				t.Errorf("%v: address or widths", r)
			case last < r.Addr:
				t.Errorf("%v: wraps", r)
			case r.Space == acpi.SystemIO && last > 0xffff:
				t.Errorf("%v: port", r)
			}
		}
	})
}
