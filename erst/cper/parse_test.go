package cper

import "testing"

func TestParseNames(t *testing.T) {
	if n, err := ParseNotificationType("mce"); err != nil || n != NotifyMCE {
		t.Errorf("ParseNotificationType(mce) = %v, %v", n, err)
	}
	if n, err := ParseNotificationType("e8f56ffe-919c-4cc5-ba88-65abe14913bb"); err != nil || n != NotifyMCE {
		t.Errorf("by GUID: %v, %v", n, err)
	}
	if _, err := ParseNotificationType("nope"); err == nil {
		t.Error("unknown name accepted")
	}
	if c, err := ParseCreatorID(CreatorLinuxPstore.String()); err != nil || c != CreatorLinuxPstore {
		t.Errorf("ParseCreatorID(%s) = %v, %v", CreatorLinuxPstore, c, err)
	}
	if s, err := ParseSectionType(SectionTypeDmesg.String()); err != nil || s != SectionTypeDmesg {
		t.Errorf("ParseSectionType(%s) = %v, %v", SectionTypeDmesg, s, err)
	}
	for in, want := range map[string]Severity{"fatal": SeverityFatal, "Info": SeverityInformational, "corrected": SeverityCorrected, "recoverable": SeverityRecoverable, "7": 7} {
		if got, err := ParseSeverity(in); err != nil || got != want {
			t.Errorf("ParseSeverity(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParseSeverity("bad"); err == nil {
		t.Error("bad severity accepted")
	}
}
