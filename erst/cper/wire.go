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

// SignatureStart is the value of the header's first four bytes
// (§N.2.1 SignatureStart; edk2 SIGNATURE_32('C','P','E','R')).
var SignatureStart = [4]byte{'C', 'P', 'E', 'R'}

// SignatureEnd is the value of the header's SignatureEnd field (§N.2.1).
const SignatureEnd uint32 = 0xFFFFFFFF

// Record header field offsets (§N.2.1, Table "Error Record Header";
// Microsoft cper.h checks the same offsets with CPER_FIELD_CHECK).
const (
	offSignatureStart = 0
	offRevision       = 4
	offSignatureEnd   = 6
	offSectionCount   = 10
	offSeverity       = 12
	offValidationBits = 16
	offRecordLength   = 20
	offTimestamp      = 24
	offPlatformID     = 32
	offPartitionID    = 48
	offCreatorID      = 64
	offNotification   = 80
	offRecordID       = 96
	offFlags          = 104
	offPersistence    = 108
	offReserved       = 116
)

// Section descriptor field offsets (§N.2.2, Table "Section Descriptor").
const (
	dOffSectionOffset  = 0
	dOffSectionLength  = 4
	dOffRevision       = 8
	dOffValidationBits = 10
	dOffReserved       = 11
	dOffFlags          = 12
	dOffSectionType    = 16
	dOffFRUID          = 32
	dOffSeverity       = 48
	dOffFRUText        = 52
)

// Header is the 128-byte CPER record header (§N.2.1), Windows
// WHEA_ERROR_RECORD_HEADER. It holds every byte, signatures and reserved
// bytes included, so AppendEncode reproduces what DecodeHeader read.
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
// that b is long enough; Validate checks the rest.
func DecodeHeader(b []byte) (Header, error) {
	var h Header
	if len(b) < HeaderSize {
		return h, formatErr(ErrTruncated, len(b), "need %d header bytes, have %d", HeaderSize, len(b))
	}
	le := binary.LittleEndian
	copy(h.SignatureStart[:], b[offSignatureStart:])
	h.Revision = Revision(le.Uint16(b[offRevision:]))
	h.SignatureEnd = le.Uint32(b[offSignatureEnd:])
	h.SectionCount = le.Uint16(b[offSectionCount:])
	h.Severity = Severity(le.Uint32(b[offSeverity:]))
	h.ValidationBits = ValidationBits(le.Uint32(b[offValidationBits:]))
	h.RecordLength = le.Uint32(b[offRecordLength:])
	h.Timestamp = Timestamp(le.Uint64(b[offTimestamp:]))
	copy(h.PlatformID[:], b[offPlatformID:])
	copy(h.PartitionID[:], b[offPartitionID:])
	copy(h.Creator[:], b[offCreatorID:])
	copy(h.Notification[:], b[offNotification:])
	h.RecordID = le.Uint64(b[offRecordID:])
	h.Flags = HeaderFlags(le.Uint32(b[offFlags:]))
	h.Persistence = PersistenceInfo(le.Uint64(b[offPersistence:]))
	copy(h.Reserved[:], b[offReserved:])
	return h, nil
}

// put writes h into b[:HeaderSize], which the caller has sized.
func (h *Header) put(b []byte) {
	le := binary.LittleEndian
	copy(b[offSignatureStart:], h.SignatureStart[:])
	le.PutUint16(b[offRevision:], uint16(h.Revision))
	le.PutUint32(b[offSignatureEnd:], h.SignatureEnd)
	le.PutUint16(b[offSectionCount:], h.SectionCount)
	le.PutUint32(b[offSeverity:], uint32(h.Severity))
	le.PutUint32(b[offValidationBits:], uint32(h.ValidationBits))
	le.PutUint32(b[offRecordLength:], h.RecordLength)
	le.PutUint64(b[offTimestamp:], uint64(h.Timestamp))
	copy(b[offPlatformID:], h.PlatformID[:])
	copy(b[offPartitionID:], h.PartitionID[:])
	copy(b[offCreatorID:], h.Creator[:])
	copy(b[offNotification:], h.Notification[:])
	le.PutUint64(b[offRecordID:], h.RecordID)
	le.PutUint32(b[offFlags:], uint32(h.Flags))
	le.PutUint64(b[offPersistence:], uint64(h.Persistence))
	copy(b[offReserved:HeaderSize], h.Reserved[:])
}

// AppendEncode appends the 128-byte wire form of h to b.
func (h *Header) AppendEncode(b []byte) []byte {
	n := len(b)
	b = append(b, make([]byte, HeaderSize)...)
	h.put(b[n:])
	return b
}

// TimeEncoding reports how h.Timestamp is encoded: Unix seconds for
// records made by Linux pstore (CreatorLinuxPstore, which Linux's MCE code
// shares), UEFI BCD for everyone else.
func (h *Header) TimeEncoding() TimeEncoding {
	if h.Creator == CreatorLinuxPstore {
		return TimeUnixSeconds
	}
	return TimeBCD
}

// Time returns the record's timestamp read with h.TimeEncoding; BCD times
// are taken to be UTC (see Timestamp.BCD to choose a zone). It returns
// ErrNoTimestamp if the ValidTimestamp bit is clear and ErrBadTimestamp if
// the field does not decode.
func (h *Header) Time() (time.Time, error) {
	if h.ValidationBits&ValidTimestamp == 0 {
		return time.Time{}, formatErr(ErrNoTimestamp, offValidationBits, "ValidationBits %s lacks Timestamp", h.ValidationBits)
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
	d.Offset = le.Uint32(b[dOffSectionOffset:])
	d.Length = le.Uint32(b[dOffSectionLength:])
	d.Revision = Revision(le.Uint16(b[dOffRevision:]))
	d.ValidationBits = SectionValidationBits(b[dOffValidationBits])
	d.Reserved = b[dOffReserved]
	d.Flags = SectionFlags(le.Uint32(b[dOffFlags:]))
	copy(d.Type[:], b[dOffSectionType:])
	copy(d.FRUID[:], b[dOffFRUID:])
	d.Severity = Severity(le.Uint32(b[dOffSeverity:]))
	copy(d.FRUText[:], b[dOffFRUText:])
	return d, nil
}

// put writes d into b[:DescriptorSize], which the caller has sized.
func (d *SectionDescriptor) put(b []byte) {
	le := binary.LittleEndian
	le.PutUint32(b[dOffSectionOffset:], d.Offset)
	le.PutUint32(b[dOffSectionLength:], d.Length)
	le.PutUint16(b[dOffRevision:], uint16(d.Revision))
	b[dOffValidationBits] = byte(d.ValidationBits)
	b[dOffReserved] = d.Reserved
	le.PutUint32(b[dOffFlags:], uint32(d.Flags))
	copy(b[dOffSectionType:], d.Type[:])
	copy(b[dOffFRUID:], d.FRUID[:])
	le.PutUint32(b[dOffSeverity:], uint32(d.Severity))
	copy(b[dOffFRUText:DescriptorSize], d.FRUText[:])
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
