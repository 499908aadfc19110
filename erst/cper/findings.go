package cper

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrSectionLength: a section's own length field (the ARM processor
// section's Section Length, §N.2.4.4) differs from its descriptor's
// SectionLength.
var ErrSectionLength = errors.New("cper: section length differs from its descriptor's")

// Findings lists what is wrong inside a record whose framing [Parse]
// accepted: SectionCount 0 ([ErrNoSections]), and each section body that
// does not decode whole ([ErrSectionShort], [ErrSectionLength], [ErrInflate],
// ...), wrapped as "section N (TYPE): ...". The decoders still show every
// field that could be read; Findings says what they could not.
func Findings(r *Record) []error {
	var out []error
	if len(r.Sections) == 0 {
		out = append(out, fmt.Errorf("%w: SectionCount is 0", ErrNoSections))
	}
	for i := range r.Sections {
		s := &r.Sections[i]
		var err error
		switch t := s.Descriptor.Type; {
		case t == SectionTypeDmesg || t == SectionTypeDmesgZ:
			_, err = DecodeDmesg(s)
		default:
			if d := DecodeSection(s); d != nil {
				err = d.Err
			}
		}
		if err != nil {
			out = append(out, fmt.Errorf("section %d (%v): %w", i, s.Descriptor.Type, err))
		}
	}
	return out
}

// ParseTruncated parses a record cut short: b holds less than its
// RecordLength, but the header, every descriptor and every section body
// lie within b. The [Record] keeps RecordLength as stored (so Marshal would
// pad it with zeros); the bytes between len(b) and RecordLength are lost.
// Records that [Parse] accepts, or whose sections do not all fit in b, are
// refused with the error Parse or [Validate] gives them.
func ParseTruncated(b []byte) (*Record, error) {
	if err := checkHeader(b); err != nil {
		return nil, err
	}
	le := binary.LittleEndian
	rl := le.Uint32(b[OffRecordLength:])
	if uint64(rl) <= uint64(len(b)) {
		return nil, formatErr(ErrLengthMismatch, OffRecordLength, "RecordLength %d, the buffer holds %d bytes: not cut short", rl, len(b))
	}
	have := uint32(len(b)) // < rl, so it fits
	n := int(le.Uint16(b[OffSectionCount:]))
	descEnd, err := checkCount(have, n)
	if err != nil {
		return nil, err
	}
	for i := range n {
		d := HeaderSize + i*DescriptorSize
		if err := checkSection(i, le.Uint32(b[d+DescOffSectionOffset:]), le.Uint32(b[d+DescOffSectionLength:]), have, descEnd); err != nil {
			return nil, err
		}
	}
	buf := bytes.Clone(b)
	h, err := DecodeHeader(buf)
	if err != nil {
		return nil, err
	}
	r := &Record{Header: h, Sections: make([]Section, n), orig: buf}
	for i := range r.Sections {
		d, err := DecodeSectionDescriptor(buf[HeaderSize+i*DescriptorSize:])
		if err != nil {
			return nil, err
		}
		end := int(d.Offset) + int(d.Length)
		r.Sections[i] = Section{Descriptor: d, Body: buf[d.Offset:end:end]}
	}
	return r, nil
}
