package size

import "testing"

func TestParse(t *testing.T) {
	for in, want := range map[string]uint64{"65536": 65536, "64K": 64 << 10, "64KiB": 64 << 10, "1m": 1 << 20, "2G": 2 << 30, "0x2000": 0x2000, " 8k ": 8 << 10} {
		if got, err := Parse(in); err != nil || got != want {
			t.Errorf("Parse(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "K", "-1", "12X", "2T", "1025G"} {
		if _, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) accepted", in)
		}
	}
}
