package sim

import (
	"fmt"

	"github.com/goerst/erst/acpi"
)

// Register block (BAR0) layout, hw/acpi/erst.c.
const (
	RegSize      = 16 // ERST_REG_SIZE
	ActionOffset = 0  // ERST_ACTION_OFFSET: writes trigger everything
	ValueOffset  = 8  // ERST_VALUE_OFFSET: 64-bit data register
	// ExecuteMagic must be in VALUE's low byte for EXECUTE_OPERATION to
	// do anything (ERST_EXECUTE_OPERATION_MAGIC).
	ExecuteMagic = 0x9C
)

// BAR0 addresses of QEMU 7.2 machines with one acpi-erst device and
// default devices otherwise, read from the ERST tables those guests see
// (corpus eebf1dc4571b2072 for q35, fb3ea5e7280d5c5c for pc).
const (
	Q35Bar0 uint64 = 0xfebd7000
	PCBar0  uint64 = 0xfebf3000
)

// The header acpi_table_begin writes for QEMU's tables (the machines'
// default x-oem-id and x-oem-table-id; creator "BXPC" revision 1).
var (
	qemuOEMID      = [6]byte{'B', 'O', 'C', 'H', 'S', ' '}
	qemuOEMTableID = [8]byte{'B', 'X', 'P', 'C', ' ', ' ', ' ', ' '}
	qemuCreatorID  = [4]byte{'B', 'X', 'P', 'C'}
)

// BuildTable returns the ERST table QEMU's build_erst builds for an
// acpi-erst device whose BAR0 is at bar0: 27 entries driving the ACTION
// and VALUE registers, 912 bytes. With [Q35Bar0] or [PCBar0] it is
// byte-for-byte what QEMU 7.2 gives a q35 or pc guest.
func BuildTable(bar0 uint64) *acpi.ERST {
	// The contexts build_erst uses: instruction, register width, offset.
	type ctx struct {
		ins    acpi.Instruction
		width  uint8
		offset uint64
	}
	var (
		rdValue32Val = ctx{acpi.ReadRegisterValue, 32, ValueOffset}
		rdValue32    = ctx{acpi.ReadRegister, 32, ValueOffset}
		rdValue64    = ctx{acpi.ReadRegister, 64, ValueOffset}
		wrValue32Val = ctx{acpi.WriteRegisterValue, 32, ValueOffset}
		wrValue32    = ctx{acpi.WriteRegister, 32, ValueOffset}
		wrValue64    = ctx{acpi.WriteRegister, 64, ValueOffset}
		wrAction     = ctx{acpi.WriteRegisterValue, 32, ActionOffset}
	)
	t := &acpi.ERST{
		Header: acpi.Header{
			Revision:        1,
			OEMID:           qemuOEMID,
			OEMTableID:      qemuOEMTableID,
			OEMRevision:     1,
			CreatorID:       qemuCreatorID,
			CreatorRevision: 1,
		},
		HeaderLength: acpi.ERSTHeaderSize,
	}
	// build_serialization_instruction.
	add := func(c ctx, a acpi.Action, value uint64) {
		t.Entries = append(t.Entries, acpi.Entry{
			Action:      a,
			Instruction: c.ins,
			Register: acpi.GAS{
				Space:      acpi.SystemMemory,
				BitWidth:   c.width,
				AccessSize: acpi.AccessSize(ctz(c.width) - 2),
				Address:    bar0 + c.offset,
			},
			Value: value,
			Mask:  (1 << (c.width - 1) << 1) - 1,
		})
	}
	self := func(a acpi.Action) { add(wrAction, a, uint64(a)) }

	self(acpi.BeginWriteOperation)
	self(acpi.BeginReadOperation)
	self(acpi.BeginClearOperation)
	self(acpi.EndOperation)

	add(wrValue32, acpi.SetRecordOffset, 0)
	self(acpi.SetRecordOffset)

	add(wrValue32Val, acpi.ExecuteOperation, ExecuteMagic)
	self(acpi.ExecuteOperation)

	self(acpi.CheckBusyStatus)
	add(rdValue32Val, acpi.CheckBusyStatus, 0x01)

	self(acpi.GetCommandStatus)
	add(rdValue32, acpi.GetCommandStatus, 0)

	self(acpi.GetRecordIdentifier)
	add(rdValue64, acpi.GetRecordIdentifier, 0)

	add(wrValue64, acpi.SetRecordIdentifier, 0)
	self(acpi.SetRecordIdentifier)

	self(acpi.GetRecordCount)
	add(rdValue32, acpi.GetRecordCount, 0)

	self(acpi.BeginDummyWriteOperation)

	self(acpi.GetErrorLogAddressRange)
	add(rdValue64, acpi.GetErrorLogAddressRange, 0)

	self(acpi.GetErrorLogAddressLength)
	add(rdValue64, acpi.GetErrorLogAddressLength, 0)

	self(acpi.GetErrorLogAddressRangeAttributes)
	add(rdValue32, acpi.GetErrorLogAddressRangeAttributes, 0)

	self(acpi.GetExecuteOperationTimings)
	add(rdValue64, acpi.GetExecuteOperationTimings, 0)

	t.Finalize()
	return t
}

func ctz(w uint8) uint8 {
	var n uint8
	for w&1 == 0 && n < 8 {
		w >>= 1
		n++
	}
	return n
}

// TableFromFile reads an ERST table QEMU built (a binary table or
// acpidump text, as [acpi.ReadTableFile] accepts) and rebases it onto a
// device whose BAR0 is at bar0 (see [Rebase]).
func TableFromFile(path string, bar0 uint64) (*acpi.ERST, error) {
	b, err := acpi.ReadTableFile(path, acpi.SignatureERST)
	if err != nil {
		return nil, err
	}
	t, err := acpi.DecodeERST(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := Rebase(t, bar0); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// Rebase moves a QEMU-style table's register addresses to a BAR0 at bar0
// and refreshes the checksum. Every entry must address SystemMemory
// within one 16-byte register block, whose base is taken to be the lowest
// address in the table (QEMU's ACTION register); otherwise the table is
// not one for this device and Rebase fails without changing t.
func Rebase(t *acpi.ERST, bar0 uint64) error {
	if len(t.Entries) == 0 {
		return fmt.Errorf("%w: no entries to rebase", acpi.ErrLength)
	}
	base := t.Entries[0].Register.Address
	for _, e := range t.Entries {
		base = min(base, e.Register.Address)
	}
	for i, e := range t.Entries {
		r := e.Register
		if r.Space != acpi.SystemMemory || r.Address-base >= RegSize || r.Address-base+uint64(r.AccessSize.Bits()/8) > RegSize {
			return fmt.Errorf("entry %d (%v) is not in a %d-byte register block at %#x: not a table for QEMU's acpi-erst", i, r, RegSize, base)
		}
	}
	for i := range t.Entries {
		t.Entries[i].Register.Address += bar0 - base
	}
	t.Finalize()
	return nil
}
