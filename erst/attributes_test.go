package erst_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst"
)

func TestAttributesNames(t *testing.T) {
	for _, tc := range []struct {
		a    erst.Attributes
		want []string
		str  string
	}{
		{0, nil, "none"},
		{erst.Attributes(acpi.AttrNVRAM), []string{"NVRAM"}, "NVRAM"},
		{erst.Attributes(acpi.AttrReserved | acpi.AttrSlow), []string{"RESERVED", "SLOW"}, "RESERVED|SLOW"},
		{0x2 | 0x30, []string{"NVRAM", "0x30"}, "NVRAM|0x30"},
	} {
		if got := tc.a.Names(); !slices.Equal(got, tc.want) {
			t.Errorf("Attributes(%#x).Names() = %q, want %q", uint64(tc.a), got, tc.want)
		}
		if got := tc.a.String(); got != tc.str {
			t.Errorf("Attributes(%#x).String() = %q, want %q", uint64(tc.a), got, tc.str)
		}
	}
}

func ExampleAttributes() {
	// What GET_ERROR_LOG_ADDRESS_RANGE_ATTRIBUTES returns for a range that
	// is the NVRAM store itself, in slow memory (Range.Attributes).
	a := erst.Attributes(acpi.AttrNVRAM | acpi.AttrSlow)
	fmt.Println(a, a.Names())
	// Output: NVRAM|SLOW [NVRAM SLOW]
}
