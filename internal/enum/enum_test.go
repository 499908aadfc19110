package enum

import "testing"

type code uint8

func TestNames(t *testing.T) {
	names := []string{"ZERO", "", "TWO"}
	for _, tc := range []struct {
		v    code
		want string
	}{
		{0, "ZERO"},
		{1, "RESERVED(0x01)"}, // a hole in the table
		{2, "TWO"},
		{0x13, "RESERVED(0x13)"},
	} {
		if got := Name(names, tc.v, "RESERVED"); got != tc.want {
			t.Errorf("Name(%d) = %q, want %q", tc.v, got, tc.want)
		}
	}
	m := map[uint32]string{0xC0000001: "STATUS_UNSUCCESSFUL"}
	if got := NameMap(m, 0xC0000001, "NTSTATUS"); got != "STATUS_UNSUCCESSFUL" {
		t.Errorf("NameMap = %q", got)
	}
	if got := UnknownWide("NTSTATUS", uint32(0x102), 8); got != "NTSTATUS(0x00000102)" {
		t.Errorf("UnknownWide = %q", got)
	}
}
