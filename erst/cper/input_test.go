package cper_test

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/goerst/erst/erst/cper"
)

// inputRecord is a platform memory error record, id 0x77.
func inputRecord(t testing.TB) []byte {
	t.Helper()
	b := cper.Builder{RecordID: 0x77, Severity: cper.SeverityRecoverable, Notification: cper.NotifyCMC,
		Sections: []cper.SectionSpec{{Type: cper.SectionTypePlatformMemory, Body: make([]byte, 80)}}}
	raw, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// ReadRecord takes a record in each of its forms and returns its bytes;
// what is not a record is an error, ErrNotRecord when no form fits.
func TestReadRecord(t *testing.T) {
	rec := inputRecord(t)
	b64 := base64.StdEncoding.EncodeToString(rec)
	for name, in := range map[string][]byte{
		"binary":          rec,
		"base64 wrapped":  []byte(b64[:40] + "\n" + b64[40:] + "\n"),
		"base64 unpadded": []byte(strings.TrimRight(b64, "=")),
		"hex":             []byte(hex.EncodeToString(rec)),
		"0x hex upper":    []byte("0X" + strings.ToUpper(hex.EncodeToString(rec))),
	} {
		r, raw, findings, err := cper.ReadRecord(in)
		if err != nil || r.RecordID != 0x77 || !bytes.Equal(raw, rec) || len(findings) != 0 {
			t.Errorf("%s: id %v, raw equal %v, findings %q, err %v; want record 0x77, its bytes, no findings",
				name, r, bytes.Equal(raw, rec), findings, err)
		}
	}

	_, raw, findings, err := cper.ReadRecord(append(bytes.Clone(rec), 0xFF, 0xFF))
	if err != nil || !bytes.Equal(raw, rec) || len(findings) != 1 || !strings.Contains(findings[0], "2 bytes after the record") {
		t.Errorf("trailing bytes: findings %q, err %v; want one finding and the record cut to its length", findings, err)
	}
	long := bytes.Clone(rec)
	binary.LittleEndian.PutUint32(long[cper.OffRecordLength:], uint32(len(rec)+10))
	if _, _, findings, err := cper.ReadRecord(long); err != nil || len(findings) != 1 || !strings.HasPrefix(findings[0], "record cut short") {
		t.Errorf("RecordLength 10 past the sections: findings %q, err %v; want one cut-short finding", findings, err)
	}

	for name, in := range map[string]string{
		"base64 of no record": "Zm9vYmFy",
		"hex of no record":    "deadbeef",
		"text":                "not a record at all!",
	} {
		if _, _, _, err := cper.ReadRecord([]byte(in)); !errors.Is(err, cper.ErrNotRecord) {
			t.Errorf("%s: err %v, want ErrNotRecord", name, err)
		}
	}
	if _, _, _, err := cper.ReadRecord([]byte(" \n")); err == nil || errors.Is(err, cper.ErrNotRecord) {
		t.Errorf("whitespace only: err %v, want the empty-input error", err)
	}
	bad := bytes.Clone(rec)
	bad[6] = 0 // SignatureEnd
	if _, _, _, err := cper.ReadRecord(bad); !errors.Is(err, cper.ErrSignatureEnd) {
		t.Errorf("bad SignatureEnd: err %v, want ErrSignatureEnd", err)
	}
}

// FuzzReadRecord: reading never panics, and a record it returns comes
// with the bytes it was read from, which parse as a whole or cut-short
// record and are never longer than the input's decoded form.
func FuzzReadRecord(f *testing.F) {
	rec := inputRecord(f)
	f.Add(rec)
	f.Add([]byte(base64.StdEncoding.EncodeToString(rec)))
	f.Add([]byte("0x" + hex.EncodeToString(rec)))
	f.Add(append(bytes.Clone(rec), 0xFF, 0xFF))
	f.Add(rec[:len(rec)-10])
	f.Add([]byte("Zm9vYmFy"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, raw, _, err := cper.ReadRecord(b)
		if err != nil {
			return
		}
		if r == nil {
			t.Fatal("no record and no error")
		}
		if _, perr := cper.Parse(raw); perr != nil {
			if _, terr := cper.ParseTruncated(raw); terr != nil {
				t.Fatalf("raw parses neither whole (%v) nor cut short (%v)", perr, terr)
			}
		}
		_ = cper.NewRedfishLogEntry(r, raw)
	})
}

// A record pasted as base64, as a Redfish LogEntry's DiagnosticData
// carries it.
func ExampleReadRecord() {
	b := cper.Builder{RecordID: 0x1234, Severity: cper.SeverityCorrected,
		Sections: []cper.SectionSpec{{Type: cper.SectionTypeDmesg, Body: []byte("hello\n")}}}
	r, err := b.Build()
	if err != nil {
		fmt.Println(err)
		return
	}
	rec, err := r.Marshal()
	if err != nil {
		fmt.Println(err)
		return
	}
	text := base64.StdEncoding.EncodeToString(rec)

	got, raw, findings, err := cper.ReadRecord([]byte(text + "\n"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("record %#x, %d bytes, %d findings\n", got.RecordID, len(raw), len(findings))
	_, _, _, err = cper.ReadRecord([]byte("hello"))
	fmt.Println(errors.Is(err, cper.ErrNotRecord))
	// Output:
	// record 0x1234, 206 bytes, 0 findings
	// true
}
