package cper

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"runtime"
	"testing"
)

func TestParseWindowsFixture(t *testing.T) {
	b := windowsFixture()
	if len(b) != windowsRecordLen {
		t.Fatalf("fixture is %d bytes, want %d", len(b), windowsRecordLen)
	}
	r, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	h := r.Header
	if h.SignatureStart != SignatureStart || h.SignatureEnd != SignatureEnd {
		t.Errorf("signatures %q %#x", h.SignatureStart, h.SignatureEnd)
	}
	if h.Revision != RevisionWHEA || h.Revision.String() != "2.10" {
		t.Errorf("Revision = %#x %q", uint16(h.Revision), h.Revision)
	}
	if h.SectionCount != 2 || h.Severity != SeverityCorrected || h.RecordLength != windowsRecordLen {
		t.Errorf("count %d severity %v length %d", h.SectionCount, h.Severity, h.RecordLength)
	}
	if h.ValidationBits != ValidPlatformID|ValidTimestamp|ValidPartitionID {
		t.Errorf("ValidationBits = %v", h.ValidationBits)
	}
	if h.Creator != CreatorWHEA || h.Notification != NotifyCMC {
		t.Errorf("creator %v notification %v", h.Creator, h.Notification)
	}
	if h.PlatformID[0] != 0x10 || h.PlatformID[15] != 0x1f || h.PartitionID[0] != 0x20 {
		t.Errorf("PlatformID %v PartitionID %v", h.PlatformID, h.PartitionID)
	}
	if h.RecordID != 0x01d9c0ffee000001 {
		t.Errorf("RecordID = %#x", h.RecordID)
	}
	if h.Flags != FlagRecovered|FlagDeviceDriver {
		t.Errorf("Flags = %v", h.Flags)
	}
	wantP := PersistenceFields{Signature: PersistenceSignature, Length: windowsRecordLen, Identifier: 7, DoNotLog: true}
	if got := h.Persistence.Fields(); got != wantP {
		t.Errorf("Persistence = %+v, want %+v", got, wantP)
	}
	if h.Reserved[0] != 0x4a || h.Reserved[1] != 0x61 {
		t.Errorf("Reserved = % x", h.Reserved)
	}
	if h.TimeEncoding() != TimeBCD || !h.Timestamp.Precise() {
		t.Errorf("encoding %v precise %v", h.TimeEncoding(), h.Timestamp.Precise())
	}
	tm, err := h.Time()
	if err != nil || tm.Format("2006-01-02T15:04:05Z07:00") != "2024-06-15T12:34:56Z" {
		t.Errorf("Time = %v, %v", tm, err)
	}

	if len(r.Sections) != 2 {
		t.Fatalf("%d sections", len(r.Sections))
	}
	d0 := r.Sections[0].Descriptor
	if d0.Offset != 272 || d0.Length != 16 || d0.Revision != SectionRevisionWHEA || d0.ValidationBits != ValidFRUID|ValidFRUText ||
		d0.Reserved != 0x5a || d0.Flags != SectionPrimary || d0.Type != SectionTypePCIe || d0.FRUID[0] != 0x30 ||
		d0.Severity != SeverityCorrected || d0.FRU() != "PCIe slot 3" {
		t.Errorf("descriptor 0 = %+v", d0)
	}
	d1 := r.Sections[1].Descriptor
	if d1.Offset != 296 || d1.Length != 24 || d1.Flags != SectionLatentError || d1.Type != SectionTypePlatformMemory ||
		d1.Severity != SeverityRecoverable || d1.ValidationBits != 0 || d1.FRU() != "" {
		t.Errorf("descriptor 1 = %+v", d1)
	}
	if !bytes.Equal(r.Sections[0].Body, b[272:288]) || !bytes.Equal(r.Sections[1].Body, b[296:320]) {
		t.Errorf("bodies % x / % x", r.Sections[0].Body, r.Sections[1].Body)
	}

	// Parse copies: changing the input afterwards does not change r.
	b[272] = 0
	if r.Sections[0].Body[0] != 0xa0 {
		t.Error("Record aliases the input buffer")
	}
}

func TestParsePstoreFixture(t *testing.T) {
	r, err := Parse(pstoreFixture())
	if err != nil {
		t.Fatal(err)
	}
	if r.Revision != RevisionLinux || r.Creator != CreatorLinuxPstore || r.Notification != NotifyMCE ||
		r.Severity != SeverityFatal || r.Flags != FlagPrevErr || r.ValidationBits != ValidTimestamp {
		t.Errorf("header = %+v", r.Header)
	}
	if !r.Persistence.HasSignature() || r.Persistence != PersistenceSignature {
		t.Errorf("Persistence = %#x", uint64(r.Persistence))
	}
	if r.TimeEncoding() != TimeUnixSeconds {
		t.Errorf("TimeEncoding = %v", r.TimeEncoding())
	}
	tm, err := r.Time()
	if err != nil || tm.Unix() != pstoreTime {
		t.Errorf("Time = %v, %v", tm, err)
	}
	if len(r.Sections) != 1 || r.Sections[0].Descriptor.Type != SectionTypeDmesg || string(r.Sections[0].Body) != string(pstorePayload) {
		t.Errorf("sections = %+v", r.Sections)
	}
}

func TestRoundTrip(t *testing.T) {
	overlap := windowsFixture()
	// Point section 1 at body 0's bytes too: sections may overlap.
	binary.LittleEndian.PutUint32(overlap[200:], 272)
	binary.LittleEndian.PutUint32(overlap[204:], 48)

	noSections := pstoreFixture()[:HeaderSize]
	binary.LittleEndian.PutUint16(noSections[OffSectionCount:], 0)
	binary.LittleEndian.PutUint32(noSections[OffRecordLength:], HeaderSize)

	// Descriptor space reserved for a later section (edk2 allows it).
	spare := windowsFixture()
	binary.LittleEndian.PutUint16(spare[OffSectionCount:], 1)

	for name, b := range map[string][]byte{
		"windows":          windowsFixture(),
		"pstore":           pstoreFixture(),
		"overlap":          overlap,
		"no sections":      noSections,
		"spare descriptor": spare,
	} {
		t.Run(name, func(t *testing.T) {
			r, err := Parse(b)
			if err != nil {
				t.Fatal(err)
			}
			out, err := r.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out, b) {
				t.Errorf("Marshal(Parse(b)) differs:\n got % x\nwant % x", out, b)
			}
		})
	}
}

func TestWireRoundTrip(t *testing.T) {
	// Any 128 (72) bytes decode and re-encode unchanged, signatures or not.
	raw := fill(nil, 200, 0x37)
	h, err := DecodeHeader(raw)
	if err != nil {
		t.Fatal(err)
	}
	if got := h.AppendEncode([]byte{9}); !bytes.Equal(got[1:], raw[:HeaderSize]) || got[0] != 9 {
		t.Errorf("header round trip:\n got % x\nwant % x", got[1:], raw[:HeaderSize])
	}
	d, err := DecodeSectionDescriptor(raw)
	if err != nil {
		t.Fatal(err)
	}
	if got := d.AppendEncode(nil); !bytes.Equal(got, raw[:DescriptorSize]) {
		t.Errorf("descriptor round trip:\n got % x\nwant % x", got, raw[:DescriptorSize])
	}
	if _, err := DecodeHeader(raw[:127]); !errors.Is(err, ErrTruncated) {
		t.Errorf("DecodeHeader(127 bytes) = %v", err)
	}
	if _, err := DecodeSectionDescriptor(raw[:71]); !errors.Is(err, ErrTruncated) {
		t.Errorf("DecodeSectionDescriptor(71 bytes) = %v", err)
	}
}

func put16(b []byte, off int, v uint16) []byte { binary.LittleEndian.PutUint16(b[off:], v); return b }
func put32(b []byte, off int, v uint32) []byte { binary.LittleEndian.PutUint32(b[off:], v); return b }

func TestValidateErrors(t *testing.T) {
	w := windowsFixture
	tests := []struct {
		name    string
		b       []byte
		want    error
		alsoIs  error // a family sentinel the error must also match, or nil
		notIs   error // a sibling it must not match, or nil
		wantOff int
	}{
		{"empty", nil, ErrTruncated, nil, nil, 0},
		{"short header", w()[:100], ErrTruncated, nil, nil, 100},
		{"signature start", append([]byte("CPEX"), w()[4:]...), ErrSignatureStart, nil, nil, 0},
		{"signature end", put32(w(), 6, 0xFFFFFFFE), ErrSignatureEnd, nil, nil, 6},
		{"length below header", put32(w(), 20, 127), ErrRecordTooShort, nil, ErrSectionCount, 20},
		{"length above buffer", put32(w(), 20, windowsRecordLen+1), ErrRecordTruncated, ErrLengthMismatch, ErrTrailingBytes, 20},
		{"buffer cut short", w()[:windowsRecordLen-1], ErrRecordTruncated, ErrLengthMismatch, ErrTrailingBytes, 20},
		{"trailing bytes", append(w(), 0xFF, 0xFF), ErrTrailingBytes, ErrLengthMismatch, ErrRecordTruncated, 20},
		{"descriptors past length", put16(w(), 10, 4), ErrSectionCount, ErrRecordTooShort, nil, 10},
		{"huge section count", put16(w(), 10, 0xFFFF), ErrSectionCount, ErrRecordTooShort, nil, 10},
		{"section past end", put32(w(), 132, 49), ErrSectionBounds, nil, ErrSectionOverflow, 128},
		{"second section past end", put32(w(), 204, 25), ErrSectionBounds, nil, nil, 200},
		{"offset+length overflows", put32(put32(w(), 128, 0xFFFFFFF0), 132, 0x20), ErrSectionOverflow, ErrSectionBounds, nil, 128},
		{"section inside header", put32(w(), 200, 100), ErrSectionOverlap, nil, nil, 200},
		{"section inside descriptors", put32(w(), 128, 271), ErrSectionOverlap, nil, nil, 128},
		// A third descriptor would end at 344 > 320: caught as a count error
		// before any section is looked at.
		{"count grows over bodies", put16(w(), 10, 3), ErrSectionCount, nil, nil, 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate(tc.b)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Validate = %v, want %v", err, tc.want)
			}
			if tc.alsoIs != nil && !errors.Is(err, tc.alsoIs) {
				t.Errorf("error %v is not also %v", err, tc.alsoIs)
			}
			if tc.notIs != nil && errors.Is(err, tc.notIs) {
				t.Errorf("error %v is also %v", err, tc.notIs)
			}
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error %T is not a *FormatError", err)
			}
			if fe.Off != tc.wantOff {
				t.Errorf("offset = %d, want %d (%v)", fe.Off, tc.wantOff, err)
			}
			if _, perr := Parse(tc.b); !errors.Is(perr, tc.want) {
				t.Errorf("Parse = %v, want %v", perr, tc.want)
			}
		})
	}
	// Revision is never a reason to reject.
	for _, rev := range []uint16{0x0100, 0x0101, 0x0210, 0, 0xFFFF} {
		if err := Validate(put16(w(), 4, rev)); err != nil {
			t.Errorf("revision %#x rejected: %v", rev, err)
		}
	}
}

func TestMarshalErrors(t *testing.T) {
	parse := func() *Record {
		r, err := Parse(windowsFixture())
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	tests := []struct {
		name   string
		modify func(*Record)
		want   error
	}{
		{"count differs from sections", func(r *Record) { r.Sections = r.Sections[:1] }, ErrSectionCount},
		{"body longer than descriptor", func(r *Record) { r.Sections[0].Body = append(r.Sections[0].Body, 1) }, ErrBodyLength},
		{"section past length", func(r *Record) { r.RecordLength = 300 }, ErrSectionBounds},
		{"length below descriptors", func(r *Record) { r.RecordLength = 200 }, ErrSectionCount},
		{"section over descriptors", func(r *Record) { r.Sections[1].Descriptor.Offset = 190 }, ErrSectionOverlap},
		{"bad signature", func(r *Record) { r.SignatureStart = [4]byte{} }, ErrSignatureStart},
		{"bad end signature", func(r *Record) { r.SignatureEnd = 0 }, ErrSignatureEnd},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := parse()
			tc.modify(r)
			if _, err := r.Marshal(); !errors.Is(err, tc.want) {
				t.Errorf("Marshal = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestMarshalKeepsGapsOnlyWhileLengthUnchanged(t *testing.T) {
	r, err := Parse(windowsFixture())
	if err != nil {
		t.Fatal(err)
	}
	// Edit a body in place: the gap survives.
	r.Sections[1].Body[0] = 0x42
	out, err := r.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if out[296] != 0x42 || !bytes.Equal(out[288:296], bytes.Repeat([]byte{0xee}, 8)) {
		t.Errorf("edit or gap lost: % x", out[280:300])
	}
	// Grow a body and re-lay out: packed, no gap, lengths recomputed.
	r.Sections[0].Body = append(r.Sections[0].Body, 0xaa, 0xbb)
	if err := r.Layout(); err != nil {
		t.Fatal(err)
	}
	out, err = r.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if want := 128 + 2*72 + 18 + 24; len(out) != want || r.RecordLength != uint32(want) {
		t.Fatalf("length %d / RecordLength %d, want %d", len(out), r.RecordLength, want)
	}
	back, err := Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	if d := back.Sections[1].Descriptor; d.Offset != 290 || d.Length != 24 {
		t.Errorf("section 1 at %d+%d, want 290+24", d.Offset, d.Length)
	}
	if !bytes.Equal(back.Sections[0].Body[16:], []byte{0xaa, 0xbb}) || back.Sections[1].Body[0] != 0x42 {
		t.Errorf("bodies after Layout: % x / % x", back.Sections[0].Body, back.Sections[1].Body)
	}
}

func TestBodyCapacityIsCapped(t *testing.T) {
	r, err := Parse(windowsFixture())
	if err != nil {
		t.Fatal(err)
	}
	// Appending to body 0 must not overwrite the gap or body 1.
	_ = append(r.Sections[0].Body, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
	out, err := r.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, windowsFixture()) {
		t.Error("append to a body changed its neighbours")
	}
}

func TestTrim(t *testing.T) {
	rec := pstoreFixture()
	slot := append(append([]byte(nil), rec...), bytes.Repeat([]byte{0xFF}, 8192-len(rec))...) // QEMU pads slots with 0xFF
	if err := Validate(slot); !errors.Is(err, ErrTrailingBytes) {
		t.Errorf("Validate(padded) = %v, want ErrTrailingBytes", err)
	}
	got, err := Trim(slot)
	if err != nil || !bytes.Equal(got, rec) {
		t.Fatalf("Trim = % x, %v", got, err)
	}
	if _, err := Trim(rec[:150]); !errors.Is(err, ErrRecordTruncated) {
		t.Errorf("Trim(short) = %v, want ErrRecordTruncated", err)
	}
	if _, err := Trim(append([]byte("XPER"), rec[4:]...)); !errors.Is(err, ErrSignatureStart) {
		t.Errorf("Trim(bad signature) = %v", err)
	}
	if _, err := Trim(rec[:10]); !errors.Is(err, ErrTruncated) {
		t.Errorf("Trim(10 bytes) = %v", err)
	}
}

// heapBytes returns the bytes f allocates on the heap.
func heapBytes(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func TestParseAllocationBounded(t *testing.T) {
	// A header that claims 65535 sections and a 4 GiB record must be
	// rejected without allocating for either.
	liar := pstoreFixture()[:HeaderSize]
	put16(liar, OffSectionCount, 0xFFFF)
	put32(liar, OffRecordLength, 0xFFFFFFFF)
	// 64 KiB of slack covers the error value and the race detector's own
	// bookkeeping; sizing by the claims would be megabytes.
	if n := heapBytes(func() { _, _ = Parse(liar) }); n > 64<<10 {
		t.Errorf("rejecting a lying header allocated %d bytes", n)
	}

	// The most sections a buffer can hold: 1000 empty sections.
	const n = 1000
	b := pstoreFixture()[:HeaderSize]
	put16(b, OffSectionCount, n)
	put32(b, OffRecordLength, HeaderSize+n*DescriptorSize)
	for range n {
		b = le32(b, HeaderSize+n*DescriptorSize) // offset: the end of the record
		b = zeros(b, DescriptorSize-4)           // length 0, rest zero
	}
	var r *Record
	alloc := heapBytes(func() {
		var err error
		if r, err = Parse(b); err != nil {
			t.Error(err)
		}
	})
	if limit := uint64(3 * len(b)); alloc > limit {
		t.Errorf("Parse of %d bytes allocated %d, limit %d", len(b), alloc, limit)
	}
	if r != nil && len(r.Sections) != n {
		t.Errorf("%d sections", len(r.Sections))
	}
}

func TestSummary(t *testing.T) {
	r, err := Parse(pstoreFixture())
	if err != nil {
		t.Fatal(err)
	}
	want := "id=0x666d8a7000000001 sev=Fatal notify=MCE creator=LinuxPstore sections=DMESG len=209 time=2024-06-15T12:34:56Z"
	if got := Summary(r); got != want {
		t.Errorf("Summary =\n %s\nwant\n %s", got, want)
	}
	r, err = Parse(windowsFixture())
	if err != nil {
		t.Fatal(err)
	}
	want = "id=0x01d9c0ffee000001 sev=Corrected notify=CMC creator=WHEA sections=PCIe,PlatformMemory len=320 time=2024-06-15T12:34:56Z"
	if got := Summary(r); got != want {
		t.Errorf("Summary =\n %s\nwant\n %s", got, want)
	}
	// Unknown GUIDs print in full; no timestamp, no time.
	r.Creator = CreatorID(mustGUID("01234567-89ab-cdef-0123-456789abcdef"))
	r.ValidationBits = 0
	r.Sections = nil
	want = "id=0x01d9c0ffee000001 sev=Corrected notify=CMC creator=01234567-89ab-cdef-0123-456789abcdef sections=none len=320"
	if got := Summary(r); got != want {
		t.Errorf("Summary =\n %s\nwant\n %s", got, want)
	}
}

func TestJSON(t *testing.T) {
	r, err := Parse(windowsFixture())
	if err != nil {
		t.Fatal(err)
	}
	// Both Record and *Record encode through the view.
	byPtr, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	byVal, err := json.Marshal(*r)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(byPtr, byVal) {
		t.Errorf("pointer and value encode differently:\n%s\n%s", byPtr, byVal)
	}
	var got struct {
		RecordID     string `json:"record_id"`
		Revision     string `json:"revision"`
		Severity     string `json:"severity"`
		Creator      string `json:"creator"`
		CreatorName  string `json:"creator_name"`
		Notification string `json:"notification"`
		NotifyName   string `json:"notification_name"`
		Flags        string `json:"flags"`
		Reserved     string `json:"reserved"`
		Timestamp    struct {
			Raw, Encoding, Time string
			Valid, Precise      bool
		} `json:"timestamp"`
		Persistence struct {
			Raw        string `json:"raw"`
			Signature  string `json:"signature"`
			Length     uint32 `json:"length"`
			Identifier uint16 `json:"identifier"`
			DoNotLog   bool   `json:"do_not_log"`
		} `json:"persistence"`
		Sections []struct {
			Type     string `json:"type"`
			TypeName string `json:"type_name"`
			FRUText  string `json:"fru_text"`
			Flags    string `json:"flags"`
			Body     string `json:"body"`
		} `json:"sections"`
	}
	if err := json.Unmarshal(byPtr, &got); err != nil {
		t.Fatal(err)
	}
	if got.RecordID != "0x01d9c0ffee000001" || got.Revision != "2.10" || got.Severity != "Corrected" ||
		got.Creator != "cf07c4bd-b789-4e18-b3c4-1f732cb57131" || got.CreatorName != "WHEA" ||
		got.Notification != "2dce8bb1-bdd7-450e-b9ad-9cf4ebd4f890" || got.NotifyName != "CMC" ||
		got.Flags != "Recovered|DeviceDriver" || got.Reserved != "4a6100000000000000000000" {
		t.Errorf("header view = %+v", got)
	}
	if got.Timestamp.Raw != "0x2024061501123456" || got.Timestamp.Encoding != "BCD" || !got.Timestamp.Valid ||
		!got.Timestamp.Precise || got.Timestamp.Time != "2024-06-15T12:34:56Z" {
		t.Errorf("timestamp view = %+v", got.Timestamp)
	}
	if got.Persistence.Raw != "0x0400070001405245" || got.Persistence.Signature != "ER" || got.Persistence.Length != 320 ||
		got.Persistence.Identifier != 7 || !got.Persistence.DoNotLog {
		t.Errorf("persistence view = %+v", got.Persistence)
	}
	if len(got.Sections) != 2 || got.Sections[0].TypeName != "PCIe" || got.Sections[0].Type != "d995e954-bbc1-430f-ad91-b44dcb3c6f35" ||
		got.Sections[0].FRUText != "PCIe slot 3" || got.Sections[1].Flags != "LatentError" ||
		got.Sections[0].Body != base64.StdEncoding.EncodeToString(fill(nil, 16, 0xa0)) {
		t.Errorf("sections view = %+v", got.Sections)
	}

	// A pstore record's timestamp is reported as Unix seconds.
	r, err = Parse(pstoreFixture())
	if err != nil {
		t.Fatal(err)
	}
	v := r.JSON()
	if v.Timestamp.Encoding != "Unix" || v.Timestamp.Time != "2024-06-15T12:34:56Z" || v.Timestamp.Precise {
		t.Errorf("pstore timestamp view = %+v", v.Timestamp)
	}
	// A bad timestamp is reported, not fatal.
	r.Creator = CreatorWHEA
	v = r.JSON()
	if v.Timestamp.Time != "" || v.Timestamp.Error == "" {
		t.Errorf("bad BCD timestamp view = %+v", v.Timestamp)
	}
}
