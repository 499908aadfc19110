package pstore

import (
	"bytes"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"testing"
)

// TestWriteText: the listing names each log with its parts and gaps, each
// other record with its files and kind, leaves the dmesg parts out of the
// record lines, and ends with the count line.
func TestWriteText(t *testing.T) {
	const first = 0x1000
	x := build(t, []Input{
		{ID: first + 2, Raw: linuxRecord(first+2, guidDmesg, []byte(dumpPart("Oops", 2, 3, logText("three", 2))))},
		{ID: first, Raw: linuxRecord(first, guidDmesgZ, deflate(t, dumpPart("Oops", 2, 1, logText("one", 2))))},
		{ID: 0x20, Raw: linuxRecord(0x20, guidUnknown, []byte("body"))},
		{ID: 0x30, Err: errors.New("busy")},
	})
	var b bytes.Buffer
	if err := x.WriteText(&b, "out", "store s"); err != nil {
		t.Fatal(err)
	}
	want := "dmesg-0000000000001000.txt: Oops#2 from Part3 0x1002, Part1 0x1000; Part2 missing\n" +
		"0000000000000020.cper, 0000000000000020.json: record 0x20 (cper)\n" +
		"no file: record 0x30 (unreadable)\n" +
		"exported 4 record(s) from store s into out (index.json lists them)\n"
	if b.String() != want {
		t.Errorf("WriteText:\n%s\nwant:\n%s", b.String(), want)
	}
}

// TestFiles: record files in any of ReadRecord's encodings become inputs
// in order; what is odd about one is a finding naming the file; bytes
// that are no record, and a second file of one id, are errors naming the
// files and leave the inputs as they were.
func TestFiles(t *testing.T) {
	a, b := linuxRecord(1, guidUnknown, []byte("a")), linuxRecord(2, guidUnknown, []byte("b"))
	var s Files
	if f, err := s.Add("a.cper", append(slices.Clone(a), 0, 0)); err != nil || len(f) != 1 || !strings.HasPrefix(f[0], "a.cper: 2 bytes after the record") {
		t.Fatalf("Add(a with 2 bytes more) = %q, %v; want one finding about them", f, err)
	}
	if f, err := s.Add("b.b64", []byte(base64.StdEncoding.EncodeToString(b))); err != nil || f != nil {
		t.Fatalf("Add(b in base64) = %q, %v", f, err)
	}
	if _, err := s.Add("junk", []byte("not a record")); err == nil || !strings.HasPrefix(err.Error(), "junk: ") {
		t.Errorf("Add(junk) = %v, want an error naming junk", err)
	}
	_, err := s.Add("again", b)
	if want := "b.b64 and again are both record 0x2: export writes files by record id"; err == nil || err.Error() != want || !errors.Is(err, ErrDuplicateID) {
		t.Errorf("Add(b again) = %v, want %q wrapping ErrDuplicateID", err, want)
	}
	in := s.Inputs()
	if len(in) != 2 || in[0].ID != 1 || !bytes.Equal(in[0].Raw, a) || in[1].ID != 2 || !bytes.Equal(in[1].Raw, b) {
		t.Errorf("Inputs = %+v, want records 1 (trimmed) and 2", in)
	}
}
