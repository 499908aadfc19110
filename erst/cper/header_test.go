package cper

import (
	"encoding/binary"
	"errors"
	"testing"
)

// header returns a size-byte buffer holding a header CheckRecord accepts
// when size is at least HeaderSize: "CPER", RecordLength size, RecordID id.
func header(size int, id uint64) []byte {
	b := make([]byte, max(size, HeaderSize))
	copy(b, Signature)
	binary.LittleEndian.PutUint32(b[OffSignatureEnd:], SignatureEnd)
	binary.LittleEndian.PutUint32(b[OffRecordLength:], uint32(size))
	binary.LittleEndian.PutUint64(b[OffRecordID:], id)
	return b[:size]
}

func TestRecordIDAndLength(t *testing.T) {
	b := header(300, 0x1234)
	if id, ok := RecordID(b); !ok || id != 0x1234 {
		t.Errorf("RecordID = %#x, %v; want 0x1234, true", id, ok)
	}
	if n, ok := RecordLength(b); !ok || n != 300 {
		t.Errorf("RecordLength = %d, %v; want 300, true", n, ok)
	}
	if _, ok := RecordID(b[:OffRecordID+7]); ok {
		t.Error("RecordID of a buffer that ends inside the field reports ok")
	}
	if _, ok := RecordLength(b[:OffRecordLength+3]); ok {
		t.Error("RecordLength of a buffer that ends inside the field reports ok")
	}
}

// RecordOK accepts exactly what CheckRecord accepts, and CheckRecord
// names the cause with its sentinel.
func TestCheckRecord(t *testing.T) {
	badSig := header(200, 1)
	badSig[3] = 'X'
	long := header(200, 1)
	binary.LittleEndian.PutUint32(long[OffRecordLength:], 300)
	short := header(200, 1)
	binary.LittleEndian.PutUint32(short[OffRecordLength:], 150)
	noEnd := header(200, 1)
	noEnd[OffSignatureEnd] = 0
	for _, tc := range []struct {
		name string
		b    []byte
		want error
	}{
		{"header only", header(HeaderSize, 1), nil},
		{"with a body", header(4096, 1), nil},
		{"id 0 (the driver's business)", header(200, 0), nil},
		{"SignatureEnd (not checked)", noEnd, nil},
		{"empty", nil, ErrTruncated},
		{"short of a header", header(HeaderSize, 1)[:HeaderSize-1], ErrTruncated},
		{"signature", badSig, ErrSignatureStart},
		{"RecordLength past the end", long, ErrRecordTruncated},
		{"RecordLength short of the end", short, ErrTrailingBytes},
	} {
		err := CheckRecord(tc.b)
		if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
			t.Errorf("%s: CheckRecord = %v, want %v", tc.name, err, tc.want)
		}
		if ok := RecordOK(tc.b); ok != (err == nil) {
			t.Errorf("%s: RecordOK = %v, CheckRecord = %v", tc.name, ok, err)
		}
	}
}

func TestCheckHeader(t *testing.T) {
	noEnd := header(200, 1)
	noEnd[OffSignatureEnd] = 0
	tiny := header(HeaderSize, 1)
	binary.LittleEndian.PutUint32(tiny[OffRecordLength:], HeaderSize-1)
	for _, tc := range []struct {
		name string
		b    []byte
		want error
	}{
		{"header of a longer record", header(4096, 1)[:HeaderSize], nil},
		{"short", make([]byte, 10), ErrTruncated},
		{"SignatureEnd", noEnd, ErrSignatureEnd},
		{"RecordLength below a header", tiny, ErrRecordTooShort},
	} {
		if err := CheckHeader(tc.b); !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
			t.Errorf("%s: CheckHeader = %v, want %v", tc.name, err, tc.want)
		}
	}
}
