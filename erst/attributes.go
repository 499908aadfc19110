package erst

import (
	"fmt"
	"strings"

	"github.com/goerst/erst/acpi"
)

// Attributes is the value of GET_ERROR_LOG_ADDRESS_RANGE_ATTRIBUTES
// (ACPI 6.5 Table 18.29): the bits [acpi.AttrReserved], [acpi.AttrNVRAM] and
// [acpi.AttrSlow].
// Range.Attributes holds it as a uint64; convert to name the bits:
// Attributes(d.Range().Attributes).Names().
type Attributes uint64

// attrNames names the defined bits, in bit order (Linux ERST_RANGE_*).
var attrNames = []struct {
	bit  uint64
	name string
}{{acpi.AttrReserved, "RESERVED"}, {acpi.AttrNVRAM, "NVRAM"}, {acpi.AttrSlow, "SLOW"}}

// Names returns the names of the bits set in a, in bit order, then any
// undefined bits as one 0x-hex value; nil when a is 0.
func (a Attributes) Names() []string {
	var names []string
	rest := uint64(a)
	for _, f := range attrNames {
		if rest&f.bit != 0 {
			names = append(names, f.name)
			rest &^= f.bit
		}
	}
	if rest != 0 {
		names = append(names, fmt.Sprintf("%#x", rest))
	}
	return names
}

// String returns the names joined with "|", e.g. "NVRAM|SLOW", or "none".
func (a Attributes) String() string {
	if a == 0 {
		return "none"
	}
	return strings.Join(a.Names(), "|")
}
