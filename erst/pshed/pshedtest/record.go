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
var creatorID = [16]byte{0xf8, 0xe3, 0x4e, 0x2a, 0xe8, 0xcf, 0x95, 0x47, 0x81, 0x09, 0x56, 0xf0, 0x19, 0x43, 0xc0, 0xbc}

// sectionType is the type of the section NewRecord adds,
// 3074f29e-487d-4dcd-9c4c-f451e8d59d23 (a random GUID) in EFI_GUID byte
// order.
var sectionType = [16]byte{0x9e, 0xf2, 0x74, 0x30, 0x7d, 0x48, 0xcd, 0x4d, 0x9c, 0x4c, 0xf4, 0x51, 0xe8, 0xd5, 0x9d, 0x23}

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
// NewRecord panics if size is below cper.HeaderSize or above 4 GiB - 1.
func NewRecord(size int, id uint64) []byte {
	if size < cper.HeaderSize || size > math.MaxUint32 {
		panic(fmt.Sprintf("pshedtest.NewRecord: size %d outside [%d, 2^32)", size, cper.HeaderSize))
	}
	r := make([]byte, size)
	le := binary.LittleEndian
	copy(r[cper.OffSignatureStart:], cper.Signature)
	le.PutUint16(r[cper.OffRevision:], uint16(cper.RevisionLinux))
	le.PutUint32(r[cper.OffSignatureEnd:], cper.SignatureEnd)
	le.PutUint32(r[cper.OffSeverity:], uint32(cper.SeverityInformational))
	le.PutUint32(r[cper.OffValidationBits:], 0)
	le.PutUint32(r[cper.OffRecordLength:], uint32(size))
	copy(r[cper.OffCreatorID:], creatorID[:])
	le.PutUint64(r[cper.OffRecordID:], id)
	le.PutUint16(r[cper.OffPersistence:], cper.PersistenceSignature)

	payload := cper.HeaderSize
	if size >= cper.HeaderSize+cper.DescriptorSize {
		payload = cper.HeaderSize + cper.DescriptorSize
		le.PutUint16(r[cper.OffSectionCount:], 1)
		d := r[cper.HeaderSize : cper.HeaderSize+cper.DescriptorSize]
		le.PutUint32(d[cper.DescOffSectionOffset:], uint32(payload))
		le.PutUint32(d[cper.DescOffSectionLength:], uint32(size-payload))
		le.PutUint16(d[cper.DescOffRevision:], uint16(cper.SectionRevision))
		le.PutUint32(d[cper.DescOffFlags:], 0x1) // primary
		copy(d[cper.DescOffSectionType:], sectionType[:])
		le.PutUint32(d[cper.DescOffSeverity:], uint32(cper.SeverityInformational))
	}
	for i := payload; i < size; i++ {
		r[i] = byte(id>>(8*(i%8))) ^ byte(i) ^ byte(i>>8)*0x3D
	}
	return r
}

// RecordID returns the record identifier of a CPER record
// (cper.RecordID), and false when record is too short to hold one.
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
