package cper

import "encoding/binary"

// Helpers for building fixtures field by field.

func le16(b []byte, v uint16) []byte { return binary.LittleEndian.AppendUint16(b, v) }
func le32(b []byte, v uint32) []byte { return binary.LittleEndian.AppendUint32(b, v) }
func le64(b []byte, v uint64) []byte { return binary.LittleEndian.AppendUint64(b, v) }
func zeros(b []byte, n int) []byte   { return append(b, make([]byte, n)...) }
func fill(b []byte, n int, start byte) []byte {
	for i := range n {
		b = append(b, start+byte(i))
	}
	return b
}

// pstoreTime is 2024-06-15T12:34:56Z, the time in both fixtures.
const pstoreTime = 1718454896 // 0x666d8a70

// pstorePayload is the dmesg chunk in the pstore fixture.
var pstorePayload = []byte("<0>panic\n") // 9 bytes

// pstoreFixture is the record Linux's pstore erst backend stores for a
// 9-byte uncompressed dmesg chunk (erst.c erst_writer + erst_write; team
// reference §2.5).
func pstoreFixture() []byte {
	var b []byte
	// Record header, §N.2.1.
	b = append(b, 'C', 'P', 'E', 'R')     // 0   SignatureStart
	b = le16(b, 0x0100)                   // 4   Revision: CPER_RECORD_REV
	b = le32(b, 0xFFFFFFFF)               // 6   SignatureEnd
	b = le16(b, 1)                        // 10  SectionCount
	b = le32(b, 1)                        // 12  ErrorSeverity: CPER_SEV_FATAL
	b = le32(b, 0x2)                      // 16  ValidationBits: CPER_VALID_TIMESTAMP only
	b = le32(b, 200+9)                    // 20  RecordLength: sizeof(cper_pstore_record) + payload
	b = le64(b, pstoreTime)               // 24  Timestamp: raw Unix seconds, not BCD
	b = zeros(b, 16)                      // 32  PlatformID: not valid, zero
	b = zeros(b, 16)                      // 48  PartitionID: not valid, zero
	b = append(b, 0xe3, 0x74, 0xa5, 0x75, // 64  CreatorID: CPER_CREATOR_PSTORE
		0x52, 0x50, 0x29, 0x4b, //              75a574e3-5052-4b29-8a8e-be2c6490b89d
		0x8a, 0x8e, 0xbe, 0x2c, 0x64, 0x90, 0xb8, 0x9d) // in EFI byte order
	b = append(b, 0xfe, 0x6f, 0xf5, 0xe8, // 80  NotificationType: CPER_NOTIFY_MCE
		0x9c, 0x91, 0xc5, 0x4c, //              e8f56ffe-919c-4cc5-ba88-65abe14913bb
		0xba, 0x88, 0x65, 0xab, 0xe1, 0x49, 0x13, 0xbb)
	b = le64(b, pstoreTime<<32|1)             // 96  RecordID: cper_next_record_id, seconds<<32 + 1
	b = le32(b, 0x2)                          // 104 Flags: CPER_HW_ERROR_FLAGS_PREVERR
	b = append(b, 'E', 'R', 0, 0, 0, 0, 0, 0) // 108 PersistenceInfo: the "ER" erst_write stamps
	b = zeros(b, 12)                          // 116 Reserved
	// Section descriptor 0, §N.2.2.
	b = le32(b, 200)                      // 128 SectionOffset: right after the descriptor
	b = le32(b, 9)                        // 132 SectionLength: payload
	b = le16(b, 0x0100)                   // 136 Revision: CPER_SEC_REV
	b = append(b, 0)                      // 138 ValidationBits: no FRU id or text
	b = append(b, 0)                      // 139 Reserved
	b = le32(b, 0x1)                      // 140 Flags: CPER_SEC_PRIMARY
	b = append(b, 0x4e, 0xe0, 0x97, 0xc1, // 144 SectionType: CPER_SECTION_TYPE_DMESG
		0x45, 0xd5, 0x70, 0x4a, //              c197e04e-d545-4a70-9c17-a5549419eb12
		0x9c, 0x17, 0xa5, 0x54, 0x94, 0x19, 0xeb, 0x12)
	b = zeros(b, 16)                // 160 FRUID
	b = le32(b, 1)                  // 176 SectionSeverity: CPER_SEV_FATAL
	b = zeros(b, 20)                // 180 FRUText
	b = append(b, pstorePayload...) // 200 section body
	return b
}

// windowsRecordLen is the length of windowsFixture.
const windowsRecordLen = 128 + 2*72 + 16 + 8 + 24 // 320

// windowsFixture is a WHEA-style record with two sections, every optional
// field set, non-zero reserved bytes and an 8-byte gap between the bodies,
// so that round trips must keep bytes no field covers.
func windowsFixture() []byte {
	var b []byte
	// Record header, §N.2.1.
	b = append(b, 'C', 'P', 'E', 'R')                             // 0   SignatureStart
	b = le16(b, 0x0210)                                           // 4   Revision: WHEA_ERROR_RECORD_REVISION, BCD "2.10"
	b = le32(b, 0xFFFFFFFF)                                       // 6   SignatureEnd
	b = le16(b, 2)                                                // 10  SectionCount
	b = le32(b, 2)                                                // 12  ErrorSeverity: Corrected
	b = le32(b, 0x7)                                              // 16  ValidationBits: PlatformID|Timestamp|PartitionID
	b = le32(b, windowsRecordLen)                                 // 20  RecordLength: 320
	b = append(b, 0x56, 0x34, 0x12, 0x01, 0x15, 0x06, 0x24, 0x20) // 24  Timestamp, BCD: 12:34:56, precise, 15.06.2024
	b = fill(b, 16, 0x10)                                         // 32  PlatformID: bytes 10..1f
	b = fill(b, 16, 0x20)                                         // 48  PartitionID: bytes 20..2f
	b = append(b, 0xbd, 0xc4, 0x07, 0xcf,                         // 64  CreatorID: WHEA_RECORD_CREATOR_GUID
		0x89, 0xb7, 0x18, 0x4e, //                                   cf07c4bd-b789-4e18-b3c4-1f732cb57131
		0xb3, 0xc4, 0x1f, 0x73, 0x2c, 0xb5, 0x71, 0x31)
	b = append(b, 0xb1, 0x8b, 0xce, 0x2d, // 80  NotificationType: CMC
		0xd7, 0xbd, 0x0e, 0x45, //              2dce8bb1-bdd7-450e-b9ad-9cf4ebd4f890
		0xb9, 0xad, 0x9c, 0xf4, 0xeb, 0xd4, 0xf8, 0x90)
	b = le64(b, 0x01d9c0ffee000001)                               // 96  RecordID
	b = le32(b, 0x9)                                              // 104 Flags: Recovered|DeviceDriver
	b = append(b, 0x45, 0x52, 0x40, 0x01, 0x00, 0x07, 0x00, 0x04) // 108 PersistenceInfo: 'E','R'; Length 0x140; Identifier 7; DoNotLog
	b = append(b, 0x4a, 0x61, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)       // 116 Reserved: Windows OsBuildNumber 0x614a
	// Section descriptor 0, §N.2.2.
	b = le32(b, 272)                      // 128 SectionOffset: right after the two descriptors
	b = le32(b, 16)                       // 132 SectionLength
	b = le16(b, 0x0201)                   // 136 Revision: Windows 2.1
	b = append(b, 0x3)                    // 138 ValidationBits: FRUID|FRUText
	b = append(b, 0x5a)                   // 139 Reserved: non-zero, must survive
	b = le32(b, 0x1)                      // 140 Flags: Primary
	b = append(b, 0x54, 0xe9, 0x95, 0xd9, // 144 SectionType: PCIe
		0xc1, 0xbb, 0x0f, 0x43, //              d995e954-bbc1-430f-ad91-b44dcb3c6f35
		0xad, 0x91, 0xb4, 0x4d, 0xcb, 0x3c, 0x6f, 0x35)
	b = fill(b, 16, 0x30)           // 160 FRUID: bytes 30..3f
	b = le32(b, 2)                  // 176 SectionSeverity: Corrected
	b = append(b, "PCIe slot 3"...) // 180 FRUText, 11 bytes
	b = zeros(b, 9)                 //     NUL padding to 20
	// Section descriptor 1, §N.2.2.
	b = le32(b, 296)                      // 200 SectionOffset: after body 0 and an 8-byte gap
	b = le32(b, 24)                       // 204 SectionLength
	b = le16(b, 0x0201)                   // 208 Revision
	b = append(b, 0)                      // 210 ValidationBits: none
	b = append(b, 0)                      // 211 Reserved
	b = le32(b, 0x20)                     // 212 Flags: LatentError
	b = append(b, 0x14, 0x11, 0xbc, 0xa5, // 216 SectionType: PlatformMemory
		0x64, 0x6f, 0xde, 0x4e, //              a5bc1114-6f64-4ede-b863-3e83ed7c83b1
		0xb8, 0x63, 0x3e, 0x83, 0xed, 0x7c, 0x83, 0xb1)
	b = zeros(b, 16)                                              // 232 FRUID: none
	b = le32(b, 0)                                                // 248 SectionSeverity: Recoverable
	b = zeros(b, 20)                                              // 252 FRUText: none
	b = fill(b, 16, 0xa0)                                         // 272 body 0: a0..af
	b = append(b, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee) // 288 gap: no section covers it
	b = fill(b, 24, 0xb0)                                         // 296 body 1: b0..c7
	return b
}
