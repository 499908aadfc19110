package sim_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst/sim"
)

// The code-built table is byte-for-byte what QEMU 7.2 gives its guests.
func TestBuildTableMatchesQEMU(t *testing.T) {
	for _, tc := range []struct {
		machine string
		file    string
		bar0    uint64
	}{
		{"q35", "eebf1dc4571b2072.dat", sim.Q35Bar0},
		{"pc", "fb3ea5e7280d5c5c.dat", sim.PCBar0},
	} {
		t.Run(tc.machine, func(t *testing.T) {
			want, err := os.ReadFile(corpusFile(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			got := sim.BuildTable(tc.bar0).Encode()
			if !bytes.Equal(got, want) {
				t.Errorf("BuildTable(%#x) differs from %s:\ngot  % x\nwant % x", tc.bar0, tc.file, got, want)
			}
		})
	}
}

// The table without the corpus: 27 entries in 912 bytes, checksum good,
// and the shape of QEMU's build_erst.
func TestBuildTableShape(t *testing.T) {
	tab := sim.BuildTable(0x1000)
	b := tab.Encode()
	if len(b) != 912 || tab.EntryCount != 27 || len(tab.Entries) != 27 || !tab.ChecksumOK() {
		t.Fatalf("length %d, entries %d/%d, checksum ok %v; want 912, 27, true", len(b), tab.EntryCount, len(tab.Entries), tab.ChecksumOK())
	}
	if string(tab.Header.OEMID[:]) != "BOCHS " || string(tab.Header.OEMTableID[:]) != "BXPC    " || tab.HeaderLength != 48 {
		t.Errorf("header %+v", tab.Header)
	}
	// EXECUTE_OPERATION: write 0x9C to VALUE (32 bits), then 5 to ACTION.
	ex := tab.Action(acpi.ExecuteOperation)
	want := []acpi.Entry{
		{Action: acpi.ExecuteOperation, Instruction: acpi.WriteRegisterValue,
			Register: acpi.GAS{Space: acpi.SystemMemory, BitWidth: 32, AccessSize: 3, Address: 0x1008}, Value: 0x9C, Mask: 0xFFFFFFFF},
		{Action: acpi.ExecuteOperation, Instruction: acpi.WriteRegisterValue,
			Register: acpi.GAS{Space: acpi.SystemMemory, BitWidth: 32, AccessSize: 3, Address: 0x1000}, Value: 5, Mask: 0xFFFFFFFF},
	}
	if len(ex) != 2 || ex[0] != want[0] || ex[1] != want[1] {
		t.Errorf("EXECUTE_OPERATION entries %+v, want %+v", ex, want)
	}
	// SET_RECORD_IDENTIFIER: a 64-bit WRITE_REGISTER to VALUE first.
	if e := tab.Action(acpi.SetRecordIdentifier)[0]; e.Instruction != acpi.WriteRegister || e.Register.BitWidth != 64 ||
		e.Register.AccessSize != 4 || e.Mask != ^uint64(0) || e.Register.Address != 0x1008 {
		t.Errorf("SET_RECORD_IDENTIFIER entry %+v", e)
	}
}

// A table read from a file is rebased onto the simulated BAR0: the q35
// table moved to the pc BAR0 is the pc table.
func TestTableFromFileRebases(t *testing.T) {
	q35 := corpusFile(t, "eebf1dc4571b2072.dat")
	pc, err := os.ReadFile(corpusFile(t, "fb3ea5e7280d5c5c.dat"))
	if err != nil {
		t.Fatal(err)
	}
	tab, err := sim.TableFromFile(q35, sim.PCBar0)
	if err != nil {
		t.Fatal(err)
	}
	if got := tab.Encode(); !bytes.Equal(got, pc) {
		t.Errorf("q35 table rebased to %#x is not the pc table", sim.PCBar0)
	}
	r := newRig(t, sim.WithBARs(0x80000000, 0x80010000))
	tab, err = r.d.TableFromFile(q35)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(tab.Encode(), r.d.Table().Encode()) {
		t.Error("TableFromFile and Table disagree for a device at 0x80000000")
	}
}

func TestRebaseRejectsForeignTables(t *testing.T) {
	tab := sim.BuildTable(0x1000)
	tab.Entries[3].Register.Address = 0x1010 // outside the 16-byte block
	before := tab.Encode()
	if err := sim.Rebase(tab, 0x2000); err == nil {
		t.Fatal("Rebase accepted a register outside the block")
	}
	if !bytes.Equal(tab.Encode(), before) {
		t.Error("failed Rebase changed the table")
	}
	tab = sim.BuildTable(0x1000)
	tab.Entries[0].Register.Space = acpi.SystemIO
	if err := sim.Rebase(tab, 0x2000); err == nil {
		t.Error("Rebase accepted a SystemIO register")
	}
}
