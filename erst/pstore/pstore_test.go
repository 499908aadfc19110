package pstore

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/goerst/erst/erst/cper"
)

// efiGUID is the 16 bytes of an EFI_GUID as CPER stores it: the first
// three groups little-endian, the last two as written.
func efiGUID(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, "-", ""))
	if err != nil || len(b) != 16 {
		panic("bad GUID " + s)
	}
	le := binary.LittleEndian
	out := make([]byte, 16)
	le.PutUint32(out, binary.BigEndian.Uint32(b[0:]))
	le.PutUint16(out[4:], binary.BigEndian.Uint16(b[4:]))
	le.PutUint16(out[6:], binary.BigEndian.Uint16(b[6:]))
	copy(out[8:], b[8:])
	return out
}

// Section types and creator of Linux's drivers/acpi/apei/erst.c.
const (
	guidDmesg   = "c197e04e-d545-4a70-9c17-a5549419eb12" // CPER_SECTION_TYPE_DMESG
	guidDmesgZ  = "4f118707-04dd-4055-b5dd-956d34ddfac6" // CPER_SECTION_TYPE_DMESG_Z
	guidMCE     = "fe08ffbe-95e4-4be7-bc73-4096044a38fc" // CPER_SECTION_TYPE_MCE
	guidPstore  = "75a574e3-5052-4b29-8a8e-be2c6490b89d" // CPER_CREATOR_PSTORE
	guidNotMCE  = "e8f56ffe-919c-4cc5-ba88-65abe14913bb" // CPER_NOTIFY_MCE
	guidUnknown = "01234567-89ab-cdef-0123-456789abcdef"
)

// linuxRecord lays out a record the way erst_writer does, field by field
// (UEFI 2.10 N.2.1 record header, N.2.2 section descriptor): one section
// of type sectionType holding body.
func linuxRecord(id uint64, sectionType string, body []byte) []byte {
	const hdr, desc = 128, 72
	le := binary.LittleEndian
	b := make([]byte, hdr+desc+len(body))
	copy(b[0:], "CPER")                    // SignatureStart
	le.PutUint16(b[4:], 0x0100)            // Revision (CPER_RECORD_REV)
	le.PutUint32(b[6:], 0xffffffff)        // SignatureEnd
	le.PutUint16(b[10:], 1)                // SectionCount
	le.PutUint32(b[12:], 1)                // ErrorSeverity: fatal
	le.PutUint32(b[16:], 0x2)              // ValidationBits: timestamp valid
	le.PutUint32(b[20:], uint32(len(b)))   // RecordLength
	le.PutUint64(b[24:], 1700000000)       // Timestamp: Unix seconds, as Linux writes it
	copy(b[64:], efiGUID(guidPstore))      // CreatorID
	copy(b[80:], efiGUID(guidNotMCE))      // NotificationType
	le.PutUint64(b[96:], id)               // RecordID
	le.PutUint32(b[104:], 0x2)             // Flags: CPER_HW_ERROR_FLAGS_PREVERR
	d := b[hdr:]                           // the section descriptor
	le.PutUint32(d[0:], hdr+desc)          // SectionOffset
	le.PutUint32(d[4:], uint32(len(body))) // SectionLength
	le.PutUint16(d[8:], 0x0100)            // Revision (CPER_SEC_REV)
	le.PutUint32(d[12:], 1)                // Flags: primary
	copy(d[16:], efiGUID(sectionType))     // SectionType
	le.PutUint32(d[48:], 1)                // SectionSeverity: fatal
	copy(b[hdr+desc:], body)               // the body
	return b
}

// deflate compresses as Linux's pstore does: raw deflate, no zlib header.
func deflate(t *testing.T, text string) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := flate.NewWriter(&b, flate.DefaultCompression)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(text))
	w.Close()
	return b.Bytes()
}

// dumpPart is part n of a dump as pstore_dump writes it: the header line,
// then the log text.
func dumpPart(reason string, count, n int, text string) string {
	return fmt.Sprintf("%s#%d Part%d\n", reason, count, n) + text
}

// logText is a few lines of log unique to tag.
func logText(tag string, lines int) string {
	var s strings.Builder
	for i := range lines {
		fmt.Fprintf(&s, "<6>[%5d.000000] %s line %d\n", i, tag, i)
	}
	return s.String()
}

func file(t *testing.T, x *Export, name string) []byte {
	t.Helper()
	for _, f := range x.Files {
		if f.Name == name {
			return f.Data
		}
	}
	var names []string
	for _, f := range x.Files {
		names = append(names, f.Name)
	}
	t.Fatalf("no file %s in the export; it has %v", name, names)
	return nil
}

func build(t *testing.T, in []Input) *Export {
	t.Helper()
	x, err := Build(in)
	if err != nil {
		t.Fatal(err)
	}
	// index.json is the Index.
	var idx Index
	if err := json.Unmarshal(file(t, x, "index.json"), &idx); err != nil {
		t.Fatalf("index.json: %v", err)
	}
	a, _ := json.Marshal(idx)
	b, _ := json.Marshal(x.Index)
	if !bytes.Equal(a, b) {
		t.Errorf("index.json differs from Index:\n%s\n%s", a, b)
	}
	return x
}

// TestJoinThreeParts: a panic log of three parts, one compressed and two
// not, stored out of order and around an MCE record and another record,
// comes out as one dmesg file holding the parts oldest first without
// their header lines; the MCE record is decoded, the other kept whole.
func TestJoinThreeParts(t *testing.T) {
	const first = 0x6b0e000000000002
	oldest, middle, newest := logText("oldest", 40), logText("middle", 40), logText("newest", 40)+"<0>[  99.000000] Kernel panic - not syncing: sysrq triggered crash\n"
	mce := make([]byte, 88) // a struct mce of zeroes: only the section type matters here
	other := linuxRecord(0x77, guidUnknown, []byte("vendor bytes"))
	in := []Input{
		{ID: first + 1, Raw: linuxRecord(first+1, guidDmesg, []byte(dumpPart("Panic", 1, 2, middle)))},
		{ID: first - 1, Raw: linuxRecord(first-1, guidMCE, mce)},
		{ID: first + 2, Raw: linuxRecord(first+2, guidDmesg, []byte(dumpPart("Panic", 1, 3, oldest)))},
		{ID: 0x77, Raw: other},
		{ID: first, Raw: linuxRecord(first, guidDmesgZ, deflate(t, dumpPart("Panic", 1, 1, newest)))},
	}
	x := build(t, in)
	name := fmt.Sprintf("dmesg-%016x.txt", uint64(first))
	if got, want := string(file(t, x, name)), oldest+middle+newest; got != want {
		t.Errorf("%s:\n%s\nwant:\n%s", name, got, want)
	}
	if p := x.Problems(); len(p) != 0 {
		t.Errorf("Problems = %q, want none", p)
	}
	if len(x.Index.Logs) != 1 {
		t.Fatalf("%d logs, want 1: %+v", len(x.Index.Logs), x.Index.Logs)
	}
	l := x.Index.Logs[0]
	wantParts := []LogPart{
		{Part: 3, ID: hexID(first + 2), Bytes: len(oldest)},
		{Part: 2, ID: hexID(first + 1), Bytes: len(middle)},
		{Part: 1, ID: hexID(first), Compressed: true, Bytes: len(newest)},
	}
	if l.File != name || l.Reason != "Panic" || l.Count != 1 || l.FirstID != hexID(first) || !slices.Equal(l.Parts, wantParts) || l.Missing != nil {
		t.Errorf("log %+v\nwant file %s, Panic#1, first id %s, parts %+v, none missing", l, name, hexID(first), wantParts)
	}
	for i, want := range []struct {
		kind  Kind
		part  string
		files []string
	}{
		{KindDmesg, "Panic#1 Part2", []string{name}},
		{KindMCE, "", []string{fmt.Sprintf("mce-%016x.json", uint64(first-1)), fmt.Sprintf("mce-%016x.txt", uint64(first-1))}},
		{KindDmesg, "Panic#1 Part3", []string{name}},
		{KindCPER, "", []string{"0000000000000077.cper", "0000000000000077.json"}},
		{KindDmesg, "Panic#1 Part1", []string{name}},
	} {
		r := x.Index.Records[i]
		if r.ID != hexID(in[i].ID) || r.Kind != want.kind || r.Part != want.part || !slices.Equal(r.Files, want.files) || r.Error != "" {
			t.Errorf("index record %d: %+v, want id %s, %s %q in %v", i, r, hexID(in[i].ID), want.kind, want.part, want.files)
		}
	}
	if !bytes.Equal(file(t, x, "0000000000000077.cper"), other) {
		t.Error("the other record's .cper differs from the record")
	}
	var j cper.RecordJSON
	if err := json.Unmarshal(file(t, x, "0000000000000077.json"), &j); err != nil || j.RecordID != "0x0000000000000077" {
		t.Errorf("0000000000000077.json: record id %q, %v", j.RecordID, err)
	}
	if txt := string(file(t, x, fmt.Sprintf("mce-%016x.txt", uint64(first-1)))); !strings.Contains(txt, "MCE") {
		t.Errorf("the MCE text does not name the section:\n%s", txt)
	}
}

// TestMissingPart: a part missing from the middle of a log, or Part1
// missing, shows as a line in the text where the part belongs, in the
// Index's Missing and in Problems; the parts are never joined as if whole.
func TestMissingPart(t *testing.T) {
	const first = 0x1000
	p3, p2, p1 := logText("three", 5), logText("two", 5), logText("one", 5)
	tests := []struct {
		name    string
		parts   map[int]string
		text    string
		missing []Gap
	}{
		{"Part2", map[int]string{3: p3, 1: p1}, p3 + GapLine("Oops", 2, first, Gap{2, 2}) + p1, []Gap{{2, 2}}},
		{"Part1", map[int]string{3: p3, 2: p2}, p3 + p2 + GapLine("Oops", 2, first, Gap{1, 1}), []Gap{{1, 1}}},
		{"Part2-3", map[int]string{4: p3, 1: p1}, p3 + GapLine("Oops", 2, first, Gap{3, 2}) + p1, []Gap{{3, 2}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var in []Input
			for n, text := range tc.parts {
				id := uint64(first + n - 1)
				in = append(in, Input{ID: id, Raw: linuxRecord(id, guidDmesgZ, deflate(t, dumpPart("Oops", 2, n, text)))})
			}
			x := build(t, in)
			if len(x.Index.Logs) != 1 {
				t.Fatalf("%d logs, want 1: %+v", len(x.Index.Logs), x.Index.Logs)
			}
			l := x.Index.Logs[0]
			if got := string(file(t, x, l.File)); got != tc.text {
				t.Errorf("%s:\n%s\nwant:\n%s", l.File, got, tc.text)
			}
			if l.File != fmt.Sprintf("dmesg-%016x.txt", first) || l.FirstID != hexID(first) || !slices.Equal(l.Missing, tc.missing) {
				t.Errorf("log %+v, want dmesg-%016x.txt, first id %#x, missing %v", l, first, first, tc.missing)
			}
			if p := x.Problems(); len(p) != 1 || !strings.Contains(p[0], "Oops#2 "+tc.missing[0].String()) {
				t.Errorf("Problems = %q, want one naming Oops#2 %v", p, tc.missing[0])
			}
		})
	}
	if got, want := GapLine("Panic", 1, 0x10, Gap{3, 2}), "--- Panic#1 Part3-2 (record 0x11-0x12) missing: the log has a gap here ---\n"; got != want {
		t.Errorf("GapLine = %q, want %q", got, want)
	}
}

// TestTwoPanics: two boots each panic once (both "Panic#1", pstore's count
// starts again at each boot). Their parts are not mixed up, not even when
// the first boot left only Part1 and the second lacks its Part1, which
// together look like one whole log but for the ids.
func TestTwoPanics(t *testing.T) {
	const a, b = 0x6b00000000000001, 0x6b10000000000001 // Part1 ids, as cper_next_record_id counts in each boot
	aText, bText2, bText3 := logText("boot A", 3), logText("boot B older", 3), logText("boot B oldest", 3)
	in := []Input{
		{ID: b + 2, Raw: linuxRecord(b+2, guidDmesgZ, deflate(t, dumpPart("Panic", 1, 3, bText3)))},
		{ID: a, Raw: linuxRecord(a, guidDmesgZ, deflate(t, dumpPart("Panic", 1, 1, aText)))},
		{ID: b + 1, Raw: linuxRecord(b+1, guidDmesg, []byte(dumpPart("Panic", 1, 2, bText2)))},
	}
	x := build(t, in)
	if len(x.Index.Logs) != 2 {
		t.Fatalf("%d logs, want 2: %+v", len(x.Index.Logs), x.Index.Logs)
	}
	la, lb := x.Index.Logs[0], x.Index.Logs[1]
	if got := string(file(t, x, la.File)); la.FirstID != hexID(a) || got != aText {
		t.Errorf("boot A: %+v, text %q; want first id %#x and its own text", la, got, uint64(a))
	}
	if got, want := string(file(t, x, lb.File)), bText3+bText2+GapLine("Panic", 1, b, Gap{1, 1}); lb.FirstID != hexID(b) || got != want {
		t.Errorf("boot B: %+v, text %q; want first id %#x, text %q", lb, got, uint64(b), want)
	}
	if la.File == lb.File {
		t.Errorf("both logs in %s", la.File)
	}
}

// TestLinuxRecords joins the two DMESG_Z records Linux 6.1 wrote at a
// power-off (erst/cper/testdata/linux-dmesgz): Part2 holds the start of
// the boot log, Part1 its end, so the joined text has the kernel's
// version line before the line written last, which ends the log's text
// but for the power-down lines.
func TestLinuxRecords(t *testing.T) {
	var in []Input
	for _, n := range []string{"part1", "part2"} {
		raw, err := os.ReadFile(filepath.Join("..", "cper", "testdata", "linux-dmesgz", n+".cper"))
		if err != nil {
			t.Fatal(err)
		}
		in = append(in, Input{ID: binary.LittleEndian.Uint64(raw[96:]), Raw: raw})
	}
	x := build(t, in)
	if len(x.Index.Logs) != 1 || len(x.Index.Logs[0].Parts) != 2 || x.Index.Logs[0].Reason != "Shutdown" {
		t.Fatalf("logs %+v, want one Shutdown log of two parts", x.Index.Logs)
	}
	text := string(file(t, x, x.Index.Logs[0].File))
	version := strings.Index(text, "Linux version 6.1.0-57-amd64")
	last := strings.Index(text, "erst testdata: a line written to /dev/kmsg before power-off")
	if version < 0 || last < version || strings.Contains(text, "Shutdown#1 Part") {
		t.Errorf("the joined log: version line at %d, last line at %d, header lines left in: %v; want the version line first, no header lines", version, last, strings.Contains(text, "Shutdown#1 Part"))
	}
	if strings.Count(text[last:], "\n") > 10 {
		t.Errorf("the line written last is followed by %d lines: the parts are out of order", strings.Count(text[last:], "\n"))
	}
}

// TestBadRecords: a DMESG_Z record that does not inflate, bytes that are
// not CPER and a record that could not be read are each in the index with
// their error; the first two are written out whole, the log they may have
// belonged to is not touched.
func TestBadRecords(t *testing.T) {
	good := deflate(t, dumpPart("Panic", 1, 1, "text\n"))
	broken := linuxRecord(0x11, guidDmesgZ, good[:len(good)/2])
	junk := []byte("not a record at all")
	x := build(t, []Input{
		{ID: 0x10, Raw: linuxRecord(0x10, guidDmesgZ, good)},
		{ID: 0x11, Raw: broken},
		{ID: 0x12, Raw: junk},
		{ID: 0x13, Err: errors.New("the device failed the read")},
	})
	want := []RecordEntry{
		{ID: "0x10", Kind: KindDmesg, Part: "Panic#1 Part1", Files: []string{"dmesg-0000000000000010.txt"}},
		{ID: "0x11", Kind: KindDmesg, Files: []string{"0000000000000011.cper", "0000000000000011.json"}, Error: "inflate"},
		{ID: "0x12", Kind: KindInvalid, Files: []string{"0000000000000012.cper"}, Error: "not a valid CPER record"},
		{ID: "0x13", Kind: KindUnreadable, Files: []string{}, Error: "the device failed the read"},
	}
	for i, w := range want {
		r := x.Index.Records[i]
		if r.ID != w.ID || r.Kind != w.Kind || r.Part != w.Part || !slices.Equal(r.Files, w.Files) || (w.Error == "") != (r.Error == "") || !strings.Contains(r.Error, w.Error) {
			t.Errorf("record %d: %+v\nwant %+v", i, r, w)
		}
	}
	if !bytes.Equal(file(t, x, "0000000000000011.cper"), broken) || !bytes.Equal(file(t, x, "0000000000000012.cper"), junk) {
		t.Error("the bad records are not written out whole")
	}
	if p := x.Problems(); len(p) != 3 {
		t.Errorf("Problems = %q, want 3", p)
	}
	if _, err := Build([]Input{{ID: 5, Raw: junk}, {ID: 5, Raw: junk}}); !errors.Is(err, ErrDuplicateID) {
		t.Errorf("Build with one id twice: %v, want ErrDuplicateID", err)
	}
}

// FuzzBuild: Build never panics on any records; every record has its
// entry, no two files share a name, index.json is the Index, and every
// file an entry or a log names is in the export.
func FuzzBuild(f *testing.F) {
	z := func(text string) []byte {
		var b bytes.Buffer
		w, _ := flate.NewWriter(&b, flate.BestSpeed)
		w.Write([]byte(text))
		w.Close()
		return b.Bytes()
	}
	f.Add(linuxRecord(5, guidDmesg, []byte("Panic#1 Part2\nolder\n")), linuxRecord(4, guidDmesgZ, z("Panic#1 Part1\nnewer\n")), uint8(0))
	f.Add(linuxRecord(1, guidMCE, make([]byte, 88)), linuxRecord(9, guidDmesg, []byte("Oops#7 Part99999\n")), uint8(1))
	f.Add([]byte("CPER"), linuxRecord(2, guidUnknown, nil), uint8(2))
	f.Fuzz(func(t *testing.T, a, b []byte, idGap uint8) {
		// The second record's id follows the first's by idGap; the
		// ids are the records' own when they have one.
		id := func(raw []byte, def uint64) uint64 {
			if len(raw) >= 104 {
				return binary.LittleEndian.Uint64(raw[96:])
			}
			return def
		}
		ia := id(a, 1)
		ib := id(b, ia+uint64(idGap))
		if ia == ib {
			ib++
		}
		x, err := Build([]Input{{ID: ia, Raw: a}, {ID: ib, Raw: b}})
		if err != nil {
			t.Fatal(err)
		}
		if len(x.Index.Records) != 2 {
			t.Fatalf("%d index entries for 2 records", len(x.Index.Records))
		}
		names := map[string]bool{}
		for _, fl := range x.Files {
			if names[fl.Name] {
				t.Fatalf("two files named %s", fl.Name)
			}
			names[fl.Name] = true
		}
		for _, r := range x.Index.Records {
			for _, n := range r.Files {
				if !names[n] {
					t.Fatalf("record %s names %s, which is not in the export", r.ID, n)
				}
			}
		}
		for _, l := range x.Index.Logs {
			if !names[l.File] || len(l.Parts) == 0 {
				t.Fatalf("log %+v: file missing or no parts", l)
			}
		}
		var idx Index
		if err := json.Unmarshal(x.Files[len(x.Files)-1].Data, &idx); err != nil || x.Files[len(x.Files)-1].Name != "index.json" {
			t.Fatalf("the last file is %s, not index.json: %v", x.Files[len(x.Files)-1].Name, err)
		}
	})
}
