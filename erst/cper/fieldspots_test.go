package cper_test

import (
	"encoding/binary"
	"testing"

	"github.com/goerst/erst/erst/cper"
)

// spot is where a specification puts a field: its byte offset and width
// in the section body, the bits of it the field is (0, 0: all), and its
// validation bit (-1: none).
type spot struct {
	name        string
	off, size   int
	shift, bits uint
	valid       int
}

// le reads the little-endian integer of s in b.
func (s spot) le(b []byte) uint64 {
	var v uint64
	for i := s.size - 1; i >= 0; i-- {
		v = v<<8 | uint64(b[s.off+i])
	}
	if s.bits > 0 {
		v = v >> s.shift & (1<<s.bits - 1)
	}
	return v
}

// decodeBody decodes body as a section of type typ.
func decodeBody(t *testing.T, typ cper.SectionType, body []byte) cper.Fields {
	t.Helper()
	d := cper.DecodeSection(&cper.Section{Descriptor: cper.SectionDescriptor{Type: typ, Length: uint32(len(body))}, Body: body})
	if d == nil || d.Err != nil {
		t.Fatalf("decoding a %d-byte body: %+v", len(body), d)
	}
	return d.Fields
}

// distinct is a body of n bytes each different from its neighbours, so
// that a field read one byte off reads another value.
func distinct(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(0x11 + 7*i)
	}
	return b
}

// checkSpots checks every spot's value in fs against body, and that its
// validity is want(spot).
func checkSpots(t *testing.T, fs cper.Fields, body []byte, spots []spot, want func(spot) bool) {
	t.Helper()
	for _, s := range spots {
		f, ok := fs.Get(s.name)
		switch {
		case !ok:
			t.Errorf("%s: not decoded", s.name)
		case f.Valid != want(s):
			t.Errorf("%s: valid %v, want %v", s.name, f.Valid, want(s))
		case f.Valid && f.Value != s.le(body):
			t.Errorf("%s = %#x, want %#x (bytes %d-%d)", s.name, f.Value, s.le(body), s.off, s.off+s.size-1)
		}
	}
}

// UEFI 2.10 §N.2.5 Table N-31, Platform Memory Error Section: every
// field at its offset, each with its own validation bit.
var memorySpots = []spot{
	{"Error Status", 8, 8, 0, 0, 0},
	{"Physical Address", 16, 8, 0, 0, 1},
	{"Physical Address Mask", 24, 8, 0, 0, 2},
	{"Node", 32, 2, 0, 0, 3},
	{"Card", 34, 2, 0, 0, 4},
	{"Module", 36, 2, 0, 0, 5},
	{"Bank", 38, 2, 0, 0, 6},
	{"Bank Address", 38, 2, 0, 8, 20},
	{"Bank Group", 38, 2, 8, 8, 19},
	{"Device", 40, 2, 0, 0, 7},
	{"Column", 44, 2, 0, 0, 9},
	{"Bit Position", 46, 2, 0, 0, 10},
	{"Requestor ID", 48, 8, 0, 0, 11},
	{"Responder ID", 56, 8, 0, 0, 12},
	{"Target ID", 64, 8, 0, 0, 13},
	{"Memory Error Type", 72, 1, 0, 0, 14},
	{"Extended Row Bits 16-17", 73, 1, 0, 2, 18},
	{"Chip Identification", 73, 1, 5, 3, 21},
	{"Rank Number", 74, 2, 0, 0, 15},
	{"Card Handle", 76, 2, 0, 0, 16},
	{"Module Handle", 78, 2, 0, 0, 17},
}

// Every field of the memory section reads from its own bytes, and each
// validation bit, cleared alone, invalidates its field and no other. The
// row is apart: bits 0-15 at 42 with Row Valid (bit 8), bits 16-17 in
// Extended bits 0-1 at 73 with Extended Row Valid (bit 18), the whole row
// valid when either is set (Linux's cper_mem_err_location), so clearing
// one of the two leaves it valid.
func TestPlatformMemoryEveryField(t *testing.T) {
	const all = 1<<22 - 1
	for clear := -1; clear < 22; clear++ {
		body := distinct(80)
		bits := uint64(all)
		if clear >= 0 {
			bits &^= 1 << clear
		}
		binary.LittleEndian.PutUint64(body, bits)
		fs := decodeBody(t, cper.SectionTypePlatformMemory, body)
		checkSpots(t, fs, body, memorySpots, func(s spot) bool { return s.valid != clear })
		row := uint64(binary.LittleEndian.Uint16(body[42:]))
		if clear != 18 {
			row |= uint64(body[73]&3) << 16
		}
		if f, ok := fs.Get("Row"); !ok || !f.Valid || f.Value != row {
			t.Errorf("validation bit %d cleared: Row %+v, want valid %#x", clear, f, row)
		}
	}
}

// Linux's struct mce (arch/x86/include/uapi/asm/mce.h), as
// apei_write_mce stores it: every field at its offset (128 bytes, Linux
// 5.10 and later).
var mceSpots = []spot{
	{"status", 0, 8, 0, 0, -1},
	{"misc", 8, 8, 0, 0, -1},
	{"addr", 16, 8, 0, 0, -1},
	{"mcgstatus", 24, 8, 0, 0, -1},
	{"ip", 32, 8, 0, 0, -1},
	{"tsc", 40, 8, 0, 0, -1},
	{"time", 48, 8, 0, 0, -1},
	{"cpuvendor", 56, 1, 0, 0, -1},
	{"inject_flags", 57, 1, 0, 0, -1},
	{"severity", 58, 1, 0, 0, -1},
	{"pad", 59, 1, 0, 0, -1},
	{"cpuid", 60, 4, 0, 0, -1},
	{"cs", 64, 1, 0, 0, -1},
	{"bank", 65, 1, 0, 0, -1},
	{"cpu", 66, 1, 0, 0, -1},
	{"finished", 67, 1, 0, 0, -1},
	{"extcpu", 68, 4, 0, 0, -1},
	{"socketid", 72, 4, 0, 0, -1},
	{"apicid", 76, 4, 0, 0, -1},
	{"mcgcap", 80, 8, 0, 0, -1},
	{"synd", 88, 8, 0, 0, -1},
	{"ipid", 96, 8, 0, 0, -1},
	{"ppin", 104, 8, 0, 0, -1},
	{"microcode", 112, 4, 0, 0, -1},
	{"kflags", 120, 8, 0, 0, -1},
}

func TestMCEEveryField(t *testing.T) {
	body := distinct(128)
	fs := decodeBody(t, cper.SectionTypeMCE, body)
	checkSpots(t, fs, body, mceSpots, func(spot) bool { return true })
}
