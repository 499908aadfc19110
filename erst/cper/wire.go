package cper

import (
	"bytes"
	"encoding/binary"
	"time"
)

// Sizes of the fixed structures.
const (
	HeaderSize     = 128 // record header, §N.2.1
	DescriptorSize = 72  // section descriptor, §N.2.2
	FRUTextSize    = 20  // descriptor FRU Text field, §N.2.2
)

// Signature is the header's SignatureStart as a string, for callers that
// compare bytes (§N.2.1 SignatureStart; edk2 SIGNATURE_32('C','P','E','R')).
const Signature = "CPER"

// SignatureStart is the value of the header's first four bytes (Signature).
var SignatureStart = [4]byte{Signature[0], Signature[1], Signature[2], Signature[3]}

// SignatureEnd is the value of the header's SignatureEnd field (§N.2.1).
const SignatureEnd uint32 = 0xFFFFFFFF

// Record header field offsets (§N.2.1, Table "Error Record Header";
// Microsoft cper.h checks the same offsets with CPER_FIELD_CHECK). They are
// exported so that the driver, the store and the PSHED layer, which look at
// a record's length, id and PersistenceInfo without decoding it, share
// them. QEMU's acpi-erst reads RecordLength (u32) and RecordID (u64) only.
const (
	OffSignatureStart = 0
	OffRevision       = 4
	OffSignatureEnd   = 6
	OffSectionCount   = 10
	OffSeverity       = 12
	OffValidationBits = 16
	OffRecordLength   = 20
	OffTimestamp      = 24
	OffPlatformID     = 32
	OffPartitionID    = 48
	OffCreatorID      = 64
	OffNotification   = 80
	OffRecordID       = 96
	OffFlags          = 104
	OffPersistence    = 108
	OffReserved       = 116
)

// Section descriptor field offsets from the descriptor's start (§N.2.2,
// Table "Section Descriptor"); descriptor i starts at
// HeaderSize+i*DescriptorSize.
const (
	DescOffSectionOffset  = 0
	DescOffSectionLength  = 4
	DescOffRevision       = 8
	DescOffValidationBits = 10
	DescOffReserved       = 11
	DescOffFlags          = 12
	DescOffSectionType    = 16
	DescOffFRUID          = 32
	DescOffSeverity       = 48
	DescOffFRUText        = 52
)

// Header is the 128-byte CPER record header (§N.2.1), Windows
// WHEA_ERROR_RECORD_HEADER. It holds every byte, signatures and reserved
// bytes included, so AppendEncode reproduces what [DecodeHeader] read.
type Header struct {
	SignatureStart [4]byte          // "CPER"
	Revision       Revision         // not checked; see Revision constants
	SignatureEnd   uint32           // 0xFFFFFFFF
	SectionCount   uint16           // number of section descriptors
	Severity       Severity         // ErrorSeverity
	ValidationBits ValidationBits   // which of PlatformID, Timestamp, PartitionID are valid
	RecordLength   uint32           // header + descriptors + section bodies
	Timestamp      Timestamp        // see Timestamp and TimeEncoding
	PlatformID     GUID             // valid if ValidPlatformID
	PartitionID    GUID             // valid if ValidPartitionID
	Creator        CreatorID        // CreatorID
	Notification   NotificationType // NotificationType
	RecordID       uint64           // unique within the store; ERST cannot store 0 or ~0
	Flags          HeaderFlags
	Persistence    PersistenceInfo // PersistenceInfo, owned by the persistence layer
	Reserved       [12]byte        // zero per UEFI; newer Windows puts OsBuildNumber in bytes 0..3
}

// DecodeHeader reads the 128-byte header at the start of b. It checks only
// that b is long enough; [Validate] checks the rest.
func DecodeHeader(b []byte) (Header, error) {
	var h Header
	if len(b) < HeaderSize {
		return h, formatErr(ErrTruncated, len(b), "need %d header bytes, have %d", HeaderSize, len(b))
	}
	le := binary.LittleEndian
	copy(h.SignatureStart[:], b[OffSignatureStart:])
	h.Revision = Revision(le.Uint16(b[OffRevision:]))
	h.SignatureEnd = le.Uint32(b[OffSignatureEnd:])
	h.SectionCount = le.Uint16(b[OffSectionCount:])
	h.Severity = Severity(le.Uint32(b[OffSeverity:]))
	h.ValidationBits = ValidationBits(le.Uint32(b[OffValidationBits:]))
	h.RecordLength = le.Uint32(b[OffRecordLength:])
	h.Timestamp = Timestamp(le.Uint64(b[OffTimestamp:]))
	copy(h.PlatformID[:], b[OffPlatformID:])
	copy(h.PartitionID[:], b[OffPartitionID:])
	copy(h.Creator[:], b[OffCreatorID:])
	copy(h.Notification[:], b[OffNotification:])
	h.RecordID = le.Uint64(b[OffRecordID:])
	h.Flags = HeaderFlags(le.Uint32(b[OffFlags:]))
	h.Persistence = PersistenceInfo(le.Uint64(b[OffPersistence:]))
	copy(h.Reserved[:], b[OffReserved:])
	return h, nil
}

// put writes h into b[:HeaderSize], which the caller has sized.
func (h *Header) put(b []byte) {
	le := binary.LittleEndian
	copy(b[OffSignatureStart:], h.SignatureStart[:])
	le.PutUint16(b[OffRevision:], uint16(h.Revision))
	le.PutUint32(b[OffSignatureEnd:], h.SignatureEnd)
	le.PutUint16(b[OffSectionCount:], h.SectionCount)
	le.PutUint32(b[OffSeverity:], uint32(h.Severity))
	le.PutUint32(b[OffValidationBits:], uint32(h.ValidationBits))
	le.PutUint32(b[OffRecordLength:], h.RecordLength)
	le.PutUint64(b[OffTimestamp:], uint64(h.Timestamp))
	copy(b[OffPlatformID:], h.PlatformID[:])
	copy(b[OffPartitionID:], h.PartitionID[:])
	copy(b[OffCreatorID:], h.Creator[:])
	copy(b[OffNotification:], h.Notification[:])
	le.PutUint64(b[OffRecordID:], h.RecordID)
	le.PutUint32(b[OffFlags:], uint32(h.Flags))
	le.PutUint64(b[OffPersistence:], uint64(h.Persistence))
	copy(b[OffReserved:HeaderSize], h.Reserved[:])
}

// AppendEncode appends the 128-byte wire form of h to b.
func (h *Header) AppendEncode(b []byte) []byte {
	n := len(b)
	b = append(b, make([]byte, HeaderSize)...)
	h.put(b[n:])
	return b
}

// TimeEncoding reports how h.Timestamp is encoded: Unix seconds for
// records made by Linux pstore ([CreatorLinuxPstore], which Linux's MCE code
// shares), UEFI BCD for everyone else.
func (h *Header) TimeEncoding() TimeEncoding {
	if h.Creator == CreatorLinuxPstore {
		return TimeUnixSeconds
	}
	return TimeBCD
}

// Time returns the record's timestamp read with h.TimeEncoding; BCD times
// are taken to be UTC (see [Timestamp.BCD] to choose a zone). It returns
// [ErrNoTimestamp] if the [ValidTimestamp] bit is clear and [ErrBadTimestamp] if
// the field does not decode.
func (h *Header) Time() (time.Time, error) {
	if h.ValidationBits&ValidTimestamp == 0 {
		return time.Time{}, formatErr(ErrNoTimestamp, OffValidationBits, "ValidationBits %s lacks Timestamp", h.ValidationBits)
	}
	if h.TimeEncoding() == TimeUnixSeconds {
		return h.Timestamp.Unix()
	}
	return h.Timestamp.BCD(time.UTC)
}

// SectionDescriptor is the 72-byte section descriptor (§N.2.2), Windows
// WHEA_ERROR_RECORD_SECTION_DESCRIPTOR.
type SectionDescriptor struct {
	Offset         uint32 // SectionOffset, from the start of the record
	Length         uint32 // SectionLength
	Revision       Revision
	ValidationBits SectionValidationBits // FRUID, FRUText
	Reserved       uint8                 // zero per UEFI; kept as read
	Flags          SectionFlags
	Type           SectionType
	FRUID          GUID // valid if ValidFRUID
	Severity       Severity
	FRUText        [FRUTextSize]byte // valid if ValidFRUText; NUL-padded ASCII
}

// DecodeSectionDescriptor reads the 72-byte descriptor at the start of b.
// It checks only that b is long enough.
func DecodeSectionDescriptor(b []byte) (SectionDescriptor, error) {
	var d SectionDescriptor
	if len(b) < DescriptorSize {
		return d, formatErr(ErrTruncated, len(b), "need %d descriptor bytes, have %d", DescriptorSize, len(b))
	}
	le := binary.LittleEndian
	d.Offset = le.Uint32(b[DescOffSectionOffset:])
	d.Length = le.Uint32(b[DescOffSectionLength:])
	d.Revision = Revision(le.Uint16(b[DescOffRevision:]))
	d.ValidationBits = SectionValidationBits(b[DescOffValidationBits])
	d.Reserved = b[DescOffReserved]
	d.Flags = SectionFlags(le.Uint32(b[DescOffFlags:]))
	copy(d.Type[:], b[DescOffSectionType:])
	copy(d.FRUID[:], b[DescOffFRUID:])
	d.Severity = Severity(le.Uint32(b[DescOffSeverity:]))
	copy(d.FRUText[:], b[DescOffFRUText:])
	return d, nil
}

// put writes d into b[:DescriptorSize], which the caller has sized.
func (d *SectionDescriptor) put(b []byte) {
	le := binary.LittleEndian
	le.PutUint32(b[DescOffSectionOffset:], d.Offset)
	le.PutUint32(b[DescOffSectionLength:], d.Length)
	le.PutUint16(b[DescOffRevision:], uint16(d.Revision))
	b[DescOffValidationBits] = byte(d.ValidationBits)
	b[DescOffReserved] = d.Reserved
	le.PutUint32(b[DescOffFlags:], uint32(d.Flags))
	copy(b[DescOffSectionType:], d.Type[:])
	copy(b[DescOffFRUID:], d.FRUID[:])
	le.PutUint32(b[DescOffSeverity:], uint32(d.Severity))
	copy(b[DescOffFRUText:DescriptorSize], d.FRUText[:])
}

// AppendEncode appends the 72-byte wire form of d to b.
func (d *SectionDescriptor) AppendEncode(b []byte) []byte {
	n := len(b)
	b = append(b, make([]byte, DescriptorSize)...)
	d.put(b[n:])
	return b
}

// FRU returns the FRU text up to its first NUL. It does not look at
// ValidationBits.
func (d *SectionDescriptor) FRU() string {
	t := d.FRUText[:]
	if i := bytes.IndexByte(t, 0); i >= 0 {
		t = t[:i]
	}
	return string(t)
}
