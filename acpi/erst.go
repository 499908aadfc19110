package acpi

import (
	"bytes"
	"encoding/binary"

	"github.com/goerst/erst/internal/enum"
)

// ERST layout (ACPI 6.5 §18.5, Table 18.25): the common header, then the
// serialization header, then 32-byte instruction entries.
const (
	// ERSTHeaderSize is sizeof(struct acpi_table_erst): the common header
	// plus Serialization Header Length, Reserved and Instruction Entry Count.
	ERSTHeaderSize = 48
	// EntrySize is the size of one serialization instruction entry
	// (§18.5.1, Table 18.26; ACPICA ACPI_WHEA_HEADER).
	EntrySize = 32

	offHeaderLength = 36
	offReserved     = 40
	offEntryCount   = 44
)

// SignatureERST is the ERST table signature.
var SignatureERST = [4]byte{'E', 'R', 'S', 'T'}

// Action is a Serialization Action (ACPI 6.5 §18.5.1.1, Table 18.27).
type Action uint8

// Serialization actions.
const (
	BeginWriteOperation               Action = 0x00
	BeginReadOperation                Action = 0x01
	BeginClearOperation               Action = 0x02
	EndOperation                      Action = 0x03
	SetRecordOffset                   Action = 0x04
	ExecuteOperation                  Action = 0x05
	CheckBusyStatus                   Action = 0x06
	GetCommandStatus                  Action = 0x07
	GetRecordIdentifier               Action = 0x08
	SetRecordIdentifier               Action = 0x09
	GetRecordCount                    Action = 0x0A
	BeginDummyWriteOperation          Action = 0x0B
	GetErrorLogAddressRange           Action = 0x0D
	GetErrorLogAddressLength          Action = 0x0E
	GetErrorLogAddressRangeAttributes Action = 0x0F
	GetExecuteOperationTimings        Action = 0x10 // ACPI 6.3 and later

	// NumActions is one past the highest defined action code.
	NumActions = 0x11
)

var actionNames = [NumActions]string{
	"BEGIN_WRITE_OPERATION",
	"BEGIN_READ_OPERATION",
	"BEGIN_CLEAR_OPERATION",
	"END_OPERATION",
	"SET_RECORD_OFFSET",
	"EXECUTE_OPERATION",
	"CHECK_BUSY_STATUS",
	"GET_COMMAND_STATUS",
	"GET_RECORD_IDENTIFIER",
	"SET_RECORD_IDENTIFIER",
	"GET_RECORD_COUNT",
	"BEGIN_DUMMY_WRITE_OPERATION",
	"", // 0x0C is reserved
	"GET_ERROR_LOG_ADDRESS_RANGE",
	"GET_ERROR_LOG_ADDRESS_LENGTH",
	"GET_ERROR_LOG_ADDRESS_RANGE_ATTRIBUTES",
	"GET_EXECUTE_OPERATION_TIMINGS",
}

// Known reports whether a is an action the spec defines.
func (a Action) Known() bool { return int(a) < NumActions && actionNames[a] != "" }

// String returns the ACPI name of a, or "RESERVED_ACTION(0x..)".
func (a Action) String() string { return enum.Name(actionNames[:], a, "RESERVED_ACTION") }

// Instruction is a Serialization Instruction (ACPI 6.5 §18.5.1.2, Table 18.28).
type Instruction uint8

// Serialization instructions.
const (
	ReadRegister              Instruction = 0x00
	ReadRegisterValue         Instruction = 0x01
	WriteRegister             Instruction = 0x02
	WriteRegisterValue        Instruction = 0x03
	Noop                      Instruction = 0x04
	LoadVar1                  Instruction = 0x05
	LoadVar2                  Instruction = 0x06
	StoreVar1                 Instruction = 0x07
	Add                       Instruction = 0x08
	Subtract                  Instruction = 0x09
	AddValue                  Instruction = 0x0A
	SubtractValue             Instruction = 0x0B
	Stall                     Instruction = 0x0C
	StallWhileTrue            Instruction = 0x0D
	SkipNextInstructionIfTrue Instruction = 0x0E
	Goto                      Instruction = 0x0F
	SetSrcAddressBase         Instruction = 0x10
	SetDstAddressBase         Instruction = 0x11
	MoveData                  Instruction = 0x12

	// NumInstructions is one past the highest defined instruction code.
	NumInstructions = 0x13
)

var instructionNames = [NumInstructions]string{
	"READ_REGISTER",
	"READ_REGISTER_VALUE",
	"WRITE_REGISTER",
	"WRITE_REGISTER_VALUE",
	"NOOP",
	"LOAD_VAR1",
	"LOAD_VAR2",
	"STORE_VAR1",
	"ADD",
	"SUBTRACT",
	"ADD_VALUE",
	"SUBTRACT_VALUE",
	"STALL",
	"STALL_WHILE_TRUE",
	"SKIP_NEXT_INSTRUCTION_IF_TRUE",
	"GOTO",
	"SET_SRC_ADDRESS_BASE",
	"SET_DST_ADDRESS_BASE",
	"MOVE_DATA",
}

// Known reports whether i is an instruction the spec defines.
func (i Instruction) Known() bool { return int(i) < NumInstructions }

// String returns the ACPI name of i, or "RESERVED_INSTRUCTION(0x..)".
func (i Instruction) String() string {
	return enum.Name(instructionNames[:], i, "RESERVED_INSTRUCTION")
}

// Error Log Address Range attribute bits, the value of
// GET_ERROR_LOG_ADDRESS_RANGE_ATTRIBUTES (ACPI 6.5 Table 18.29; Linux
// ERST_RANGE_*).
const (
	AttrReserved uint64 = 0x1
	// AttrNVRAM: the range is non-volatile RAM, the store itself, and the
	// OS writes records in place (Linux does not implement this mode).
	AttrNVRAM uint64 = 0x2
	// AttrSlow: the range is slow memory; Linux 6.7+ then honours the
	// maximum execute time from GET_EXECUTE_OPERATION_TIMINGS.
	AttrSlow uint64 = 0x4
)

// CommandStatus is the value GET_COMMAND_STATUS returns (ACPI 6.5
// §18.5.2.2, Table 18.30; Linux ERST_STATUS_*; QEMU STATUS_*). Values from
// 6 on are reserved.
type CommandStatus uint8

// Command statuses.
const (
	StatusSuccess              CommandStatus = 0
	StatusNotEnoughSpace       CommandStatus = 1
	StatusHardwareNotAvailable CommandStatus = 2
	StatusFailed               CommandStatus = 3
	StatusRecordStoreEmpty     CommandStatus = 4
	StatusRecordNotFound       CommandStatus = 5

	// NumCommandStatuses is one past the highest defined status.
	NumCommandStatuses = 6
)

var statusNames = [NumCommandStatuses]string{
	"SUCCESS",
	"NOT_ENOUGH_SPACE",
	"HARDWARE_NOT_AVAILABLE",
	"FAILED",
	"RECORD_STORE_EMPTY",
	"RECORD_NOT_FOUND",
}

// Known reports whether s is a status the spec defines.
func (s CommandStatus) Known() bool { return s < NumCommandStatuses }

// String returns the ACPI name of s, or "RESERVED_STATUS(0x..)".
func (s CommandStatus) String() string { return enum.Name(statusNames[:], s, "RESERVED_STATUS") }

// AccessesRegister reports whether i reads or writes its register. Linux
// validates and maps the GAS only for these (APEI_EXEC_INS_ACCESS_REGISTER:
// all but NOOP, ADD, SUBTRACT, STALL and GOTO).
func (i Instruction) AccessesRegister() bool {
	switch i {
	case Noop, Add, Subtract, Stall, Goto:
		return false
	}
	return i.Known()
}

// Entry flag bits (§18.5.1, Table 18.26).
const (
	// FlagPreserveRegister asks for read-modify-write: bits outside
	// Mask<<BitOffset keep their value (ACPICA ACPI_ERST_PRESERVE).
	FlagPreserveRegister uint8 = 0x01
)

// Entry is one serialization instruction entry (§18.5.1, Table 18.26).
type Entry struct {
	Action      Action
	Instruction Instruction
	Flags       uint8
	Reserved    uint8
	Register    GAS
	Value       uint64
	Mask        uint64
}

// Preserve reports whether the PRESERVE_REGISTER flag is set.
func (e *Entry) Preserve() bool { return e.Flags&FlagPreserveRegister != 0 }

// DecodeEntry reads a 32-byte entry from b.
func DecodeEntry(b []byte) (Entry, error) {
	if len(b) < EntrySize {
		return Entry{}, formatErr(ErrTruncated, len(b), "need %d entry bytes, have %d", EntrySize, len(b))
	}
	g, _ := DecodeGAS(b[4:16])
	return Entry{
		Action:      Action(b[0]),
		Instruction: Instruction(b[1]),
		Flags:       b[2],
		Reserved:    b[3],
		Register:    g,
		Value:       binary.LittleEndian.Uint64(b[16:]),
		Mask:        binary.LittleEndian.Uint64(b[24:]),
	}, nil
}

// AppendEncode appends the 32-byte wire form of e to b.
func (e *Entry) AppendEncode(b []byte) []byte {
	b = append(b, byte(e.Action), byte(e.Instruction), e.Flags, e.Reserved)
	b = e.Register.AppendEncode(b)
	b = binary.LittleEndian.AppendUint64(b, e.Value)
	return binary.LittleEndian.AppendUint64(b, e.Mask)
}

// ERST is a decoded Error Record Serialization Table (ACPI 6.5 §18.5).
//
// Header.Length and EntryCount are kept as read, even when they disagree
// with each other or with the entries: the linter reports such tables and
// Encode reproduces them. Entries are those that fit in Length, as ACPICA
// walks them. Call Finalize after building or editing a table.
type ERST struct {
	Header Header
	// HeaderLength is the Serialization Header Length. The spec intends 48
	// (the whole header); much firmware writes 12 (just the ERST part).
	HeaderLength uint32
	Reserved     uint32
	EntryCount   uint32
	Entries      []Entry
	// Trailing holds bytes within Length after the last whole entry.
	Trailing []byte
}

// DecodeERST decodes an ERST table. b may be longer than the table; bytes
// past the header's Length are ignored. It fails when the signature is not
// "ERST", when Length is below 48 or beyond the data or [MaxTableLength].
// It does not check the checksum, the entry count or the entry fields:
// those are the linter's job, and a disassembler must show them.
func DecodeERST(b []byte) (*ERST, error) {
	h, err := DecodeHeader(b)
	if err != nil {
		return nil, err
	}
	if h.Signature != SignatureERST {
		return nil, formatErr(ErrSignature, offSignature, "signature is %q, want \"ERST\"", h.Signature[:])
	}
	switch {
	case h.Length > MaxTableLength:
		return nil, formatErr(ErrLength, offLength, "length %d exceeds the %d-byte limit", h.Length, MaxTableLength)
	case int(h.Length) > len(b):
		return nil, formatErr(ErrTruncated, len(b), "length field says %d bytes, only %d present", h.Length, len(b))
	case h.Length < ERSTHeaderSize:
		return nil, formatErr(ErrLength, offLength, "length %d is shorter than the %d-byte ERST header", h.Length, ERSTHeaderSize)
	}
	b = b[:h.Length]
	t := &ERST{
		Header:       h,
		HeaderLength: binary.LittleEndian.Uint32(b[offHeaderLength:]),
		Reserved:     binary.LittleEndian.Uint32(b[offReserved:]),
		EntryCount:   binary.LittleEndian.Uint32(b[offEntryCount:]),
	}
	body := b[ERSTHeaderSize:]
	n := len(body) / EntrySize
	t.Entries = make([]Entry, n)
	for i := range t.Entries {
		t.Entries[i], _ = DecodeEntry(body[i*EntrySize:])
	}
	if rest := body[n*EntrySize:]; len(rest) > 0 {
		t.Trailing = bytes.Clone(rest)
	}
	return t, nil
}

// Encode returns the wire form of t exactly as its fields say: Length,
// EntryCount and Checksum are written as they are, not recomputed.
func (t *ERST) Encode() []byte {
	b := make([]byte, 0, ERSTHeaderSize+len(t.Entries)*EntrySize+len(t.Trailing))
	b = t.Header.AppendEncode(b)
	b = binary.LittleEndian.AppendUint32(b, t.HeaderLength)
	b = binary.LittleEndian.AppendUint32(b, t.Reserved)
	b = binary.LittleEndian.AppendUint32(b, t.EntryCount)
	for i := range t.Entries {
		b = t.Entries[i].AppendEncode(b)
	}
	return append(b, t.Trailing...)
}

// Finalize makes t self-consistent: Length and EntryCount from the
// entries, no trailing bytes, and a checksum that sums the table to zero.
// HeaderLength 0 becomes 48.
func (t *ERST) Finalize() {
	t.Trailing = nil
	t.Header.Signature = SignatureERST
	t.Header.Length = uint32(ERSTHeaderSize + len(t.Entries)*EntrySize)
	t.EntryCount = uint32(len(t.Entries))
	if t.HeaderLength == 0 {
		t.HeaderLength = ERSTHeaderSize
	}
	t.Header.Checksum = 0
	t.Header.Checksum = -Sum(t.Encode())
}

// ChecksumOK reports whether the encoded table sums to zero.
func (t *ERST) ChecksumOK() bool { return Sum(t.Encode()) == 0 }

// Action returns the entries that belong to action a, in table order: the
// instruction sequence the interpreter runs for a (§18.5.1).
func (t *ERST) Action(a Action) []Entry {
	var out []Entry
	for _, e := range t.Entries {
		if e.Action == a {
			out = append(out, e)
		}
	}
	return out
}
