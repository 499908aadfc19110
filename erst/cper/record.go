package cper

import (
	"bytes"
	"encoding/binary"
	"math"
)

// Record is a whole CPER record (§N.2): the header, then SectionCount
// section descriptors at offset 128, then the section bodies wherever the
// descriptors put them.
//
// A [Record] from [Parse] remembers the bytes it was parsed from. Marshal
// starts from them when RecordLength is unchanged, so bytes that no header,
// descriptor or section covers (padding, gaps between sections, descriptor
// space reserved for later, as edk2 allows) survive a round trip. Layout
// forgets them.
type Record struct {
	Header
	Sections []Section

	// orig is the record Parse read; bodies alias it. Marshal uses it as the
	// background for uncovered bytes when len(orig) == RecordLength.
	orig []byte
}

// Section is one section: its descriptor and its body.
//
// Bodies from [Parse] share one copy of the input (sections may overlap, and
// copying each would let a small input demand a large allocation); their
// capacity equals their length, so append copies rather than writing into
// a neighbour.
type Section struct {
	Descriptor SectionDescriptor
	Body       []byte
}

// Validate checks that b holds exactly one well-formed CPER record, in
// this order:
//
//   - b holds a whole header ([ErrTruncated]);
//   - SignatureStart is "CPER" ([ErrSignatureStart], offset 0);
//   - SignatureEnd is 0xFFFFFFFF ([ErrSignatureEnd], offset 6);
//   - RecordLength covers the header ([ErrRecordTooShort], offset 20);
//   - RecordLength equals len(b): ErrRecordTruncated if larger,
//     [ErrTrailingBytes] if smaller, both [ErrLengthMismatch] (offset 20);
//   - SectionCount descriptors fit in RecordLength ([ErrSectionCount], also
//     ErrRecordTooShort; offset 10);
//   - each section lies inside the record ([ErrSectionBounds], or
//     [ErrSectionOverflow] when offset+length overflows 32 bits) and after
//     the descriptors ([ErrSectionOverlap]); offset: the descriptor's.
//
// Revision, severities, flags, validation bits, the timestamp and reserved
// bytes are not checked: producers differ and the decoder keeps them all.
// Sections may overlap each other.
func Validate(b []byte) error {
	if err := checkHeader(b); err != nil {
		return err
	}
	le := binary.LittleEndian
	rl := le.Uint32(b[OffRecordLength:])
	switch {
	case uint64(rl) > uint64(len(b)):
		return formatErr(ErrRecordTruncated, OffRecordLength, "RecordLength %d but the buffer holds %d bytes", rl, len(b))
	case uint64(rl) < uint64(len(b)):
		return formatErr(ErrTrailingBytes, OffRecordLength, "RecordLength %d but the buffer holds %d bytes (%d extra)", rl, len(b), uint64(len(b))-uint64(rl))
	}
	n := int(le.Uint16(b[OffSectionCount:]))
	descEnd, err := checkCount(rl, n)
	if err != nil {
		return err
	}
	for i := range n {
		d := HeaderSize + i*DescriptorSize
		if err := checkSection(i, le.Uint32(b[d+DescOffSectionOffset:]), le.Uint32(b[d+DescOffSectionLength:]), rl, descEnd); err != nil {
			return err
		}
	}
	return nil
}

// checkHeader checks what Validate and Trim have in common: a whole
// header, both signatures, RecordLength at least a header.
func checkHeader(b []byte) error {
	if len(b) < HeaderSize {
		return formatErr(ErrTruncated, len(b), "need %d header bytes, have %d", HeaderSize, len(b))
	}
	if !bytes.Equal(b[OffSignatureStart:OffSignatureStart+4], SignatureStart[:]) {
		return formatErr(ErrSignatureStart, OffSignatureStart, "signature %q, want %q", b[OffSignatureStart:OffSignatureStart+4], Signature)
	}
	if e := binary.LittleEndian.Uint32(b[OffSignatureEnd:]); e != SignatureEnd {
		return formatErr(ErrSignatureEnd, OffSignatureEnd, "SignatureEnd %#08x, want %#08x", e, SignatureEnd)
	}
	if rl := binary.LittleEndian.Uint32(b[OffRecordLength:]); rl < HeaderSize {
		return formatErr(ErrRecordTooShort, OffRecordLength, "RecordLength %d is shorter than the %d-byte header", rl, HeaderSize)
	}
	return nil
}

// checkCount checks that n descriptors fit in a record of rl bytes and
// returns where they end.
func checkCount(rl uint32, n int) (uint64, error) {
	if rl < HeaderSize {
		return 0, formatErr(ErrRecordTooShort, OffRecordLength, "RecordLength %d is shorter than the %d-byte header", rl, HeaderSize)
	}
	descEnd := uint64(HeaderSize) + uint64(n)*DescriptorSize
	if descEnd > uint64(rl) {
		return 0, formatErr(ErrSectionCount, OffSectionCount, "SectionCount %d needs %d bytes of header and descriptors, RecordLength is %d", n, descEnd, rl)
	}
	return descEnd, nil
}

// checkSection checks section i's placement within a record of rl bytes
// whose descriptors end at descEnd.
func checkSection(i int, off, length, rl uint32, descEnd uint64) error {
	d := HeaderSize + i*DescriptorSize
	end := uint64(off) + uint64(length)
	switch {
	case end > math.MaxUint32:
		return formatErr(ErrSectionOverflow, d, "section %d: offset %#x + length %#x overflows 32 bits", i, off, length)
	case end > uint64(rl):
		return formatErr(ErrSectionBounds, d, "section %d: [%#x, %#x) ends past RecordLength %#x", i, off, end, rl)
	case uint64(off) < descEnd:
		return formatErr(ErrSectionOverlap, d, "section %d: offset %#x is inside the header and descriptors, which end at %#x", i, off, descEnd)
	}
	return nil
}

// Parse decodes the record in b, which must pass [Validate]. The [Record]
// does not alias b. Parse allocates one copy of b plus the Sections
// slice, whose length Validate has bounded by len(b)/72.
func Parse(b []byte) (*Record, error) {
	if err := Validate(b); err != nil {
		return nil, err
	}
	buf := bytes.Clone(b)
	h, err := DecodeHeader(buf)
	if err != nil {
		return nil, err // unreachable: Validate checked the length
	}
	r := &Record{Header: h, Sections: make([]Section, h.SectionCount), orig: buf}
	for i := range r.Sections {
		d, err := DecodeSectionDescriptor(buf[HeaderSize+i*DescriptorSize:])
		if err != nil {
			return nil, err // unreachable: Validate checked SectionCount
		}
		start, end := int(d.Offset), int(d.Offset)+int(d.Length)
		r.Sections[i] = Section{Descriptor: d, Body: buf[start:end:end]}
	}
	return r, nil
}

// Marshal encodes r exactly as its fields say: it does not recompute
// SectionCount, RecordLength or section offsets (call Layout after
// changing sections). It fails, with a *[FormatError] naming the offset in
// the record it would have produced, when SectionCount differs from
// len(Sections), a body's length differs from its descriptor's, a section
// falls outside the record or inside the descriptors, or the result would
// not pass [Validate] (for example, a wrong signature). Bytes no field or
// section covers are zero, or for a parsed record with unchanged
// RecordLength, what [Parse] read; where sections overlap, later ones win.
// Marshal allocates RecordLength bytes, after the checks above pass.
func (r *Record) Marshal() ([]byte, error) {
	n := len(r.Sections)
	if n != int(r.SectionCount) {
		return nil, formatErr(ErrSectionCount, OffSectionCount, "SectionCount %d but the record has %d sections", r.SectionCount, n)
	}
	rl := r.RecordLength
	descEnd, err := checkCount(rl, n)
	if err != nil {
		return nil, err
	}
	for i := range r.Sections {
		d := &r.Sections[i].Descriptor
		if uint64(len(r.Sections[i].Body)) != uint64(d.Length) {
			return nil, formatErr(ErrBodyLength, HeaderSize+i*DescriptorSize+DescOffSectionLength,
				"section %d: descriptor Length %d, body holds %d bytes", i, d.Length, len(r.Sections[i].Body))
		}
		if err := checkSection(i, d.Offset, d.Length, rl, descEnd); err != nil {
			return nil, err
		}
	}
	out := make([]byte, rl)
	if len(r.orig) == len(out) {
		copy(out, r.orig)
	}
	r.Header.put(out)
	for i := range r.Sections {
		s := &r.Sections[i]
		s.Descriptor.put(out[HeaderSize+i*DescriptorSize:])
		copy(out[s.Descriptor.Offset:], s.Body)
	}
	if err := Validate(out); err != nil {
		return nil, err
	}
	return out, nil
}

// Layout packs r: SectionCount = len(Sections), descriptors at 128, each
// body right after the previous one, descriptor lengths from the bodies,
// and RecordLength to match. It forgets the bytes [Parse] read, so gaps do
// not survive. More than 65535 sections or 4 GiB gives [ErrTooLarge].
func (r *Record) Layout() error {
	n := len(r.Sections)
	if n > math.MaxUint16 {
		return formatErr(ErrTooLarge, OffSectionCount, "%d sections, at most %d fit", n, math.MaxUint16)
	}
	off := uint64(HeaderSize) + uint64(n)*DescriptorSize
	for i := range r.Sections {
		s := &r.Sections[i]
		end := off + uint64(len(s.Body))
		if end > math.MaxUint32 {
			return formatErr(ErrTooLarge, HeaderSize+i*DescriptorSize, "section %d would end at %#x, past 4 GiB", i, end)
		}
		s.Descriptor.Offset = uint32(off)
		s.Descriptor.Length = uint32(len(s.Body))
		off = end
	}
	r.SectionCount = uint16(n)
	r.RecordLength = uint32(off)
	r.orig = nil
	return nil
}

// Trim returns the record at the start of b, cut to its RecordLength.
// Use it on buffers longer than the record, such as an ERST read into a
// fixed-size slot (QEMU pads slots with 0xFF). It checks the signatures
// and that RecordLength is at least a header and at most len(b); pass the
// result to [Parse] or [Validate] for the rest.
func Trim(b []byte) ([]byte, error) {
	if err := checkHeader(b); err != nil {
		return nil, err
	}
	rl := binary.LittleEndian.Uint32(b[OffRecordLength:])
	if uint64(rl) > uint64(len(b)) {
		return nil, formatErr(ErrRecordTruncated, OffRecordLength, "RecordLength %d but the buffer holds %d bytes", rl, len(b))
	}
	return b[:rl], nil
}
