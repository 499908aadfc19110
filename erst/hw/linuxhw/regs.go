package linuxhw

import (
	"fmt"
	"sort"
	"strings"

	"github.com/goerst/erst/acpi"
)

// Register is a register the ERST table names: where it is and the access
// widths its entries allow. Only these addresses, with these widths, are
// ever touched through the platform's buses.
type Register struct {
	Space acpi.AddressSpace // SystemMemory or SystemIO
	Addr  uint64
	// Widths is a set of access widths in bits: bit n set means an access
	// of 8<<n bits (n = 0..3) is allowed.
	Widths uint8
	// Entries are the indexes of the table entries that name the
	// register, for messages.
	Entries []int
}

// Allows reports whether r may be accessed with width bits.
func (r Register) Allows(width int) bool {
	b := widthBit(width)
	return b != 0 && r.Widths&b != 0
}

// Size is the number of bytes the widest allowed access covers.
func (r Register) Size() uint64 {
	n := uint64(0)
	for i := 0; i < 4; i++ {
		if r.Widths&(1<<i) != 0 {
			n = 1 << i
		}
	}
	return n
}

func (r Register) String() string {
	var w []string
	for i := 0; i < 4; i++ {
		if r.Widths&(1<<i) != 0 {
			w = append(w, fmt.Sprint(8<<i))
		}
	}
	return fmt.Sprintf("%v[%#x] (%s bits)", r.Space, r.Addr, strings.Join(w, "/"))
}

func widthBit(width int) uint8 {
	switch width {
	case 8:
		return 1
	case 16:
		return 2
	case 32:
		return 4
	case 64:
		return 8
	}
	return 0
}

// Skipped is a register the table names that the platform will not allow,
// and why. It is not an error by itself: only an access to it fails.
type Skipped struct {
	Entry  int
	Reg    acpi.GAS
	Reason string
}

// Registers lists the registers of t's entries whose instruction accesses
// its register (acpi.Instruction.AccessesRegister: Linux validates and
// maps only those), merged by space and address, sorted by address.
//
// An entry allows the widths an interpreter may use for it:
//   - the GAS Access Size (1..4 = 8..64 bits);
//   - the width Linux's apei_check_gar settles on, which widens the
//     access to 32 or 64 bits for a 32- or 64-bit register at offset 0
//     that is aligned to it ("Fixup common BIOS bug");
//   - when Access Size is 0 (undefined, ACPI 1.0 style), the Bit Width if
//     it is 8, 16, 32 or 64 and Bit Offset is 0.
//
// Entries that no interpreter may run (address 0, a space other than
// SystemMemory and SystemIO, no usable width, a range that wraps or a port
// beyond 0xffff) are returned in skipped with the reason.
func Registers(t *acpi.ERST) (regs []Register, skipped []Skipped) {
	type key struct {
		space acpi.AddressSpace
		addr  uint64
	}
	byKey := map[key]*Register{}
	for i, e := range t.Entries {
		if !e.Instruction.AccessesRegister() {
			continue
		}
		g := e.Register
		w, reason := allowedWidths(g)
		if reason != "" {
			skipped = append(skipped, Skipped{Entry: i, Reg: g, Reason: reason})
			continue
		}
		k := key{g.Space, g.Address}
		r := byKey[k]
		if r == nil {
			r = &Register{Space: g.Space, Addr: g.Address}
			byKey[k] = r
		}
		r.Widths |= w
		r.Entries = append(r.Entries, i)
	}
	for _, r := range byKey {
		regs = append(regs, *r)
	}
	sort.Slice(regs, func(i, j int) bool {
		if regs[i].Space != regs[j].Space {
			return regs[i].Space < regs[j].Space
		}
		return regs[i].Addr < regs[j].Addr
	})
	return regs, skipped
}

// allowedWidths returns the widths an interpreter may use for g, or why g
// cannot be used at all.
func allowedWidths(g acpi.GAS) (uint8, string) {
	if g.Space != acpi.SystemMemory && g.Space != acpi.SystemIO {
		return 0, fmt.Sprintf("address space %v: only SystemMemory and SystemIO registers are supported", g.Space)
	}
	if g.Address == 0 {
		return 0, "address 0"
	}
	var w uint8
	if a := g.AccessSize.Bits(); a != 0 {
		w |= widthBit(a)
		// apei_check_gar's fixup.
		switch {
		case g.BitWidth == 32 && g.BitOffset == 0 && g.Address%4 == 0 && a < 32:
			w |= widthBit(32)
		case g.BitWidth == 64 && g.BitOffset == 0 && g.Address%8 == 0 && a < 64:
			w |= widthBit(64)
		}
	} else if g.BitOffset == 0 {
		w = widthBit(int(g.BitWidth))
	}
	if w == 0 {
		return 0, fmt.Sprintf("no usable access width (access size %v, bit width %d, bit offset %d)", g.AccessSize, g.BitWidth, g.BitOffset)
	}
	r := Register{Space: g.Space, Addr: g.Address, Widths: w}
	last := g.Address + r.Size() - 1
	switch {
	case last < g.Address:
		return 0, "register wraps around the end of the address space"
	case g.Space == acpi.SystemIO && last > 0xffff:
		return 0, "I/O port beyond 0xffff"
	}
	return w, ""
}
