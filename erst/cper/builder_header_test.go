package cper

import (
	"errors"
	"testing"
	"time"
)

// Header is the header Build lays out, before the layout sets
// SectionCount and RecordLength.
func TestBuilderHeader(t *testing.T) {
	pid := GUID{1, 2, 3}
	b := Builder{
		RecordID:   0x42,
		Severity:   SeverityCorrected,
		Time:       time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC),
		PlatformID: &pid,
		Sections:   []SectionSpec{{Body: make([]byte, 10)}},
	}
	h, err := b.Header()
	if err != nil {
		t.Fatal(err)
	}
	r, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	want := r.Header
	want.SectionCount, want.RecordLength = 0, 0
	if h != want {
		t.Errorf("Header() = %+v\nBuild's header without the layout = %+v", h, want)
	}
	if h.ValidationBits != ValidTimestamp|ValidPlatformID || h.Revision != RevisionUEFI {
		t.Errorf("validation bits %#x, revision %#x; want timestamp and platform id, RevisionUEFI", h.ValidationBits, h.Revision)
	}
	b.Time = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := b.Header(); !errors.Is(err, ErrRange) && !errors.Is(err, ErrBadTimestamp) {
		t.Errorf("Header with year 10000: %v, want ErrRange or ErrBadTimestamp", err)
	}
}
