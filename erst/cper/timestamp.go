package cper

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/goerst/erst/internal/enum"
)

// Timestamp is the 8-byte header Timestamp field (§N.2.1; edk2
// EFI_ERROR_TIME_STAMP; Windows WHEA_TIMESTAMP), held as the little-endian
// u64 it occupies at offset 24.
//
// UEFI defines it as eight BCD bytes: byte 0 seconds, 1 minutes, 2 hours,
// 3 flags (bit 0: precise, the time is that of the error event rather than
// of its collection), 4 day, 5 month, 6 year, 7 century. Linux's pstore
// backend instead stores raw Unix seconds as a u64 (quirk 13 in the team
// reference), so a Timestamp has two readings: BCD and Unix. Neither
// method panics on bad input; each reports [ErrBadTimestamp] instead.
// [Header.TimeEncoding] picks the one the creator used.
type Timestamp uint64

// timestampPrecise is bit 0 of byte 3 (EFI_ERROR_TIME_STAMP_PRECISE).
const timestampPrecise = 1 << 24

// maxUnixSeconds is 9999-12-31T23:59:59Z, the last second the BCD form can
// carry. A larger "Unix" value is not a plausible time.
const maxUnixSeconds = 253402300799

// TimeEncoding says how a record's Timestamp field is to be read.
type TimeEncoding uint8

// Timestamp encodings.
const (
	TimeBCD         TimeEncoding = iota // UEFI §N.2.1 BCD fields
	TimeUnixSeconds                     // Linux pstore: raw Unix seconds
)

var timeEncodingNames = []string{TimeBCD: "BCD", TimeUnixSeconds: "Unix"}

// String returns "BCD" or "Unix".
func (e TimeEncoding) String() string {
	return enum.Name(timeEncodingNames, e, "TimeEncoding")
}

// Bytes returns the eight bytes as they sit in the record.
func (t Timestamp) Bytes() [8]byte {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(t))
	return b
}

// Precise reports the BCD form's precise bit (byte 3, bit 0). It means
// nothing for a Unix-seconds timestamp.
func (t Timestamp) Precise() bool { return t&timestampPrecise != 0 }

// bcdFields lists the BCD bytes in the order they are checked, with their
// ranges. Day is checked against the month afterwards.
var bcdFields = [...]struct {
	idx      int
	name     string
	min, max int
}{
	{7, "century", 0, 99},
	{6, "year", 0, 99},
	{5, "month", 1, 12},
	{4, "day", 1, 31},
	{2, "hour", 0, 23},
	{1, "minute", 0, 59},
	{0, "second", 0, 59},
}

// BCD reads t as UEFI BCD fields and returns the wall-clock time they
// name in loc (nil means UTC). UEFI says the fields hold local time but
// records do not say which zone, so the caller chooses. Any non-BCD digit
// or out-of-range field (including a day the month lacks, and the all-zero
// timestamp) gives a *[FormatError] wrapping [ErrBadTimestamp] whose offset is
// the offending byte's offset in the record header.
func (t Timestamp) BCD(loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	b := t.Bytes()
	var v [8]int
	for _, f := range bcdFields {
		c := b[f.idx]
		hi, lo := int(c>>4), int(c&0xf)
		if hi > 9 || lo > 9 {
			return time.Time{}, formatErr(ErrBadTimestamp, OffTimestamp+f.idx, "%s byte %#02x is not BCD", f.name, c)
		}
		x := hi*10 + lo
		if x < f.min || x > f.max {
			return time.Time{}, formatErr(ErrBadTimestamp, OffTimestamp+f.idx, "%s %d out of range %d..%d", f.name, x, f.min, f.max)
		}
		v[f.idx] = x
	}
	year := v[7]*100 + v[6]
	tm := time.Date(year, time.Month(v[5]), v[4], v[2], v[1], v[0], 0, loc)
	if tm.Day() != v[4] {
		return time.Time{}, formatErr(ErrBadTimestamp, OffTimestamp+4, "day %d does not exist in %04d-%02d", v[4], year, v[5])
	}
	return tm, nil
}

// Unix reads t as Linux pstore does: whole seconds since the Unix epoch.
// Values past the year 9999 give [ErrBadTimestamp]; they are almost
// certainly a BCD timestamp read the wrong way.
func (t Timestamp) Unix() (time.Time, error) {
	if uint64(t) > maxUnixSeconds {
		return time.Time{}, formatErr(ErrBadTimestamp, OffTimestamp, "%d seconds is past the year 9999", uint64(t))
	}
	return time.Unix(int64(t), 0).UTC(), nil
}

// NewBCDTimestamp encodes the wall-clock fields of tm, in tm's own
// location, as a UEFI BCD timestamp, with the precise bit if asked. Years
// outside 0..9999 give [ErrRange]. Sub-second precision is dropped.
func NewBCDTimestamp(tm time.Time, precise bool) (Timestamp, error) {
	year := tm.Year()
	if year < 0 || year > 9999 {
		return 0, fmt.Errorf("%w: year %d cannot be written in BCD", ErrRange, year)
	}
	bcd := func(x int) byte { return byte(x/10<<4 | x%10) }
	var b [8]byte
	b[0] = bcd(tm.Second())
	b[1] = bcd(tm.Minute())
	b[2] = bcd(tm.Hour())
	if precise {
		b[3] = 1
	}
	b[4] = bcd(tm.Day())
	b[5] = bcd(int(tm.Month()))
	b[6] = bcd(year % 100)
	b[7] = bcd(year / 100)
	return Timestamp(binary.LittleEndian.Uint64(b[:])), nil
}

// NewUnixTimestamp encodes tm the way Linux pstore does: Unix seconds as a
// u64. Times before 1970 or after 9999 give [ErrRange].
func NewUnixTimestamp(tm time.Time) (Timestamp, error) {
	s := tm.Unix()
	if s < 0 || s > maxUnixSeconds {
		return 0, fmt.Errorf("%w: %v cannot be written as pstore Unix seconds", ErrRange, tm)
	}
	return Timestamp(s), nil
}
