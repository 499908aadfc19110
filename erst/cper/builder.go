package cper

import (
	"fmt"
	"time"
)

// Builder makes a valid record from a few fields. The zero value of each
// optional field picks a documented default; Build's output always passes
// [Validate].
type Builder struct {
	RecordID     uint64           // ERST cannot store 0 or ^0; Build does not check
	Severity     Severity         // record ErrorSeverity
	Notification NotificationType // e.g. NotifyMCE
	Creator      CreatorID        // e.g. CreatorWHEA
	Flags        HeaderFlags
	Revision     Revision // zero means RevisionUEFI (0x0101)

	// Timestamp. By default Build stamps the current time (Now, or
	// time.Now when Now is nil) in UTC, BCD-encoded, with the precise bit
	// clear: the builder knows when the record was made, not when the error
	// happened, and UEFI reserves "precise" for the latter. UTC because the
	// record may be read on a machine in another zone. Set Time to stamp
	// another moment, Precise when Time is the error's time, TimeEncoding to
	// TimeUnixSeconds for Linux pstore style, NoTimestamp to leave the field
	// zero and the ValidTimestamp bit clear.
	Time         time.Time
	Precise      bool
	TimeEncoding TimeEncoding
	NoTimestamp  bool
	Now          func() time.Time

	PlatformID  *GUID // non-nil sets PlatformID and ValidPlatformID
	PartitionID *GUID // non-nil sets PartitionID and ValidPartitionID
	Persistence PersistenceInfo

	Sections []SectionSpec // at least one
}

// SectionSpec describes one section for [Builder].
type SectionSpec struct {
	Type     SectionType
	Severity Severity
	Flags    SectionFlags
	Revision Revision // zero means SectionRevision (0x0100)
	FRUID    *GUID    // non-nil sets FRUID and ValidFRUID
	FRUText  string   // non-empty sets FRUText and ValidFRUText; at most 20 bytes
	Body     []byte   // copied
}

// Bytes returns the encoded record the fields describe: [Builder.Build],
// then [Record.Marshal]. Its errors are theirs.
func (b *Builder) Bytes() ([]byte, error) {
	r, err := b.Build()
	if err != nil {
		return nil, err
	}
	return r.Marshal()
}

// Build returns the record the fields describe: header, descriptors at
// offset 128, bodies packed in order after the descriptors ([Record.Layout]).
// Errors: ErrNoSections, [ErrRange] (FRU text over 20 bytes, a time BCD or
// Unix seconds cannot carry), [ErrTooLarge].
func (b *Builder) Build() (*Record, error) {
	if len(b.Sections) == 0 {
		return nil, ErrNoSections
	}
	h, err := b.Header()
	if err != nil {
		return nil, err
	}
	r := &Record{Header: h, Sections: make([]Section, len(b.Sections))}
	for i, s := range b.Sections {
		d := SectionDescriptor{
			Revision: s.Revision,
			Flags:    s.Flags,
			Type:     s.Type,
			Severity: s.Severity,
		}
		if d.Revision == 0 {
			d.Revision = SectionRevision
		}
		if s.FRUID != nil {
			d.FRUID = *s.FRUID
			d.ValidationBits |= ValidFRUID
		}
		if s.FRUText != "" {
			if len(s.FRUText) > FRUTextSize {
				return nil, fmt.Errorf("%w: section %d FRU text is %d bytes, the field holds %d", ErrRange, i, len(s.FRUText), FRUTextSize)
			}
			copy(d.FRUText[:], s.FRUText)
			d.ValidationBits |= ValidFRUText
		}
		r.Sections[i] = Section{Descriptor: d, Body: append([]byte(nil), s.Body...)}
	}
	if err := r.Layout(); err != nil {
		return nil, err
	}
	return r, nil
}

// Header returns the record header Build starts from: the signatures,
// b's fields with their defaults, the timestamp and the validation bits.
// SectionCount and RecordLength are left 0 (Build's layout sets them).
// Errors: ErrRange for a time the encoding cannot carry.
func (b *Builder) Header() (Header, error) {
	h := Header{
		SignatureStart: SignatureStart,
		Revision:       b.Revision,
		SignatureEnd:   SignatureEnd,
		Severity:       b.Severity,
		Creator:        b.Creator,
		Notification:   b.Notification,
		RecordID:       b.RecordID,
		Flags:          b.Flags,
		Persistence:    b.Persistence,
	}
	if h.Revision == 0 {
		h.Revision = RevisionUEFI
	}
	if !b.NoTimestamp {
		ts, err := b.timestamp()
		if err != nil {
			return Header{}, err
		}
		h.Timestamp = ts
		h.ValidationBits |= ValidTimestamp
	}
	if b.PlatformID != nil {
		h.PlatformID = *b.PlatformID
		h.ValidationBits |= ValidPlatformID
	}
	if b.PartitionID != nil {
		h.PartitionID = *b.PartitionID
		h.ValidationBits |= ValidPartitionID
	}
	return h, nil
}

func (b *Builder) timestamp() (Timestamp, error) {
	t := b.Time
	if t.IsZero() {
		now := time.Now
		if b.Now != nil {
			now = b.Now
		}
		t = now().UTC()
	}
	if b.TimeEncoding == TimeUnixSeconds {
		return NewUnixTimestamp(t)
	}
	return NewBCDTimestamp(t, b.Precise)
}

// PstoreHeaderSize is sizeof(struct cper_pstore_record) in Linux's
// drivers/acpi/apei/erst.c: the header plus one descriptor. Linux's pstore
// buffer is the ERST error log range size minus this.
const PstoreHeaderSize = HeaderSize + DescriptorSize

// NewPstoreRecord returns the record Linux's pstore "erst" backend
// (erst_writer, then erst_write) stores for a payload: revision 0x0100,
// one section, severity Fatal, ValidationBits Timestamp only, the
// timestamp as raw Unix seconds, RecordLength 200 + len(payload), creator
// [CreatorLinuxPstore], notification [NotifyMCE], flags PrevErr, and
// PersistenceInfo carrying the "ER" bytes erst_write stamps before handing
// the record to firmware (so the result matches what a later read returns).
// The descriptor: offset 200, length len(payload), revision 0x0100, no
// FRU, flags Primary, severity Fatal, and sectionType, which must be
// [SectionTypeDmesg], [SectionTypeDmesgZ] or [SectionTypeMCE] (Linux refuses
// other pstore types with -EINVAL; here [ErrPstoreType]). t is the time to
// stamp; the zero Time means now. Linux derives id from
// cper_next_record_id (seconds at first use << 32, then +1 per record).
func NewPstoreRecord(id uint64, sectionType SectionType, payload []byte, t time.Time) (*Record, error) {
	switch sectionType {
	case SectionTypeDmesg, SectionTypeDmesgZ, SectionTypeMCE:
	default:
		return nil, fmt.Errorf("%w: %v", ErrPstoreType, sectionType)
	}
	b := Builder{
		RecordID:     id,
		Severity:     SeverityFatal,
		Notification: NotifyMCE,
		Time:         t,
		Persistence:  PersistenceSignature,
		Sections: []SectionSpec{{
			Type:     sectionType,
			Severity: SeverityFatal,
			Flags:    SectionPrimary,
			Revision: SectionRevision,
			Body:     payload,
		}},
	}
	b.SetLinuxPstore()
	return b.Build()
}

// SetLinuxPstore sets the header fields Linux's erst_writer gives every
// pstore record whatever its contents: creator [CreatorLinuxPstore],
// revision 0x0100, flags PrevErr, and the timestamp as raw Unix seconds
// (what erst_reader reads back).
func (b *Builder) SetLinuxPstore() {
	b.Creator = CreatorLinuxPstore
	b.Revision = RevisionLinux
	b.Flags = FlagPrevErr
	b.TimeEncoding = TimeUnixSeconds
}
