package cper

import (
	"fmt"
	"strings"

	"github.com/goerst/erst/internal/enum"
)

// Severity is the ErrorSeverity of a record header (§N.2.1) or the
// SectionSeverity of a descriptor (§N.2.2); Windows WHEA_ERROR_SEVERITY.
type Severity uint32

// Severities (§N.2.1; Linux CPER_SEV_*; edk2 EFI_GENERIC_ERROR_*).
const (
	SeverityRecoverable   Severity = 0
	SeverityFatal         Severity = 1
	SeverityCorrected     Severity = 2
	SeverityInformational Severity = 3
)

var severityNames = [...]string{"Recoverable", "Fatal", "Corrected", "Informational"}

// String returns the severity's name, or "Severity(0x07)" for values the
// spec does not define.
func (s Severity) String() string {
	return enum.Name(severityNames[:], s, "Severity")
}

// ValidationBits says which optional header fields hold valid data
// (§N.2.1 ValidationBits; WHEA_ERROR_RECORD_HEADER_VALIDBITS).
type ValidationBits uint32

// Header validation bits.
const (
	ValidPlatformID  ValidationBits = 0x1
	ValidTimestamp   ValidationBits = 0x2
	ValidPartitionID ValidationBits = 0x4
)

// String lists the set bits by name, e.g. "PlatformID|Timestamp";
// undefined bits print in hex, an empty set as "0".
func (v ValidationBits) String() string {
	return bitString(uint64(v), []string{"PlatformID", "Timestamp", "PartitionID"})
}

// HeaderFlags is the record header's Flags field (UEFI 2.10 §N.2.1
// Table N-2: bits 0..2, HW_ERROR_FLAGS_RECOVERED, _PREVERR, _SIMULATED;
// the rest reserved; Windows WHEA_ERROR_RECORD_HEADER_FLAGS adds bits 3..8).
type HeaderFlags uint32

// Header flags.
const (
	FlagRecovered          HeaderFlags = 0x001 // the error has been recovered
	FlagPrevErr            HeaderFlags = 0x002 // the error is from a previous boot
	FlagSimulated          HeaderFlags = 0x004 // the error was injected for testing
	FlagDeviceDriver       HeaderFlags = 0x008 // Windows: reported by a device driver
	FlagCriticalEvent      HeaderFlags = 0x010 // Windows
	FlagPersistPfn         HeaderFlags = 0x020 // Windows
	FlagSectionsTruncated  HeaderFlags = 0x040 // Windows
	FlagRecoveryInProgress HeaderFlags = 0x080 // Windows
	FlagThrottle           HeaderFlags = 0x100 // Windows
)

// String lists the set flags by name, e.g. "PrevErr"; undefined bits print
// in hex, no flags as "0".
func (f HeaderFlags) String() string {
	return bitString(uint64(f), []string{"Recovered", "PrevErr", "Simulated", "DeviceDriver",
		"CriticalEvent", "PersistPfn", "SectionsTruncated", "RecoveryInProgress", "Throttle"})
}

// SectionFlags is a section descriptor's Flags field (UEFI 2.10 §N.2.2
// Table N-6, bits 0..7; the rest are reserved). Windows'
// WHEA_ERROR_RECORD_SECTION_DESCRIPTOR_FLAGS names bit 6 Propagated too
// but uses bit 7 for FruTextByPlugin; the UEFI name is shown.
type SectionFlags uint32

// Section flags.
const (
	SectionPrimary                SectionFlags = 0x01 // the section most closely associated with the error
	SectionContainmentWarning     SectionFlags = 0x02 // the error was not contained
	SectionReset                  SectionFlags = 0x04 // the component must be reset before use
	SectionErrorThresholdExceeded SectionFlags = 0x08 // the OS may stop using the resource
	SectionResourceNotAccessible  SectionFlags = 0x10 // some section fields may be invalid
	SectionLatentError            SectionFlags = 0x20 // contained but not yet consumed (e.g. poisoned)
	SectionPropagated             SectionFlags = 0x40 // the error was propagated from elsewhere (UEFI 2.9 on)
	SectionOverflow               SectionFlags = 0x80 // more errors occurred than the section records (UEFI 2.9 on)
)

// String lists the set flags by name, e.g. "Primary"; undefined bits print
// in hex, no flags as "0".
func (f SectionFlags) String() string {
	return bitString(uint64(f), []string{"Primary", "ContainmentWarning", "Reset",
		"ErrorThresholdExceeded", "ResourceNotAccessible", "LatentError", "Propagated", "Overflow"})
}

// SectionValidationBits says which optional descriptor fields are valid
// (§N.2.2 Validation Bits).
type SectionValidationBits uint8

// Section descriptor validation bits.
const (
	ValidFRUID   SectionValidationBits = 0x1
	ValidFRUText SectionValidationBits = 0x2
)

// String lists the set bits by name; undefined bits print in hex.
func (v SectionValidationBits) String() string {
	return bitString(uint64(v), []string{"FRUID", "FRUText"})
}

// Revision is a CPER revision field: two BCD bytes, the high byte the
// major version, the low byte the minor (§N.2.1 Revision: "major and minor
// version number ... in BCD format"; Windows WHEA_REVISION {MinorRevision,
// MajorRevision}).
type Revision uint16

// Revisions seen in the field. Parse accepts any value.
const (
	RevisionLinux Revision = 0x0100 // Linux CPER_RECORD_REV
	RevisionUEFI  Revision = 0x0101 // edk2 EFI_ERROR_RECORD_REVISION; Builder's default
	RevisionWHEA  Revision = 0x0210 // Windows WHEA_ERROR_RECORD_REVISION

	SectionRevision     Revision = 0x0100 // descriptor revision: Linux CPER_SEC_REV, edk2 EFI_ERROR_SECTION_REVISION
	SectionRevisionWHEA Revision = 0x0201 // descriptor revision Windows writes
)

// Major returns the high byte, still BCD: 0x02 for 0x0210.
func (r Revision) Major() uint8 { return uint8(r >> 8) }

// Minor returns the low byte, still BCD: 0x10 for 0x0210.
func (r Revision) Minor() uint8 { return uint8(r) }

// IsBCD reports whether every nibble of r is a decimal digit.
func (r Revision) IsBCD() bool {
	for v := uint16(r); v != 0; v >>= 4 {
		if v&0xF > 9 {
			return false
		}
	}
	return true
}

// String reads r as BCD, "major.minor" with two minor digits: Windows'
// 0x0210 is "2.10", edk2's 0x0101 "1.01", Linux's 0x0100 "1.00". A value
// that is not BCD is shown in hex, "0x011a".
func (r Revision) String() string {
	if !r.IsBCD() {
		return fmt.Sprintf("%#04x", uint16(r))
	}
	return fmt.Sprintf("%x.%02x", r.Major(), r.Minor())
}

// bitString names the set bits of v; names[i] is bit i.
func bitString(v uint64, names []string) string {
	if v == 0 {
		return "0"
	}
	var parts []string
	for i, n := range names {
		if bit := uint64(1) << i; v&bit != 0 {
			parts = append(parts, n)
			v &^= bit
		}
	}
	if v != 0 {
		parts = append(parts, fmt.Sprintf("%#x", v))
	}
	return strings.Join(parts, "|")
}
