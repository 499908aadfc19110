package acpi

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// Disassemble writes t as text a firmware engineer can read beside
// ACPICA's disassembly (`iasl -d`): the same layout, one line per field,
//
//	[HexOffset DecimalOffset ByteLength]  FieldName : FieldValue [meaning]
//
// with every header field and every entry field in table order, numbers in
// hex as iasl prints them, and the ACPI names of actions, instructions,
// address spaces and access sizes. String fields show their raw bytes
// (non-printable ones as \xNN), not iasl's repaired form. Notes in /* */
// say where the table disagrees with itself.
func (t *ERST) Disassemble(w io.Writer) error {
	d := &dumper{w: bufio.NewWriter(w)}
	h := &t.Header

	d.printf("/*\n * ERST: Error Record Serialization Table (ACPI 6.5 §18.5)\n")
	d.printf(" * Format: [HexOffset DecimalOffset ByteLength]  FieldName : FieldValue\n */\n\n")

	d.field(offSignature, 4, "Signature", "%s    [Error Record Serialization Table]", quoteRaw(h.Signature[:]))
	d.field(offLength, 4, "Length", "%08X", h.Length)
	d.field(offRevision, 1, "Revision", "%02X", h.Revision)
	if t.ChecksumOK() {
		d.field(offChecksum, 1, "Checksum", "%02X", h.Checksum)
	} else {
		d.field(offChecksum, 1, "Checksum", "%02X     /* Incorrect checksum, should be %02X */", h.Checksum, h.Checksum-Sum(t.Encode()))
	}
	d.field(offOEMID, 6, "OEM ID", "%s", quoteRaw(h.OEMID[:]))
	d.field(offOEMTableID, 8, "OEM Table ID", "%s", quoteRaw(h.OEMTableID[:]))
	d.field(offOEMRevision, 4, "OEM Revision", "%08X", h.OEMRevision)
	d.field(offCreatorID, 4, "Creator ID", "%s", quoteRaw(h.CreatorID[:]))
	d.field(offCreatorRevision, 4, "Creator Revision", "%08X", h.CreatorRevision)
	d.printf("\n")

	switch t.HeaderLength {
	case ERSTHeaderSize, ERSTHeaderSize - HeaderSize:
		d.field(offHeaderLength, 4, "Serialization Header Length", "%08X", t.HeaderLength)
	default:
		d.field(offHeaderLength, 4, "Serialization Header Length", "%08X     /* neither 48 nor 12 */", t.HeaderLength)
	}
	d.field(offReserved, 4, "Reserved", "%08X", t.Reserved)
	if int(t.EntryCount) == len(t.Entries) {
		d.field(offEntryCount, 4, "Instruction Entry Count", "%08X", t.EntryCount)
	} else {
		d.field(offEntryCount, 4, "Instruction Entry Count", "%08X     /* Length holds %d (%#x) entries */", t.EntryCount, len(t.Entries), len(t.Entries))
	}

	for i := range t.Entries {
		e := &t.Entries[i]
		off := ERSTHeaderSize + i*EntrySize
		d.printf("\n%16s/* Entry %d: %v, %v */\n", "", i, e.Action, e.Instruction)
		d.field(off, 1, "Action", "%02X [%v]", uint8(e.Action), e.Action)
		d.field(off+1, 1, "Instruction", "%02X [%v]", uint8(e.Instruction), e.Instruction)
		if rsvd := e.Flags &^ FlagPreserveRegister; rsvd != 0 {
			d.field(off+2, 1, "Flags", "%02X     /* reserved bits %02X set */", e.Flags, rsvd)
		} else {
			d.field(off+2, 1, "Flags", "%02X", e.Flags)
		}
		d.printf("%44s : %d\n", "Preserve Register", e.Flags&FlagPreserveRegister)
		d.field(off+3, 1, "Reserved", "%02X", e.Reserved)
		d.printf("\n")
		g := &e.Register
		d.field(off+4, GASSize, "Register Region", "[Generic Address Structure]")
		d.field(off+4, 1, "Address Space ID", "%02X [%v]", uint8(g.Space), g.Space)
		d.field(off+5, 1, "Register Bit Width", "%02X", g.BitWidth)
		d.field(off+6, 1, "Register Bit Offset", "%02X", g.BitOffset)
		if bits := g.AccessSize.Bits(); bits != 0 {
			d.field(off+7, 1, "Access Size", "%02X [%v Access:%d]", uint8(g.AccessSize), g.AccessSize, bits)
		} else {
			d.field(off+7, 1, "Access Size", "%02X [%v]", uint8(g.AccessSize), g.AccessSize)
		}
		d.field(off+8, 8, "Address", "%016X", g.Address)
		d.printf("\n")
		d.field(off+16, 8, "Value", "%016X", e.Value)
		d.field(off+24, 8, "Mask", "%016X", e.Mask)
	}
	if len(t.Trailing) > 0 {
		off := ERSTHeaderSize + len(t.Entries)*EntrySize
		d.printf("\n")
		d.field(off, len(t.Trailing), "Trailing Bytes", "% X     /* not a whole entry */", t.Trailing)
	}
	d.rawData(t.Encode())
	return d.flush()
}

// dumper writes lines and keeps the first write error.
type dumper struct {
	w   *bufio.Writer
	err error
}

func (d *dumper) printf(format string, args ...any) {
	if d.err == nil {
		_, d.err = fmt.Fprintf(d.w, format, args...)
	}
}

// field prints one iasl-style line: "[030h 0048   1]       Action : 00 [...]".
func (d *dumper) field(off, size int, name, format string, args ...any) {
	d.printf("[%03Xh %04d %3d] %28s : ", off, off, size, name)
	d.printf(format, args...)
	d.printf("\n")
}

// rawData prints the table bytes as iasl's "Raw Table Data" does.
func (d *dumper) rawData(b []byte) {
	d.printf("\nRaw Table Data: Length %d (0x%X)\n\n", len(b), len(b))
	for off := 0; off < len(b); off += 16 {
		line := b[off:min(off+16, len(b))]
		d.printf("    %04X: %-47s  // ", off, fmt.Sprintf("% X", line))
		for _, c := range line {
			if c < 0x20 || c >= 0x7f {
				c = '.'
			}
			d.printf("%c", c)
		}
		d.printf("\n")
	}
}

func (d *dumper) flush() error {
	if d.err != nil {
		return d.err
	}
	return d.w.Flush()
}

// quoteRaw quotes b showing every byte: printable ASCII as itself, the
// rest (NUL padding included) as \xNN.
func quoteRaw(b []byte) string {
	var s strings.Builder
	s.WriteByte('"')
	for _, c := range b {
		switch {
		case c == '"' || c == '\\':
			s.WriteByte('\\')
			s.WriteByte(c)
		case c >= 0x20 && c < 0x7f:
			s.WriteByte(c)
		default:
			fmt.Fprintf(&s, `\x%02x`, c)
		}
	}
	s.WriteByte('"')
	return s.String()
}
