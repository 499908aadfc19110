package cper_test

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/goerst/erst/erst/cper"
)

// parseSingle builds s and parses the record back.
func parseSingle(t *testing.T, s cper.Single) *cper.Record {
	t.Helper()
	raw, err := s.Bytes()
	if err != nil {
		t.Fatalf("Bytes: %v", err)
	}
	if err := cper.Validate(raw); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	r, err := cper.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Sections) != 1 {
		t.Fatalf("%d sections, want 1", len(r.Sections))
	}
	return r
}

func TestSingle(t *testing.T) {
	r := parseSingle(t, cper.Single{ID: 7, Severity: cper.SeverityCorrected, Notification: cper.NotifyCMC, Creator: cper.CreatorWHEA,
		Type: cper.SectionTypeDmesg, Body: []byte("text\n")})
	d := r.Sections[0].Descriptor
	if r.RecordID != 7 || r.Severity != cper.SeverityCorrected || r.Notification != cper.NotifyCMC || r.Creator != cper.CreatorWHEA ||
		!r.Persistence.HasSignature() || r.Flags != 0 || r.Revision == cper.RevisionLinux {
		t.Errorf("header %+v, want id 7, corrected, CMC, WHEA, the ER signature, the UEFI revision", r.Header)
	}
	if d.Type != cper.SectionTypeDmesg || d.Flags != cper.SectionPrimary || d.Severity != cper.SeverityCorrected || string(r.Sections[0].Body) != "text\n" {
		t.Errorf("section %+v %q, want a primary corrected DMESG with the body", d, r.Sections[0].Body)
	}

	// CreatorLinuxPstore: the header as Linux's erst_writer sets it.
	r = parseSingle(t, cper.Single{ID: 8, Creator: cper.CreatorLinuxPstore, Type: cper.SectionTypeDmesg, Body: []byte{}})
	if r.Revision != cper.RevisionLinux || r.Flags != cper.FlagPrevErr || len(r.Sections[0].Body) != 0 {
		t.Errorf("LinuxPstore header %+v, want revision 0x0100 and PrevErr, and the empty body", r.Header)
	}

	// No body: a zeroed structure for a fixed-size type, none for others.
	r = parseSingle(t, cper.Single{ID: 9, Type: cper.SectionTypePlatformMemory})
	if want, _ := cper.ZeroBody(cper.SectionTypePlatformMemory); len(want) == 0 || !bytes.Equal(r.Sections[0].Body, want) {
		t.Errorf("PlatformMemory body %x, want its %d zero bytes", r.Sections[0].Body, len(want))
	}
	if _, err := (cper.Single{ID: 9, Type: cper.SectionTypeDmesg}).Bytes(); !errors.Is(err, cper.ErrNoDefaultBody) {
		t.Errorf("DMESG without a body: %v, want ErrNoDefaultBody", err)
	}

	// Compress: DMESG deflated into DMESG_Z, which inflates back.
	text := bytes.Repeat([]byte("line of log\n"), 100)
	r = parseSingle(t, cper.Single{ID: 10, Type: cper.SectionTypeDmesg, Body: text, Compress: true})
	if s := r.Sections[0]; s.Descriptor.Type != cper.SectionTypeDmesgZ || len(s.Body) >= len(text) {
		t.Errorf("compressed: type %v, %d bytes; want DMESG_Z shorter than %d", s.Descriptor.Type, len(s.Body), len(text))
	} else if got, err := cper.InflateDmesg(s.Body); err != nil || !bytes.Equal(got, text) {
		t.Errorf("DMESG_Z inflates to %d bytes, %v; want the text", len(got), err)
	}
	if _, err := (cper.Single{ID: 11, Type: cper.SectionTypePlatformMemory, Compress: true}).Bytes(); !errors.Is(err, cper.ErrCompressType) {
		t.Errorf("compressing PlatformMemory: %v, want ErrCompressType", err)
	}
}

// ParseNames parses in order and returns the first error unchanged.
func TestSingleParseNames(t *testing.T) {
	var s cper.Single
	if err := s.ParseNames("corrected", "CMC", "LinuxPstore", "PCIe"); err != nil {
		t.Fatal(err)
	}
	if s.Severity != cper.SeverityCorrected || s.Notification != cper.NotifyCMC || s.Creator != cper.CreatorLinuxPstore || s.Type != cper.SectionTypePCIe {
		t.Errorf("ParseNames: %+v", s)
	}
	for _, tc := range [][4]string{
		{"bogus", "nope", "nope", "nope"},
		{"fatal", "nope", "nope", "nope"},
		{"fatal", "MCE", "nope", "nope"},
		{"fatal", "MCE", "WHEA", "nope"},
	} {
		var want error
		for i, parse := range []func(string) error{
			func(n string) error { _, err := cper.ParseSeverity(n); return err },
			func(n string) error { _, err := cper.ParseNotificationType(n); return err },
			func(n string) error { _, err := cper.ParseCreatorID(n); return err },
			func(n string) error { _, err := cper.ParseSectionType(n); return err },
		} {
			if want = parse(tc[i]); want != nil {
				break
			}
		}
		if err := s.ParseNames(tc[0], tc[1], tc[2], tc[3]); err == nil || want == nil || err.Error() != want.Error() {
			t.Errorf("ParseNames%q = %v, want %v", tc, err, want)
		}
	}
}

// A record of one section, from names as a command line gives them.
func ExampleSingle() {
	s := cper.Single{ID: 0x1234, Body: []byte("oops\n")}
	if err := s.ParseNames("fatal", "MCE", "LinuxPstore", "DMESG"); err != nil {
		fmt.Println(err)
		return
	}
	raw, err := s.Bytes()
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := cper.Parse(raw)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%#x, %d bytes, %v, %q\n", r.RecordID, len(raw), r.Sections[0].Descriptor.Type, r.Sections[0].Body)
	// Output:
	// 0x1234, 205 bytes, DMESG, "oops\n"
}
