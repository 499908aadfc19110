package cper

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

// fuzzSeeds are the FuzzParse seed corpus: good records of each shape and
// each kind of damage Validate knows.
func fuzzSeeds() [][]byte {
	w := windowsFixture
	overlap := put32(put32(w(), 200, 272), 204, 48)
	empty := put32(put16(w()[:HeaderSize], OffSectionCount, 0), OffRecordLength, HeaderSize)
	return [][]byte{
		pstoreFixture(),
		w(),
		overlap,
		empty,
		put16(w(), OffSectionCount, 1),     // spare descriptor space
		w()[:100],                          // truncated header
		append([]byte("CPEX"), w()[4:]...), // bad signature
		put32(w(), 6, 0),                   // bad end signature
		put32(w(), 20, 0xFFFFFFFF),         // length past buffer
		append(w(), 0xFF),                  // trailing byte
		put16(w(), 10, 0xFFFF),             // huge section count
		put32(put32(w(), 128, 0xFFFFFFF0), 132, 0x20), // offset+length overflow
		put32(w(), 200, 64),                           // section inside the header
	}
}

// FuzzParse checks that Parse never panics, agrees with Validate, reports
// every error as a *FormatError, allocates no more than the input size
// justifies, and that anything it accepts marshals back to the same bytes,
// with the header, descriptors and bodies re-encoded from the decoded
// fields rather than copied.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var r *Record
		var err error
		alloc := heapBytes(func() { r, err = Parse(b) })
		// One copy of the input, at most len(b)/72 Section values (96 bytes
		// each), the Record, and slack for the runtime.
		if limit := uint64(3*len(b)) + 64<<10; alloc > limit {
			t.Fatalf("Parse of %d bytes allocated %d (limit %d)", len(b), alloc, limit)
		}
		if verr := Validate(b); (err == nil) != (verr == nil) {
			t.Fatalf("Parse error %v, Validate error %v", err, verr)
		}
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) || fe.Err == nil {
				t.Fatalf("error %v (%T) is not a *FormatError with a sentinel", err, err)
			}
			return
		}

		out, err := r.Marshal()
		if err != nil {
			t.Fatalf("Marshal of an accepted record: %v", err)
		}
		if !bytes.Equal(out, b) {
			t.Fatalf("round trip differs:\n got % x\nwant % x", out, b)
		}

		// Without the remembered input, every covered byte must still come
		// out the same: the encoders, not the copy, reproduce them.
		r.orig = nil
		bare, err := r.Marshal()
		if err != nil {
			t.Fatalf("Marshal without background: %v", err)
		}
		end := HeaderSize + len(r.Sections)*DescriptorSize
		if !bytes.Equal(bare[:end], b[:end]) {
			t.Fatalf("header/descriptors re-encode differently:\n got % x\nwant % x", bare[:end], b[:end])
		}
		for i, s := range r.Sections {
			lo, hi := s.Descriptor.Offset, s.Descriptor.Offset+s.Descriptor.Length
			if !bytes.Equal(bare[lo:hi], b[lo:hi]) {
				t.Fatalf("section %d body re-encodes differently", i)
			}
		}

		if got, err := Trim(b); err != nil || len(got) != len(b) {
			t.Fatalf("Trim of a valid record: %d bytes, %v", len(got), err)
		}
		_ = Summary(r)
		if _, err := json.Marshal(r); err != nil {
			t.Fatalf("json: %v", err)
		}
	})
}

// FuzzDecodeHeader checks the wire layer alone: any 128 bytes decode and
// re-encode unchanged.
func FuzzDecodeHeader(f *testing.F) {
	f.Add(pstoreFixture())
	f.Add(windowsFixture()[:HeaderSize])
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := DecodeHeader(b)
		if err != nil {
			if len(b) >= HeaderSize || !errors.Is(err, ErrTruncated) {
				t.Fatalf("DecodeHeader(%d bytes) = %v", len(b), err)
			}
			return
		}
		if got := h.AppendEncode(nil); !bytes.Equal(got, b[:HeaderSize]) {
			t.Fatalf("header round trip:\n got % x\nwant % x", got, b[:HeaderSize])
		}
		_, _ = h.Time()
	})
}

// FuzzDecodeSectionDescriptor: any 72 bytes decode and re-encode unchanged.
func FuzzDecodeSectionDescriptor(f *testing.F) {
	f.Add(windowsFixture()[HeaderSize:])
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := DecodeSectionDescriptor(b)
		if err != nil {
			if len(b) >= DescriptorSize || !errors.Is(err, ErrTruncated) {
				t.Fatalf("DecodeSectionDescriptor(%d bytes) = %v", len(b), err)
			}
			return
		}
		if got := d.AppendEncode(nil); !bytes.Equal(got, b[:DescriptorSize]) {
			t.Fatalf("descriptor round trip:\n got % x\nwant % x", got, b[:DescriptorSize])
		}
		_ = d.FRU()
	})
}

// FuzzTimestamp: neither reading of any 8 bytes panics, and every valid
// BCD reading re-encodes to the same bytes (reserved flag bits aside).
func FuzzTimestamp(f *testing.F) {
	f.Add(uint64(bcdTS(0x56, 0x34, 0x12, 0x01, 0x15, 0x06, 0x24, 0x20)))
	f.Add(uint64(pstoreTime))
	f.Fuzz(func(t *testing.T, v uint64) {
		ts := Timestamp(v)
		_, _ = ts.Unix()
		tm, err := ts.BCD(nil)
		if err != nil {
			if !errors.Is(err, ErrBadTimestamp) {
				t.Fatalf("BCD error %v", err)
			}
			return
		}
		back, err := NewBCDTimestamp(tm, ts.Precise())
		if err != nil {
			t.Fatal(err)
		}
		const flagsMask = 0xFF << 24
		if back&^flagsMask != ts&^flagsMask || back.Precise() != ts.Precise() {
			t.Fatalf("%#x -> %v -> %#x", v, tm, uint64(back))
		}
	})
}
