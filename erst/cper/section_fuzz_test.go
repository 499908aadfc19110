package cper

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

// fuzzSection checks one section decoder on arbitrary bodies: it never
// panics, it returns a result, its errors are ErrSectionShort or (for a
// section with a length field of its own) ErrSectionLength, the only ways
// a body can be wrong here, the JSON is valid and the text writes.
// The seeds are the spec-built bodies of section_test.go, cut short, and
// the empty body.
func fuzzSection(f *testing.F, t SectionType) {
	for _, tc := range sectionCases() {
		if tc.typ == t {
			f.Add(tc.body)
			f.Add(tc.body[:len(tc.body)/2])
		}
	}
	f.Add([]byte{})
	f.Add(bytes.Repeat([]byte{0xff}, 300))
	f.Fuzz(func(t2 *testing.T, body []byte) {
		s := Section{Descriptor: SectionDescriptor{Type: t, Length: uint32(len(body))}, Body: body}
		d := DecodeSection(&s)
		if d == nil {
			t2.Fatalf("no decoder for %v", t)
		}
		if d.Err != nil && !errors.Is(d.Err, ErrSectionShort) && !errors.Is(d.Err, ErrSectionLength) {
			t2.Errorf("error %v is neither ErrSectionShort nor ErrSectionLength", d.Err)
		}
		j, err := json.Marshal(d)
		if err != nil || !json.Valid(j) {
			t2.Fatalf("JSON: %v\n%s", err, j)
		}
		var out bytes.Buffer
		d.writeText(&out, "")
	})
}

func FuzzSectionProcessorGeneric(f *testing.F) { fuzzSection(f, SectionTypeProcessorGeneric) }
func FuzzSectionIA32X64(f *testing.F)          { fuzzSection(f, SectionTypeIA32X64) }
func FuzzSectionARM(f *testing.F)              { fuzzSection(f, SectionTypeARM) }
func FuzzSectionPlatformMemory(f *testing.F)   { fuzzSection(f, SectionTypePlatformMemory) }
func FuzzSectionPlatformMemory2(f *testing.F)  { fuzzSection(f, SectionTypePlatformMemory2) }
func FuzzSectionPCIe(f *testing.F)             { fuzzSection(f, SectionTypePCIe) }
func FuzzSectionPCIXBus(f *testing.F)          { fuzzSection(f, SectionTypePCIXBus) }
func FuzzSectionPCIDevice(f *testing.F)        { fuzzSection(f, SectionTypePCIDevice) }
func FuzzSectionFirmware(f *testing.F)         { fuzzSection(f, SectionTypeFirmwareErrorRecord) }
func FuzzSectionDMArGeneric(f *testing.F)      { fuzzSection(f, SectionTypeDMArGeneric) }
func FuzzSectionDMArVTd(f *testing.F)          { fuzzSection(f, SectionTypeDMArVTd) }
func FuzzSectionDMArIOMMU(f *testing.F)        { fuzzSection(f, SectionTypeDMArIOMMU) }
func FuzzSectionCCIXPER(f *testing.F)          { fuzzSection(f, SectionTypeCCIXPER) }
func FuzzSectionCXLProtocol(f *testing.F)      { fuzzSection(f, SectionTypeCXLProtocol) }
func FuzzSectionCXLComponent(f *testing.F)     { fuzzSection(f, SectionTypeCXLGeneralMedia) }
func FuzzSectionMCE(f *testing.F)              { fuzzSection(f, SectionTypeMCE) }

// FuzzDmesgZ: InflateDmesg never panics and never returns more than
// MaxDmesgSize bytes.
func FuzzDmesgZ(f *testing.F) {
	f.Add(DeflateDmesg([]byte("Panic#1 Part1\nhello\n")))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, body []byte) {
		out, err := InflateDmesg(body)
		if err != nil && !errors.Is(err, ErrInflate) || len(out) > MaxDmesgSize {
			t.Fatalf("%d bytes, %v", len(out), err)
		}
	})
}
