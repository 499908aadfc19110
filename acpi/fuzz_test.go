package acpi

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"testing"

	"github.com/goerst/erst/acpi/acpitest"
)

// fuzzSeeds are tables that stress the decoder's edges: the fixture, the
// corpus, and the fixture with each length-like field broken.
func fuzzSeeds() [][]byte {
	seeds := [][]byte{fixture, fixture[:48], fixture[:35], nil}
	edit := func(f func(b []byte) []byte) {
		seeds = append(seeds, f(bytes.Clone(fixture)))
	}
	edit(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[4:], 0xffffffff); return b }) // 4 GiB length
	edit(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[4:], 48); return b })         // no entries
	edit(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[4:], 20); return b })         // below the header
	edit(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[44:], 0xffffffff); return b })
	edit(func(b []byte) []byte { b[4] += 3; return append(b, 1, 2, 3) }) // trailing bytes
	return append(seeds, acpitest.SeedTables()...)
}

// FuzzDecodeERST: any input is decoded or refused with a *FormatError;
// the decoder allocates in proportion to the input; a decoded table
// encodes back to the same bytes, and its JSON and disassembly work.
func FuzzDecodeERST(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var (
			tbl *ERST
			err error
		)
		n := acpitest.AllocBytes(func() { tbl, err = DecodeERST(b) })
		if limit := 4*uint64(len(b)) + 64<<10; n > limit {
			t.Fatalf("DecodeERST allocated %d bytes for a %d-byte input (limit %d)", n, len(b), limit)
		}
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v (%T) is not a *FormatError", err, err)
			}
			return
		}
		length := int(tbl.Header.Length)
		if len(tbl.Entries) != (length-ERSTHeaderSize)/EntrySize || len(tbl.Trailing) != (length-ERSTHeaderSize)%EntrySize {
			t.Fatalf("Length %d gave %d entries and %d trailing bytes", length, len(tbl.Entries), len(tbl.Trailing))
		}
		if enc := tbl.Encode(); !bytes.Equal(enc, b[:length]) {
			t.Fatalf("Encode() differs from the input")
		}
		js, err := json.Marshal(tbl.JSON())
		if err != nil {
			t.Fatal(err)
		}
		var back ERSTJSON
		if err := json.Unmarshal(js, &back); err != nil {
			t.Fatalf("JSON does not decode: %v\n%s", err, js)
		}
		if !reflect.DeepEqual(&back, tbl.JSON()) {
			t.Fatalf("JSON does not decode to the same fields:\n%s", js)
		}
		if err := tbl.Disassemble(io.Discard); err != nil {
			t.Fatal(err)
		}
	})
}

// acpidumpSeeds are acpidump texts, good and broken.
func acpidumpSeeds() [][]byte {
	good := acpitest.Acpidump("ERST", 0xbf6b7000, fixture)
	seeds := [][]byte{
		good,
		append(acpitest.Acpidump("FACP", 0x1000, facp), good...),
		bytes.Replace(good, []byte("0010:"), []byte("0020:"), 1),
		[]byte("ERST @ 0x0\n    0000: 45 52 53\n"),
		[]byte("ERST @ 0x0\n\n"),
		[]byte("  ERST @ 0x0000000000001000\n    0000: 4"),
	}
	for _, b := range acpitest.SeedTables() {
		seeds = append(seeds, acpitest.Acpidump("ERST", 0x1000, b))
	}
	return seeds
}

// FuzzParseAcpidump: any text is parsed or refused with a *FormatError,
// in allocations proportional to the text; what it returns has three
// characters of text per byte at least, and reparses to itself.
func FuzzParseAcpidump(f *testing.F) {
	for _, s := range acpidumpSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		var (
			out []byte
			err error
		)
		n := acpitest.AllocBytes(func() { out, err = ParseAcpidump(text, SignatureERST) })
		if limit := 8*uint64(len(text)) + 512<<10; n > limit {
			t.Fatalf("ParseAcpidump allocated %d bytes for %d bytes of text (limit %d)", n, len(text), limit)
		}
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v (%T) is not a *FormatError", err, err)
			}
			return
		}
		if len(out) == 0 || 3*len(out) > len(text) {
			t.Fatalf("%d bytes from %d bytes of text", len(out), len(text))
		}
		again, err := ParseAcpidump(acpitest.Acpidump("ERST", 0, out), SignatureERST)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("reparsing gives % x, %v; want % x", again, err, out)
		}
	})
}

// FuzzTableFromBytes: any input, binary or text, gives a table or an
// error wrapping a sentinel, in allocations proportional to the input.
func FuzzTableFromBytes(f *testing.F) {
	for _, s := range append(fuzzSeeds(), acpidumpSeeds()...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var (
			out []byte
			err error
		)
		n := acpitest.AllocBytes(func() { out, err = TableFromBytes(b, SignatureERST) })
		if limit := 8*uint64(len(b)) + 1<<20; n > limit {
			t.Fatalf("TableFromBytes allocated %d bytes for a %d-byte input (limit %d)", n, len(b), limit)
		}
		if err != nil {
			for _, s := range []error{ErrTruncated, ErrSignature, ErrNotFound, ErrBadAcpidump} {
				if errors.Is(err, s) {
					return
				}
			}
			t.Fatalf("error %v wraps none of the sentinels", err)
		}
		if len(out) == 0 || len(out) > len(b) {
			t.Fatalf("%d table bytes from a %d-byte input", len(out), len(b))
		}
	})
}
