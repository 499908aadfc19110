// Package storetest builds expected ERST backing-store bytes for tests,
// field by field, independently of package store's own code: a test states
// what QEMU's acpi-erst should have left in the file and compares.
package storetest

import (
	"encoding/binary"
	"fmt"

	"github.com/goerst/erst/erst/cper"
)

// Golden is an expected backing-store image.
type Golden struct {
	B          []byte
	RecordSize int
}

// NewGolden returns an all-zero image of size bytes with the given slot
// size, as a new backing file starts out.
func NewGolden(size, recordSize int) *Golden {
	return &Golden{B: make([]byte, size), RecordSize: recordSize}
}

// Header writes the fields QEMU's make_erst_storage_header writes, plus
// record_count.
func (g *Golden) Header(recordSize, storageOffset, recordCount uint32) *Golden {
	le := binary.LittleEndian
	copy(g.B[0x00:], "ERSTSTOR")            // magic
	le.PutUint32(g.B[0x08:], recordSize)    // record_size
	le.PutUint32(g.B[0x0C:], storageOffset) // storage_offset
	le.PutUint16(g.B[0x10:], 0x0100)        // version
	le.PutUint16(g.B[0x12:], 0)             // reserved
	le.PutUint32(g.B[0x14:], recordCount)   // record_count
	return g
}

// Count sets record_count.
func (g *Golden) Count(n uint32) *Golden {
	binary.LittleEndian.PutUint32(g.B[0x14:], n)
	return g
}

// Map sets map[slot] (at byte 0x18 + 8*slot).
func (g *Golden) Map(slot int, id uint64) *Golden {
	binary.LittleEndian.PutUint64(g.B[0x18+8*slot:], id)
	return g
}

// Slot fills slot number slot with rec followed by 0xFF to the slot's end,
// as QEMU's write_erst_record leaves it.
func (g *Golden) Slot(slot int, rec []byte) *Golden {
	s := g.B[slot*g.RecordSize : (slot+1)*g.RecordSize]
	n := copy(s, rec)
	for i := n; i < len(s); i++ {
		s[i] = 0xFF
	}
	return g
}

// Bytes returns a copy of the image.
func (g *Golden) Bytes() []byte { return append([]byte(nil), g.B...) }

// CPER returns a length-byte record that QEMU will store: the header
// cper.Builder makes for record_id = id, revision 0x0100 and no timestamp
// (signature "CPER", signature end 0xFFFFFFFF, section count 0, every
// other field 0), with record_length = length, and fill in every byte
// after the 128-byte header. length may be below 128 to build invalid
// records: the record is then the 128-byte header alone, and the length
// field still says length.
func CPER(id uint64, length int, fill byte) []byte {
	h, err := (&cper.Builder{RecordID: id, Revision: cper.RevisionLinux, NoTimestamp: true}).Header()
	if err != nil {
		panic(fmt.Sprintf("storetest.CPER: %v", err)) // cannot happen: no timestamp to encode
	}
	h.RecordLength = uint32(length)
	b := h.AppendEncode(make([]byte, 0, max(length, cper.HeaderSize)))
	for len(b) < length {
		b = append(b, fill)
	}
	return b
}

// Diff describes the first difference between got and want, or returns
// "" when they are equal.
func Diff(got, want []byte) string {
	if len(got) != len(want) {
		return fmt.Sprintf("length %d, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			j := min(i+16, len(got))
			return fmt.Sprintf("first difference at offset %#x: got % x, want % x", i, got[i:j], want[i:j])
		}
	}
	return ""
}
