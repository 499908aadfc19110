package cper

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestNewPstoreRecordMatchesLinux(t *testing.T) {
	r, err := NewPstoreRecord(pstoreTime<<32|1, SectionTypeDmesg, pstorePayload, time.Unix(pstoreTime, 0))
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if want := pstoreFixture(); !bytes.Equal(got, want) {
		t.Errorf("NewPstoreRecord:\n got % x\nwant % x", got, want)
	}
	if PstoreHeaderSize != 200 || r.Sections[0].Descriptor.Offset != PstoreHeaderSize {
		t.Errorf("pstore header size %d, offset %d", PstoreHeaderSize, r.Sections[0].Descriptor.Offset)
	}
	for _, st := range []SectionType{SectionTypeDmesgZ, SectionTypeMCE} {
		if r, err := NewPstoreRecord(1, st, nil, time.Unix(pstoreTime, 0)); err != nil || r.Sections[0].Descriptor.Type != st {
			t.Errorf("NewPstoreRecord(%v) = %v", st, err)
		}
	}
	if _, err := NewPstoreRecord(1, SectionTypePCIe, nil, time.Unix(pstoreTime, 0)); !errors.Is(err, ErrPstoreType) {
		t.Errorf("NewPstoreRecord(PCIe) = %v, want ErrPstoreType", err)
	}
}

func fixedNow() time.Time {
	return time.Date(2024, 6, 15, 14, 34, 56, 0, time.FixedZone("CEST", 2*3600))
}

func TestBuilderDefaults(t *testing.T) {
	b := Builder{
		RecordID:     42,
		Severity:     SeverityCorrected,
		Notification: NotifyCMC,
		Creator:      CreatorWHEA,
		Now:          fixedNow,
		Sections: []SectionSpec{
			{Type: SectionTypeIA32X64, Severity: SeverityCorrected, Flags: SectionPrimary, Body: []byte("abc")},
			{Type: SectionTypePlatformMemory, Body: []byte("defgh")},
		},
	}
	r, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	out, err := r.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if err := Validate(out); err != nil {
		t.Fatalf("Build output fails Validate: %v", err)
	}
	h := r.Header
	if h.Revision != RevisionUEFI || h.SectionCount != 2 || h.RecordLength != 128+2*72+3+5 || h.RecordID != 42 {
		t.Errorf("header = %+v", h)
	}
	// Default timestamp: now, in UTC, BCD, precise bit clear.
	if h.ValidationBits != ValidTimestamp || h.Timestamp != bcdTS(0x56, 0x34, 0x12, 0x00, 0x15, 0x06, 0x24, 0x20) {
		t.Errorf("timestamp %#x, validation %v", uint64(h.Timestamp), h.ValidationBits)
	}
	if h.Persistence != 0 || h.PlatformID != (GUID{}) || h.Reserved != [12]byte{} {
		t.Errorf("optional fields not zero: %+v", h)
	}
	s0, s1 := r.Sections[0].Descriptor, r.Sections[1].Descriptor
	if s0.Offset != 272 || s0.Length != 3 || s1.Offset != 275 || s1.Length != 5 {
		t.Errorf("layout %d+%d, %d+%d", s0.Offset, s0.Length, s1.Offset, s1.Length)
	}
	if s0.Revision != SectionRevision || s0.ValidationBits != 0 || s0.Flags != SectionPrimary || s0.Severity != SeverityCorrected {
		t.Errorf("descriptor 0 = %+v", s0)
	}
	if string(out[272:]) != "abcdefgh" {
		t.Errorf("bodies = %q", out[272:])
	}
	// Build copies bodies.
	b.Sections[0].Body[0] = 'X'
	if r.Sections[0].Body[0] != 'a' {
		t.Error("Build aliases SectionSpec.Body")
	}
}

func TestBuilderOptions(t *testing.T) {
	plat, part, fru := mustGUID("11111111-2222-3333-4444-555555555555"), mustGUID("66666666-7777-8888-9999-aaaaaaaaaaaa"), mustGUID("bbbbbbbb-cccc-dddd-eeee-ffffffffffff")
	b := Builder{
		RecordID:    7,
		Revision:    RevisionWHEA,
		Flags:       FlagSimulated,
		Time:        time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC),
		Precise:     true,
		PlatformID:  &plat,
		PartitionID: &part,
		Persistence: PersistenceSignature,
		Sections: []SectionSpec{{
			Type: SectionTypePCIe, Revision: SectionRevisionWHEA, FRUID: &fru, FRUText: "12345678901234567890", Body: nil,
		}},
	}
	r, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	if r.ValidationBits != ValidPlatformID|ValidTimestamp|ValidPartitionID || r.PlatformID != plat || r.PartitionID != part {
		t.Errorf("ids: %v %v %v", r.ValidationBits, r.PlatformID, r.PartitionID)
	}
	if r.Timestamp != bcdTS(0x06, 0x05, 0x04, 0x01, 0x03, 0x02, 0x01, 0x20) || r.Revision != RevisionWHEA || r.Flags != FlagSimulated {
		t.Errorf("timestamp %#x revision %v flags %v", uint64(r.Timestamp), r.Revision, r.Flags)
	}
	d := r.Sections[0].Descriptor
	if d.ValidationBits != ValidFRUID|ValidFRUText || d.FRUID != fru || d.FRU() != "12345678901234567890" || d.Revision != SectionRevisionWHEA || d.Length != 0 {
		t.Errorf("descriptor = %+v", d)
	}
	if _, err := r.Marshal(); err != nil {
		t.Error(err)
	}

	// Unix seconds, as pstore does.
	b.TimeEncoding = TimeUnixSeconds
	if r, err := b.Build(); err != nil || r.Timestamp != Timestamp(time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC).Unix()) {
		t.Errorf("Unix timestamp = %v, %v", r, err)
	}
	// No timestamp at all.
	b.NoTimestamp = true
	if r, err := b.Build(); err != nil || r.Timestamp != 0 || r.ValidationBits&ValidTimestamp != 0 {
		t.Errorf("NoTimestamp: %v", err)
	}
}

func TestBuilderErrors(t *testing.T) {
	if _, err := (&Builder{}).Build(); !errors.Is(err, ErrNoSections) {
		t.Errorf("no sections: %v", err)
	}
	b := Builder{Sections: []SectionSpec{{FRUText: strings.Repeat("x", 21)}}}
	if _, err := b.Build(); !errors.Is(err, ErrRange) {
		t.Errorf("long FRU text: %v", err)
	}
	b = Builder{Time: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), Sections: []SectionSpec{{}}}
	if _, err := b.Build(); !errors.Is(err, ErrRange) {
		t.Errorf("year 10000: %v", err)
	}
	r := &Record{Sections: make([]Section, 1<<16)}
	if err := r.Layout(); !errors.Is(err, ErrTooLarge) {
		t.Errorf("65536 sections: %v", err)
	}
}

// Bytes is Build then Marshal, errors included.
func TestBuilderBytes(t *testing.T) {
	b := Builder{RecordID: 0x42, NoTimestamp: true, Sections: []SectionSpec{{Body: []byte("hi")}}}
	r, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	want, err := r.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if got, err := b.Bytes(); err != nil || !bytes.Equal(got, want) {
		t.Errorf("Bytes = %d bytes, %v; want the %d bytes of Build and Marshal", len(got), err, len(want))
	}
	if _, err := (&Builder{}).Bytes(); !errors.Is(err, ErrNoSections) {
		t.Errorf("Bytes without sections: %v, want ErrNoSections", err)
	}
}
