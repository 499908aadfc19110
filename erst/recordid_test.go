package erst_test

import (
	"errors"
	"fmt"
	"strconv"
	"testing"

	"github.com/goerst/erst/erst"
)

func TestParseID(t *testing.T) {
	for s, want := range map[string]uint64{
		"0": 0, "17": 17, "017": 17, "0x1f": 0x1f, "0X1F": 0x1f,
		"18446744073709551615": erst.InvalidID, "0xffffffffffffffff": erst.InvalidID,
	} {
		if got, err := erst.ParseID(s); err != nil || got != want {
			t.Errorf("ParseID(%q) = %#x, %v; want %#x", s, got, err, want)
		}
	}
	for s, want := range map[string]error{
		"0x10000000000000000":  strconv.ErrRange,
		"18446744073709551616": strconv.ErrRange,
		"0x1g":                 strconv.ErrSyntax,
		"":                     strconv.ErrSyntax,
		"0x":                   strconv.ErrSyntax,
		"-1":                   strconv.ErrSyntax,
		"0b1":                  strconv.ErrSyntax,
		"1_000":                strconv.ErrSyntax,
	} {
		_, err := erst.ParseID(s)
		msg := fmt.Sprintf("bad record id %q: want decimal or 0x-hex", s)
		if want == strconv.ErrRange {
			msg = fmt.Sprintf("bad record id %q: larger than 64 bits (the largest is 0xffffffffffffffff)", s)
		}
		if !errors.Is(err, want) || err.Error() != msg {
			t.Errorf("ParseID(%q) = %v; want %q matching %v", s, err, msg, want)
		}
	}
}

func TestCheckID(t *testing.T) {
	for _, id := range []uint64{1, 0x42, erst.InvalidID - 1} {
		if err := erst.CheckID(id); err != nil {
			t.Errorf("CheckID(%#x) = %v, want nil", id, err)
		}
	}
	for id, want := range map[uint64]string{
		0:              "record id 0x0 is reserved (0 and ~0 cannot be stored)",
		erst.InvalidID: "record id 0xffffffffffffffff is reserved (0 and ~0 cannot be stored)",
	} {
		if err := erst.CheckID(id); !errors.Is(err, erst.ErrInvalidID) || err.Error() != want {
			t.Errorf("CheckID(%#x) = %v; want %q matching ErrInvalidID", id, err, want)
		}
	}
}

func ExampleParseID() {
	for _, s := range []string{"0x1f", "31", "0", "0x1g"} {
		id, err := erst.ParseID(s)
		if err == nil {
			err = erst.CheckID(id)
		}
		fmt.Println(id, err)
	}
	// Output:
	// 31 <nil>
	// 31 <nil>
	// 0 record id 0x0 is reserved (0 and ~0 cannot be stored)
	// 0 bad record id "0x1g": want decimal or 0x-hex
}
