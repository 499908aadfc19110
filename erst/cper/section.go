package cper

import (
	"encoding/json"
	"fmt"
	"io"
)

// SectionDecode is a section body decoded field by field, for the
// standard section types of UEFI 2.10 Appendix N and Linux's MCE section.
type SectionDecode struct {
	Name   string // the structure, as the specification names it
	Fields Fields
	// Err says why decoding stopped before the end of the structure
	// (ErrSectionShort: the body is shorter than the structure; the
	// fields that fit are in Fields), or what else is wrong with a body
	// that decoded (ErrSectionLength). Nil when the whole body decoded.
	Err error
}

// sectionDecoder decodes one section type's body.
type sectionDecoder struct {
	name   string
	decode func(b []byte) (Fields, error)
}

// sectionDecoders holds a decoder per standard section type; the
// section_*.go files fill it.
var sectionDecoders = map[SectionType]sectionDecoder{}

// DecodeSection decodes s's body if its type is one this package knows
// field by field ([SectionDecodable]). It returns nil for other types: their
// bodies are opaque here. It never panics on a short or odd body; what
// went wrong is in the result's Err.
func DecodeSection(s *Section) *SectionDecode {
	d, ok := sectionDecoders[s.Descriptor.Type]
	if !ok {
		return nil
	}
	fs, err := d.decode(s.Body)
	return &SectionDecode{Name: d.name, Fields: fs, Err: err}
}

// SectionDecodable reports whether [DecodeSection] decodes sections of type t.
func SectionDecodable(t SectionType) bool {
	_, ok := sectionDecoders[t]
	return ok
}

func (d *SectionDecode) writeText(w io.Writer, indent string) {
	fmt.Fprintf(w, "%s%s\n", indent, d.Name)
	d.Fields.writeText(w, indent+"  ")
	if d.Err != nil {
		fmt.Fprintf(w, "%s  (%v)\n", indent, d.Err)
	}
}

// SectionDecodeJSON is [SectionDecode] in [RecordJSON].
type SectionDecodeJSON struct {
	Name   string `json:"name"`
	Fields Fields `json:"fields"`
	Error  string `json:"error,omitempty"`
}

// MarshalJSON encodes d as [SectionDecodeJSON].
func (d *SectionDecode) MarshalJSON() ([]byte, error) {
	j := SectionDecodeJSON{Name: d.Name, Fields: d.Fields}
	if j.Fields == nil {
		j.Fields = Fields{}
	}
	if d.Err != nil {
		j.Error = d.Err.Error()
	}
	return json.Marshal(j)
}
