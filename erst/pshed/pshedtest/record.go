package pshedtest

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/goerst/erst/erst/cper"
)

// The CPER layout the builder writes (UEFI specification Appendix N,
// record header and section descriptor; WHEA_ERROR_RECORD_HEADER and
// WHEA_ERROR_RECORD_SECTION_DESCRIPTOR in ntddk.h) is package cper's.

// creatorID is the CPER CreatorID of every record NewRecord builds,
// 2a4ee3f8-cfe8-4795-8109-56f01943c0bc (a random GUID) in EFI_GUID byte
// order.
var creatorID = cper.CreatorID{0xf8, 0xe3, 0x4e, 0x2a, 0xe8, 0xcf, 0x95, 0x47, 0x81, 0x09, 0x56, 0xf0, 0x19, 0x43, 0xc0, 0xbc}

// sectionType is the type of the section NewRecord adds,
// 3074f29e-487d-4dcd-9c4c-f451e8d59d23 (a random GUID) in EFI_GUID byte
// order.
var sectionType = cper.SectionType{0x9e, 0xf2, 0x74, 0x30, 0x7d, 0x48, 0xcd, 0x4d, 0x9c, 0x4c, 0xf4, 0x51, 0xe8, 0xd5, 0x9d, 0x23}

// NewRecord returns a valid CPER record of exactly size bytes with record
// identifier id. It is the default Target.NewRecord.
//
// Header: "CPER", revision 0x0100, signature end 0xFFFFFFFF, severity
// informational, no validation bits, RecordLength = size, CreatorID
// 2a4ee3f8-cfe8-4795-8109-56f01943c0bc (so leftovers of a run on a real
// store can be recognised), RecordID = id, and PersistenceInfo signature
// "ER" (the 'RE' that Linux's erst_write and Windows stamp there, so a
// driver that stamps it still returns the record byte for byte).
//
// When size leaves room (at least 200 bytes), the section descriptor at
// offset 128 describes one primary section of type
// 3074f29e-487d-4dcd-9c4c-f451e8d59d23 that fills the rest of the record;
// otherwise the section count is 0 and the bytes after the header are
// payload. The payload is a pattern of id and offset, so records of
// different ids differ.
//
// The record comes from [cper.Builder] (its header alone from [cper.Header]
// when there is no room for a section). NewRecord panics if size is below
// [cper.HeaderSize] or above 4 GiB - 1.
func NewRecord(size int, id uint64) []byte {
	if size < cper.HeaderSize || size > math.MaxUint32 {
		panic(fmt.Sprintf("pshedtest.NewRecord: size %d outside [%d, 2^32)", size, cper.HeaderSize))
	}
	payload := cper.HeaderSize
	if size >= cper.HeaderSize+cper.DescriptorSize {
		payload = cper.HeaderSize + cper.DescriptorSize
	}
	fill := make([]byte, size-payload)
	for j := range fill {
		i := payload + j
		fill[j] = byte(id>>(8*(i%8))) ^ byte(i) ^ byte(i>>8)*0x3D
	}
	b := cper.Builder{
		RecordID:    id,
		Severity:    cper.SeverityInformational,
		Creator:     creatorID,
		Revision:    cper.RevisionLinux,
		NoTimestamp: true,
		Persistence: cper.PersistenceSignature,
	}
	var rec []byte
	var err error
	if payload == cper.HeaderSize {
		var h cper.Header
		if h, err = b.Header(); err == nil {
			h.RecordLength = uint32(size)
			rec = append(h.AppendEncode(make([]byte, 0, size)), fill...)
		}
	} else {
		b.Sections = []cper.SectionSpec{{
			Type:     sectionType,
			Severity: cper.SeverityInformational,
			Flags:    cper.SectionPrimary,
			Body:     fill,
		}}
		rec, err = b.Bytes()
	}
	if err != nil {
		// Cannot happen: no timestamp, one section, size fits 32 bits.
		panic(fmt.Sprintf("pshedtest.NewRecord(%d, %#x): %v", size, id, err))
	}
	return rec
}

// RecordID returns the record identifier of a CPER record
// ([cper.RecordID]), and false when record is too short to hold one.
func RecordID(record []byte) (uint64, bool) { return cper.RecordID(record) }

// variant returns a copy of record with another severity in its header
// (corrected instead of informational, or the reverse), for the
// overwrite check. It touches no byte outside the fixed header, so it
// works on records from any builder.
func variant(record []byte) []byte {
	v := append([]byte(nil), record...)
	sev := uint32(cper.SeverityCorrected)
	if binary.LittleEndian.Uint32(v[cper.OffSeverity:]) == sev {
		sev = uint32(cper.SeverityInformational)
	}
	binary.LittleEndian.PutUint32(v[cper.OffSeverity:], sev)
	return v
}
