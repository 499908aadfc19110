package cper

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// specRecord lays out a record field by field (UEFI 2.10 §N.2.1 header,
// §N.2.2 descriptors), the bodies one after another after the
// descriptors, RecordLength covering them all.
func specRecord(types []SectionType, bodies [][]byte) []byte {
	n := len(bodies)
	total := HeaderSize + n*DescriptorSize
	for _, b := range bodies {
		total += len(b)
	}
	var b []byte
	b = append(b, 'C', 'P', 'E', 'R') // 0   SignatureStart
	b = le16(b, 0x0101)               // 4   Revision
	b = le32(b, 0xFFFFFFFF)           // 6   SignatureEnd
	b = le16(b, uint16(n))            // 10  SectionCount
	b = le32(b, 2)                    // 12  ErrorSeverity: corrected
	b = le32(b, 0)                    // 16  ValidationBits: none
	b = le32(b, uint32(total))        // 20  RecordLength
	b = le64(b, 0)                    // 24  Timestamp (not valid)
	b = zeros(b, 32)                  // 32  PlatformID, PartitionID
	b = zeros(b, 16)                  // 64  CreatorID
	g := GUID(NotifyCMC)
	b = append(b, g[:]...) // 80  NotificationType: CMC
	b = le64(b, 0x42)      // 96  RecordID
	b = le32(b, 0)         // 104 Flags
	b = le64(b, 0)         // 108 PersistenceInfo
	b = zeros(b, 12)       // 116 Reserved
	off := HeaderSize + n*DescriptorSize
	for i, body := range bodies {
		b = le32(b, uint32(off))       // +0  SectionOffset
		b = le32(b, uint32(len(body))) // +4  SectionLength
		b = le16(b, 0x0100)            // +8  Revision
		b = append(b, 0, 0)            // +10 ValidationBits, Reserved
		b = le32(b, 0)                 // +12 Flags
		t := GUID(types[i])
		b = append(b, t[:]...) // +16 SectionType
		b = zeros(b, 16)       // +32 FRUID
		b = le32(b, 2)         // +48 SectionSeverity
		b = zeros(b, 20)       // +52 FRUText
		off += len(body)
	}
	for _, body := range bodies {
		b = append(b, body...)
	}
	return b
}

// armBody is an ARM processor section (§N.2.4.4 Table N-17) with no
// error or context structures and the given Section Length.
func armBody(sectionLength uint32, size int) []byte {
	w := &wb{}
	w.u32(0)             // 0  Validation Bits
	w.u16(0).u16(0)      // 4  Error Information Count, Context Information Count
	w.u32(sectionLength) // 8  Section Length
	w.u8(0).fill(3, 0)   // 12 Error Affinity Level, Reserved
	w.u64(0).u64(0)      // 16 MPIDR_EL1, MIDR_EL1
	w.u32(0).u32(0)      // 32 Running State, PSCI State
	w.fill(size-40, 0)   // 40 vendor-specific bytes, if any
	return w.b
}

// TestFindings: a record with good framing but malformed bodies decodes;
// Findings names each section and its problem.
func TestFindings(t *testing.T) {
	short := memoryAllFields(1 << 1)[:50] // a memory section cut inside Device
	raw := specRecord(
		[]SectionType{SectionTypePlatformMemory, SectionTypeARM, SectionTypeARM, SectionTypeFirmwareErrorRecord},
		[][]byte{short, armBody(48, 48), armBody(40, 48), make([]byte, 32)})
	r, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	fs := Findings(r)
	if len(fs) != 2 {
		t.Fatalf("findings %v, want 2", fs)
	}
	if !errors.Is(fs[0], ErrSectionShort) || !strings.HasPrefix(fs[0].Error(), "section 0 (PlatformMemory): ") {
		t.Errorf("finding 0: %v", fs[0])
	}
	if !errors.Is(fs[1], ErrSectionLength) || !strings.HasPrefix(fs[1].Error(), "section 2 (ARM): ") ||
		!strings.Contains(fs[1].Error(), "Section Length 40, the descriptor's SectionLength 48") {
		t.Errorf("finding 1: %v", fs[1])
	}
	// The short section still shows the fields that fit.
	d := DecodeSection(&r.Sections[0])
	got := map[string]string{}
	flatten(d.Fields, "", got)
	if got["Physical Address"] != "0xabcdef1000" || got["Bank"] != "(not valid)" {
		t.Errorf("partial decode: %v", got)
	}

	// SectionCount 0 is a finding.
	r0, err := Parse(specRecord(nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	if fs := Findings(r0); len(fs) != 1 || !errors.Is(fs[0], ErrNoSections) {
		t.Errorf("SectionCount 0: findings %v", fs)
	}
}

// TestParseTruncated: a record cut short whose sections all fit parses;
// one whose sections do not is refused.
func TestParseTruncated(t *testing.T) {
	raw := specRecord([]SectionType{SectionTypeFirmwareErrorRecord, SectionTypeDmesg}, [][]byte{make([]byte, 32), []byte("hello\n")})
	cut := raw[:len(raw)-6] // the second section is lost, but...
	if _, err := ParseTruncated(cut); !errors.Is(err, ErrSectionBounds) {
		t.Errorf("a section past the end: %v, want ErrSectionBounds", err)
	}
	// RecordLength larger than the bytes, every section inside them.
	raw = specRecord([]SectionType{SectionTypeFirmwareErrorRecord}, [][]byte{make([]byte, 32)})
	long := bytes.Clone(raw)
	put32(long, OffRecordLength, uint32(len(raw)+100))
	if _, err := Parse(long); !errors.Is(err, ErrRecordTruncated) {
		t.Fatalf("Parse: %v, want ErrRecordTruncated", err)
	}
	r, err := ParseTruncated(long)
	if err != nil {
		t.Fatal(err)
	}
	if r.RecordLength != uint32(len(raw)+100) || len(r.Sections) != 1 || len(r.Sections[0].Body) != 32 {
		t.Errorf("record %+v", r.Header)
	}
	if _, err := ParseTruncated(raw); !errors.Is(err, ErrLengthMismatch) {
		t.Errorf("a whole record: %v, want a refusal", err)
	}
}

// TestUnknownSectionSaysSo: an unknown section type is named "unknown"
// in JSON with its whole body; the text says what it leaves out.
func TestUnknownSectionSaysSo(t *testing.T) {
	typ := SectionType(mustGUID("01234567-89ab-cdef-0123-456789abcdef"))
	body := bytes.Repeat([]byte{0xEE}, 100)
	r, err := Parse(specRecord([]SectionType{typ}, [][]byte{body}))
	if err != nil {
		t.Fatal(err)
	}
	j := r.JSON()
	if s := j.Sections[0]; s.TypeName != "unknown" || s.Type != "01234567-89ab-cdef-0123-456789abcdef" || !bytes.Equal(s.Body, body) {
		t.Errorf("JSON section: %+v", s)
	}
	var out bytes.Buffer
	if err := WriteText(&out, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"unknown section type 01234567-89ab-cdef-0123-456789abcdef: 100 bytes, not decoded", "(36 more bytes not shown)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, out.String())
		}
	}
}

// FuzzParseTruncated checks that ParseTruncated never panics, refuses
// what Parse accepts, keeps every body inside the input, and that
// Findings and the JSON and text views never panic on what it returns.
func FuzzParseTruncated(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	raw := specRecord([]SectionType{SectionTypeARM}, [][]byte{armBody(40, 48)})
	f.Add(put32(bytes.Clone(raw), OffRecordLength, uint32(len(raw)+8)))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseTruncated(b)
		if err != nil {
			return
		}
		if Validate(b) == nil {
			t.Fatal("ParseTruncated accepted a whole record")
		}
		if uint64(r.RecordLength) <= uint64(len(b)) {
			t.Fatalf("RecordLength %d, input %d", r.RecordLength, len(b))
		}
		for i, s := range r.Sections {
			if uint64(s.Descriptor.Offset)+uint64(len(s.Body)) > uint64(len(b)) {
				t.Fatalf("section %d past the input", i)
			}
		}
		Findings(r)
		_ = r.JSON()
		_ = WriteText(&bytes.Buffer{}, r)
	})
}
