package acpi

import (
	"encoding/binary"
	"fmt"

	"github.com/goerst/erst/internal/enum"
)

// GASSize is the size of a Generic Address Structure (ACPI 6.5 §5.2.3.2).
const GASSize = 12

// AddressSpace is the GAS Address Space ID (ACPI 6.5 Table 5.1).
type AddressSpace uint8

// Address space IDs. ERST registers may only live in [SystemMemory] or
// [SystemIO] (Linux apei_check_gar); the others are named for display.
const (
	SystemMemory     AddressSpace = 0x00
	SystemIO         AddressSpace = 0x01
	PCIConfig        AddressSpace = 0x02
	EmbeddedControl  AddressSpace = 0x03
	SMBus            AddressSpace = 0x04
	SystemCMOS       AddressSpace = 0x05
	PCIBarTarget     AddressSpace = 0x06
	IPMI             AddressSpace = 0x07
	GeneralPurposeIO AddressSpace = 0x08
	GenericSerialBus AddressSpace = 0x09
	PCC              AddressSpace = 0x0A
	PRM              AddressSpace = 0x0B
	FunctionalFixed  AddressSpace = 0x7F
)

var spaceNames = map[AddressSpace]string{
	SystemMemory:     "SystemMemory",
	SystemIO:         "SystemIO",
	PCIConfig:        "PCIConfig",
	EmbeddedControl:  "EmbeddedControl",
	SMBus:            "SMBus",
	SystemCMOS:       "SystemCMOS",
	PCIBarTarget:     "PCIBarTarget",
	IPMI:             "IPMI",
	GeneralPurposeIO: "GeneralPurposeIO",
	GenericSerialBus: "GenericSerialBus",
	PCC:              "PCC",
	PRM:              "PRM",
	FunctionalFixed:  "FunctionalFixedHW",
}

// String returns the ACPI name of the space, or "Unknown(0x..)" for a
// reserved or OEM-defined ID.
func (s AddressSpace) String() string {
	if n, ok := spaceNames[s]; ok {
		return n
	}
	if s >= 0x80 {
		return enum.Unknown("OEMDefined", s)
	}
	return enum.Unknown("Reserved", s)
}

// AccessSize is the GAS Access Size field: 0 undefined (legacy), 1 byte,
// 2 word, 3 dword, 4 qword (ACPI 6.5 Table 5.1).
type AccessSize uint8

// Bits returns the access width in bits (1 -> 8 ... 4 -> 64), or 0 when
// the code is undefined or out of range.
func (a AccessSize) Bits() int {
	if a < 1 || a > 4 {
		return 0
	}
	return 8 << (a - 1)
}

// String names the access size as ACPICA does ("DWord"), or
// "Undefined(0x..)" for codes outside 1..4.
func (a AccessSize) String() string {
	switch a {
	case 1:
		return "Byte"
	case 2:
		return "Word"
	case 3:
		return "DWord"
	case 4:
		return "QWord"
	}
	return enum.Unknown("Undefined", a)
}

// GAS is the Generic Address Structure (ACPI 6.5 §5.2.3.2).
type GAS struct {
	Space      AddressSpace
	BitWidth   uint8
	BitOffset  uint8
	AccessSize AccessSize
	Address    uint64
}

// DecodeGAS reads a GAS from the first 12 bytes of b.
func DecodeGAS(b []byte) (GAS, error) {
	if len(b) < GASSize {
		return GAS{}, formatErr(ErrTruncated, len(b), "need %d GAS bytes, have %d", GASSize, len(b))
	}
	return GAS{
		Space:      AddressSpace(b[0]),
		BitWidth:   b[1],
		BitOffset:  b[2],
		AccessSize: AccessSize(b[3]),
		Address:    binary.LittleEndian.Uint64(b[4:]),
	}, nil
}

// AppendEncode appends the 12-byte wire form of g to b.
func (g GAS) AppendEncode(b []byte) []byte {
	b = append(b, byte(g.Space), g.BitWidth, g.BitOffset, byte(g.AccessSize))
	return binary.LittleEndian.AppendUint64(b, g.Address)
}

// String formats the GAS the way a firmware engineer reads it:
// "SystemMemory[0xfebd7000] width 32 offset 0 DWord".
func (g GAS) String() string {
	return fmt.Sprintf("%v[%#x] width %d offset %d %v", g.Space, g.Address, g.BitWidth, g.BitOffset, g.AccessSize)
}
