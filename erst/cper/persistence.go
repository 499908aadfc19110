package cper

import "fmt"

// PersistenceInfo is the header's 8-byte PersistenceInfo field at offset
// 108. UEFI (§N.2.1) leaves it to the persistence layer; Windows defines it
// as WHEA_PERSISTENCE_INFO, a u64 of bitfields, least significant first:
//
//	bits  0..15 Signature  'RE' (0x5245: the bytes 'E','R')
//	bits 16..39 Length     24 bits
//	bits 40..55 Identifier 16 bits (WHEA_ERROR_RECORD_ID)
//	bits 56..57 Attributes none defined
//	bit  58     DoNotLog   do not write an event-log entry
//	bits 59..63 Reserved   must be 0
//
// Linux's erst_write stamps the same two bytes "ER" at offset 108 before
// handing a record to firmware, leaving the rest as the caller wrote it.
type PersistenceInfo uint64

// PersistenceSignature is the Signature value Windows and Linux stamp:
// the bytes 'E','R' read as a little-endian u16.
const PersistenceSignature = 0x5245

// PersistenceFields is [PersistenceInfo] unpacked.
type PersistenceFields struct {
	Signature  uint16
	Length     uint32 // 24 bits
	Identifier uint16
	Attributes uint8 // 2 bits
	DoNotLog   bool
	Reserved   uint8 // 5 bits
}

// Fields unpacks p.
func (p PersistenceInfo) Fields() PersistenceFields {
	return PersistenceFields{
		Signature:  uint16(p),
		Length:     uint32(p>>16) & 0xffffff,
		Identifier: uint16(p >> 40),
		Attributes: uint8(p>>56) & 0x3,
		DoNotLog:   p>>58&1 != 0,
		Reserved:   uint8(p >> 59),
	}
}

// HasSignature reports whether p carries the 'ER' persistence signature.
func (p PersistenceInfo) HasSignature() bool { return uint16(p) == PersistenceSignature }

// Encode packs f. A value too wide for its bitfield gives [ErrRange].
func (f PersistenceFields) Encode() (PersistenceInfo, error) {
	switch {
	case f.Length > 0xffffff:
		return 0, fmt.Errorf("%w: persistence Length %#x exceeds 24 bits", ErrRange, f.Length)
	case f.Attributes > 0x3:
		return 0, fmt.Errorf("%w: persistence Attributes %#x exceeds 2 bits", ErrRange, f.Attributes)
	case f.Reserved > 0x1f:
		return 0, fmt.Errorf("%w: persistence Reserved %#x exceeds 5 bits", ErrRange, f.Reserved)
	}
	p := PersistenceInfo(f.Signature) |
		PersistenceInfo(f.Length)<<16 |
		PersistenceInfo(f.Identifier)<<40 |
		PersistenceInfo(f.Attributes)<<56 |
		PersistenceInfo(f.Reserved)<<59
	if f.DoNotLog {
		p |= 1 << 58
	}
	return p, nil
}

// String describes p, e.g. "ER len=0x200 id=0x3 attr=0"; "0" when zero.
func (p PersistenceInfo) String() string {
	if p == 0 {
		return "0"
	}
	f := p.Fields()
	sig := "ER"
	if !p.HasSignature() {
		sig = fmt.Sprintf("sig=%#04x", f.Signature)
	}
	s := fmt.Sprintf("%s len=%#x id=%#x attr=%d", sig, f.Length, f.Identifier, f.Attributes)
	if f.DoNotLog {
		s += " DoNotLog"
	}
	if f.Reserved != 0 {
		s += fmt.Sprintf(" reserved=%#x", f.Reserved)
	}
	return s
}
