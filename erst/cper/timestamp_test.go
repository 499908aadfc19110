package cper

import (
	"errors"
	"testing"
	"time"
)

func bcdTS(sec, min, hour, flags, day, month, year, century byte) Timestamp {
	return Timestamp(uint64(sec) | uint64(min)<<8 | uint64(hour)<<16 | uint64(flags)<<24 |
		uint64(day)<<32 | uint64(month)<<40 | uint64(year)<<48 | uint64(century)<<56)
}

func TestTimestampBCD(t *testing.T) {
	ts := bcdTS(0x56, 0x34, 0x12, 0x01, 0x15, 0x06, 0x24, 0x20)
	got, err := ts.BCD(nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2024, 6, 15, 12, 34, 56, 0, time.UTC); !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("BCD = %v, want %v", got, want)
	}
	if !ts.Precise() || bcdTS(0x56, 0x34, 0x12, 0xFE, 0x15, 0x06, 0x24, 0x20).Precise() {
		t.Error("Precise reads the wrong bit")
	}
	// The caller picks the zone of the wall-clock fields.
	loc := time.FixedZone("UTC+2", 2*3600)
	if got, _ := ts.BCD(loc); got.Hour() != 12 || got.Location() != loc || got.Unix() != pstoreTime-2*3600 {
		t.Errorf("BCD(UTC+2) = %v", got)
	}
	if b := ts.Bytes(); b != [8]byte{0x56, 0x34, 0x12, 0x01, 0x15, 0x06, 0x24, 0x20} {
		t.Errorf("Bytes = % x", b)
	}

	bad := []struct {
		name string
		ts   Timestamp
		off  int
	}{
		{"all zero", 0, 24 + 5}, // month 00
		{"second not BCD", bcdTS(0x5a, 0x34, 0x12, 0, 0x15, 0x06, 0x24, 0x20), 24},
		{"second 60", bcdTS(0x60, 0x34, 0x12, 0, 0x15, 0x06, 0x24, 0x20), 24},
		{"minute not BCD", bcdTS(0x56, 0xf4, 0x12, 0, 0x15, 0x06, 0x24, 0x20), 25},
		{"hour 24", bcdTS(0x56, 0x34, 0x24, 0, 0x15, 0x06, 0x24, 0x20), 26},
		{"day 0", bcdTS(0x56, 0x34, 0x12, 0, 0x00, 0x06, 0x24, 0x20), 28},
		{"day 32", bcdTS(0x56, 0x34, 0x12, 0, 0x32, 0x06, 0x24, 0x20), 28},
		{"30 February", bcdTS(0x56, 0x34, 0x12, 0, 0x30, 0x02, 0x24, 0x20), 28},
		{"29 February 2023", bcdTS(0x56, 0x34, 0x12, 0, 0x29, 0x02, 0x23, 0x20), 28},
		{"month 13", bcdTS(0x56, 0x34, 0x12, 0, 0x15, 0x13, 0x24, 0x20), 29},
		{"year not BCD", bcdTS(0x56, 0x34, 0x12, 0, 0x15, 0x06, 0xaa, 0x20), 30},
		{"century not BCD", bcdTS(0x56, 0x34, 0x12, 0, 0x15, 0x06, 0x24, 0xff), 31},
		{"pstore Unix seconds", Timestamp(pstoreTime), 24 + 5}, // bytes 70 8a 6d 66 00 00 00 00: month 00
	}
	for _, tc := range bad {
		_, err := tc.ts.BCD(time.UTC)
		var fe *FormatError
		if !errors.Is(err, ErrBadTimestamp) || !errors.As(err, &fe) {
			t.Errorf("%s: BCD error = %v", tc.name, err)
			continue
		}
		if fe.Off != tc.off {
			t.Errorf("%s: offset %d, want %d (%v)", tc.name, fe.Off, tc.off, err)
		}
	}
	if _, err := bcdTS(0x56, 0x34, 0x12, 0, 0x29, 0x02, 0x24, 0x20).BCD(nil); err != nil {
		t.Errorf("29 February 2024: %v", err)
	}
}

func TestTimestampUnix(t *testing.T) {
	got, err := Timestamp(pstoreTime).Unix()
	if err != nil || got.Format(time.RFC3339) != "2024-06-15T12:34:56Z" {
		t.Errorf("Unix = %v, %v", got, err)
	}
	// A BCD timestamp read as Unix seconds is implausible, and reported.
	if _, err := bcdTS(0x56, 0x34, 0x12, 0x01, 0x15, 0x06, 0x24, 0x20).Unix(); !errors.Is(err, ErrBadTimestamp) {
		t.Errorf("Unix(BCD) = %v", err)
	}
	if _, err := Timestamp(^uint64(0)).Unix(); !errors.Is(err, ErrBadTimestamp) {
		t.Errorf("Unix(~0) = %v", err)
	}
}

func TestNewTimestamps(t *testing.T) {
	tm := time.Date(2024, 6, 15, 12, 34, 56, 999, time.UTC)
	ts, err := NewBCDTimestamp(tm, true)
	if err != nil || ts != bcdTS(0x56, 0x34, 0x12, 0x01, 0x15, 0x06, 0x24, 0x20) {
		t.Errorf("NewBCDTimestamp = %#x, %v", uint64(ts), err)
	}
	if ts, _ := NewBCDTimestamp(tm, false); ts.Precise() {
		t.Error("precise bit set")
	}
	// Round trip across the representable range.
	for _, tm := range []time.Time{
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
	} {
		ts, err := NewBCDTimestamp(tm, false)
		if err != nil {
			t.Fatal(err)
		}
		if back, err := ts.BCD(time.UTC); err != nil || !back.Equal(tm) {
			t.Errorf("%v -> %#x -> %v, %v", tm, uint64(ts), back, err)
		}
	}
	for _, y := range []int{-1, 10000} {
		if _, err := NewBCDTimestamp(time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), false); !errors.Is(err, ErrRange) {
			t.Errorf("year %d: %v", y, err)
		}
	}

	ts, err = NewUnixTimestamp(tm)
	if err != nil || ts != pstoreTime {
		t.Errorf("NewUnixTimestamp = %d, %v", uint64(ts), err)
	}
	if _, err := NewUnixTimestamp(time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC)); !errors.Is(err, ErrRange) {
		t.Errorf("before 1970: %v", err)
	}
}

func TestHeaderTime(t *testing.T) {
	h := Header{Creator: CreatorLinuxPstore, ValidationBits: ValidTimestamp, Timestamp: pstoreTime}
	if got, err := h.Time(); err != nil || got.Unix() != pstoreTime {
		t.Errorf("pstore Time = %v, %v", got, err)
	}
	h.Creator = CreatorWHEA // same bytes, now read as BCD: invalid, reported
	if _, err := h.Time(); !errors.Is(err, ErrBadTimestamp) {
		t.Errorf("WHEA Time of Unix seconds = %v", err)
	}
	h.Timestamp = bcdTS(0x56, 0x34, 0x12, 0x01, 0x15, 0x06, 0x24, 0x20)
	if got, err := h.Time(); err != nil || got.Unix() != pstoreTime {
		t.Errorf("WHEA Time = %v, %v", got, err)
	}
	h.ValidationBits = ValidPlatformID
	if _, err := h.Time(); !errors.Is(err, ErrNoTimestamp) {
		t.Errorf("Time without the valid bit = %v", err)
	}
}

func TestPersistenceInfo(t *testing.T) {
	f := PersistenceFields{Signature: PersistenceSignature, Length: 0xABCDEF, Identifier: 0x1234, Attributes: 3, DoNotLog: true, Reserved: 0x1f}
	p, err := f.Encode()
	if err != nil {
		t.Fatal(err)
	}
	// Bit positions, lowest first: 16 sig, 24 length, 16 id, 2 attrs, 1 dnl, 5 reserved.
	if want := PersistenceInfo(0x5245 | 0xABCDEF<<16 | 0x1234<<40 | 3<<56 | 1<<58 | 0x1f<<59); p != want {
		t.Errorf("Encode = %#x, want %#x", uint64(p), uint64(want))
	}
	// All fields at their maximum fill all 64 bits: no gaps, no overlaps.
	if all, err := (PersistenceFields{0xFFFF, 0xFFFFFF, 0xFFFF, 3, true, 31}).Encode(); err != nil || all != ^PersistenceInfo(0) {
		t.Errorf("all-ones Encode = %#x, %v", uint64(all), err)
	}
	if got := p.Fields(); got != f {
		t.Errorf("Fields = %+v, want %+v", got, f)
	}
	if s := p.String(); s != "ER len=0xabcdef id=0x1234 attr=3 DoNotLog reserved=0x1f" {
		t.Errorf("String = %q", s)
	}
	if s := PersistenceInfo(0).String(); s != "0" {
		t.Errorf("zero String = %q", s)
	}
	if s := PersistenceInfo(0x0000_0100_0000_4142).String(); s != "sig=0x4142 len=0x0 id=0x1 attr=0" {
		t.Errorf("foreign String = %q", s)
	}
	for _, bad := range []PersistenceFields{{Length: 1 << 24}, {Attributes: 4}, {Reserved: 32}} {
		if _, err := bad.Encode(); !errors.Is(err, ErrRange) {
			t.Errorf("Encode(%+v) = %v", bad, err)
		}
	}
	// The signature is the bytes 'E','R' at offset 108, as Linux stamps it.
	h := Header{Persistence: PersistenceSignature}
	if b := h.AppendEncode(nil); b[108] != 'E' || b[109] != 'R' {
		t.Errorf("bytes at 108 = %q", b[108:110])
	}
}
