package cper

import (
	"errors"
	"fmt"
)

// Sentinel errors. Decoders and Marshal return them wrapped in a
// *[FormatError]; test with errors.Is. Some sentinels refine others (for
// example [ErrRecordTruncated] is also [ErrLengthMismatch]), so a caller can
// test for the family or for the exact case.
var (
	// ErrTruncated: the buffer is shorter than the structure being decoded
	// (128-byte header, 72-byte descriptor).
	ErrTruncated = errors.New("cper: buffer truncated")
	// ErrSignatureStart: bytes 0..3 are not "CPER" (§N.2.1 SignatureStart).
	ErrSignatureStart = errors.New("cper: bad SignatureStart")
	// ErrSignatureEnd: bytes 6..9 are not 0xFFFFFFFF (§N.2.1 SignatureEnd).
	ErrSignatureEnd = errors.New("cper: bad SignatureEnd")
	// ErrRecordTooShort: RecordLength is shorter than the header plus the
	// section descriptors it must contain.
	ErrRecordTooShort = errors.New("cper: RecordLength shorter than header and section descriptors")
	// ErrSectionCount: SectionCount descriptors do not fit in RecordLength
	// (or, in Marshal, SectionCount differs from len(Sections)). It is also
	// an ErrRecordTooShort when the descriptors do not fit.
	ErrSectionCount = fmt.Errorf("%w: SectionCount does not fit", ErrRecordTooShort)
	// ErrLengthMismatch: RecordLength differs from the buffer length. Use
	// ErrRecordTruncated or ErrTrailingBytes to tell the direction.
	ErrLengthMismatch = errors.New("cper: RecordLength does not match buffer length")
	// ErrRecordTruncated: RecordLength is larger than the buffer.
	ErrRecordTruncated = fmt.Errorf("%w: buffer shorter than RecordLength", ErrLengthMismatch)
	// ErrTrailingBytes: the buffer is longer than RecordLength (use Trim
	// for buffers read from a fixed-size ERST slot).
	ErrTrailingBytes = fmt.Errorf("%w: buffer longer than RecordLength", ErrLengthMismatch)
	// ErrSectionBounds: a section body ends past RecordLength.
	ErrSectionBounds = errors.New("cper: section outside the record")
	// ErrSectionOverflow: SectionOffset + SectionLength overflows 32 bits.
	ErrSectionOverflow = fmt.Errorf("%w: offset + length overflows", ErrSectionBounds)
	// ErrSectionOverlap: a section body starts inside the header or the
	// section descriptor array.
	ErrSectionOverlap = errors.New("cper: section overlaps the header or descriptors")
	// ErrBodyLength: in Marshal, len(Body) differs from Descriptor.Length.
	ErrBodyLength = errors.New("cper: section body length differs from descriptor")

	// ErrBadGUID: ParseGUID was given something other than a GUID string.
	ErrBadGUID = errors.New("cper: malformed GUID")
	// ErrBadTimestamp: the timestamp is not valid in the encoding asked for
	// (a non-BCD digit, a field out of range, a Unix time past year 9999).
	ErrBadTimestamp = errors.New("cper: invalid timestamp")
	// ErrNoTimestamp: the header's Timestamp validation bit is clear.
	ErrNoTimestamp = errors.New("cper: record has no valid timestamp")

	// ErrNoSections: Builder was given no sections.
	ErrNoSections = errors.New("cper: record needs at least one section")
	// ErrTooLarge: the record would exceed 65535 sections or 4 GiB.
	ErrTooLarge = errors.New("cper: record too large")
	// ErrRange: a value does not fit its field (FRU text over 20 bytes,
	// persistence bitfield overflow, year outside 0..9999).
	ErrRange = errors.New("cper: value out of range")
	// ErrPstoreType: NewPstoreRecord was given a section type Linux's
	// erst pstore backend does not write (it returns -EINVAL for those).
	ErrPstoreType = errors.New("cper: not a Linux pstore section type")
)

// FormatError reports where in a record a decoder (or Marshal, for the
// record it was about to produce) found a problem.
type FormatError struct {
	Off int    // byte offset of the offending field from the record start
	Msg string // what was wrong, with the values involved
	Err error  // one of the sentinels above
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("%v at offset %#x: %s", e.Err, e.Off, e.Msg)
}

// Unwrap returns the sentinel, so errors.Is works.
func (e *FormatError) Unwrap() error { return e.Err }

func formatErr(err error, off int, format string, args ...any) error {
	return &FormatError{Off: off, Msg: fmt.Sprintf(format, args...), Err: err}
}
