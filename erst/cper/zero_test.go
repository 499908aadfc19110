package cper_test

import (
	"strings"
	"testing"

	"github.com/goerst/erst/erst/cper"
)

// A zeroed body is a whole structure whose every field is marked as
// holding no data.
func TestZeroBody(t *testing.T) {
	for _, st := range []cper.SectionType{cper.SectionTypePlatformMemory, cper.SectionTypePlatformMemory2,
		cper.SectionTypeProcessorGeneric, cper.SectionTypePCIe, cper.SectionTypePCIXBus} {
		body, ok := cper.ZeroBody(st)
		if !ok {
			t.Fatalf("%v: no zero body", st)
		}
		d := cper.DecodeSection(&cper.Section{Descriptor: cper.SectionDescriptor{Type: st}, Body: body})
		if d == nil || d.Err != nil {
			t.Fatalf("%v: zero body does not decode: %+v", st, d)
		}
		for _, f := range d.Fields[1:] { // the validation bits themselves always are
			if f.Valid && !strings.Contains(f.Name, "Reserved") {
				t.Errorf("%v: field %s claims data", st, f.Name)
			}
		}
	}
	if _, ok := cper.ZeroBody(cper.SectionTypeDmesg); ok {
		t.Error("a text section has a zero body")
	}
}
