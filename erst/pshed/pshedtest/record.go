package pshedtest

import (
	"encoding/binary"
	"fmt"
	"math"
)

// CPER layout the builder writes (UEFI specification Appendix N, record
// header and section descriptor; WHEA_ERROR_RECORD_HEADER and
// WHEA_ERROR_RECORD_SECTION_DESCRIPTOR in ntddk.h).
const (
	// HeaderSize is the size of the CPER record header.
	HeaderSize = 128
	// SectionDescriptorSize is the size of one section descriptor.
	SectionDescriptorSize = 72

	offRevision     = 4   // u16
	offSignatureEnd = 6   // u32
	offSectionCount = 10  // u16
	offSeverity     = 12  // u32
	offValidBits    = 16  // u32
	offRecordLength = 20  // u32
	offCreatorID    = 64  // GUID
	offRecordID     = 96  // u64
	offPersistence  = 108 // u64 WHEA_PERSISTENCE_INFO

	// Section descriptor fields, relative to the descriptor.
	offSecOffset   = 0  // u32, from the start of the record
	offSecLength   = 4  // u32
	offSecRevision = 8  // u16
	offSecFlags    = 12 // u32
	offSecType     = 16 // GUID
	offSecSeverity = 48 // u32

	severityInformational = 3
	severityCorrected     = 2
)

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
// NewRecord panics if size is below HeaderSize or above 4 GiB - 1.
func NewRecord(size int, id uint64) []byte {
	if size < HeaderSize || size > math.MaxUint32 {
		panic(fmt.Sprintf("pshedtest.NewRecord: size %d outside [%d, 2^32)", size, HeaderSize))
	}
	r := make([]byte, size)
	le := binary.LittleEndian
	copy(r[0:4], "CPER")
	le.PutUint16(r[offRevision:], 0x0100)
	le.PutUint32(r[offSignatureEnd:], 0xFFFFFFFF)
	le.PutUint32(r[offSeverity:], severityInformational)
	le.PutUint32(r[offValidBits:], 0)
	le.PutUint32(r[offRecordLength:], uint32(size))
	copy(r[offCreatorID:], creatorID[:])
	le.PutUint64(r[offRecordID:], id)
	copy(r[offPersistence:], "ER")

	payload := HeaderSize
	if size >= HeaderSize+SectionDescriptorSize {
		payload = HeaderSize + SectionDescriptorSize
		le.PutUint16(r[offSectionCount:], 1)
		d := r[HeaderSize : HeaderSize+SectionDescriptorSize]
		le.PutUint32(d[offSecOffset:], uint32(payload))
		le.PutUint32(d[offSecLength:], uint32(size-payload))
		le.PutUint16(d[offSecRevision:], 0x0100)
		le.PutUint32(d[offSecFlags:], 0x1) // primary
		copy(d[offSecType:], sectionType[:])
		le.PutUint32(d[offSecSeverity:], severityInformational)
	}
	for i := payload; i < size; i++ {
		r[i] = byte(id>>(8*(i%8))) ^ byte(i) ^ byte(i>>8)*0x3D
	}
	return r
}

// RecordID returns the record identifier of a CPER record (offset 96),
// and false when record is too short to hold one.
func RecordID(record []byte) (uint64, bool) {
	if len(record) < offRecordID+8 {
		return 0, false
	}
	return binary.LittleEndian.Uint64(record[offRecordID:]), true
}

// variant returns a copy of record with another severity in its header
// (corrected instead of informational, or the reverse), for the
// overwrite check. It touches no byte outside the fixed header, so it
// works on records from any builder.
func variant(record []byte) []byte {
	v := append([]byte(nil), record...)
	sev := uint32(severityCorrected)
	if binary.LittleEndian.Uint32(v[offSeverity:]) == sev {
		sev = severityInformational
	}
	binary.LittleEndian.PutUint32(v[offSeverity:], sev)
	return v
}
