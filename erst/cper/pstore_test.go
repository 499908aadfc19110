package cper

import (
	"bytes"
	"compress/flate"
	"errors"
	"strings"
	"testing"
	"time"
)

// linuxDeflate compresses as Linux's pstore does: raw deflate (no zlib
// header), here at the default level, so with back-references.
func linuxDeflate(t *testing.T, text []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := flate.NewWriter(&b, flate.DefaultCompression)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(text)
	w.Close()
	return b.Bytes()
}

func TestDmesgZRoundTrip(t *testing.T) {
	text := []byte("Panic#3 Part2\n<0>[    1.000000] Kernel panic - not syncing: test\n" + strings.Repeat("<6>[    0.000000] line\n", 200))
	for name, body := range map[string][]byte{
		"DeflateDmesg": DeflateDmesg(text),
		"linux":        linuxDeflate(t, text),
	} {
		t.Run(name, func(t *testing.T) {
			r, err := NewPstoreRecord(0x1234, SectionTypeDmesgZ, body, time.Unix(1700000000, 0))
			if err != nil {
				t.Fatal(err)
			}
			raw, err := r.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			p, err := Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			d, err := DecodeDmesg(&p.Sections[0])
			if err != nil {
				t.Fatal(err)
			}
			if !d.Compressed || !bytes.Equal(d.Text, text) || d.Reason != "Panic" || d.Count != 3 || d.Part != 2 {
				t.Errorf("DecodeDmesg = compressed %v, %s#%d Part%d, %d bytes of text; want true, Panic#3 Part2, the %d bytes", d.Compressed, d.Reason, d.Count, d.Part, len(d.Text), len(text))
			}
			if tm, err := p.Time(); err != nil || tm.Unix() != 1700000000 {
				t.Errorf("Time = %v, %v; want Unix 1700000000", tm, err)
			}
			if len(body) >= len(text) {
				t.Errorf("%d bytes compressed to %d", len(text), len(body))
			}
		})
	}
}

// DeflateDmesg must not use back-references: Linux 6.1 inflates with a
// 2 KiB window. A stream with none inflates with any window; check that
// no match token appears by inflating with a reader that would need one:
// Huffman-only output of text that repeats after 4 KiB is not smaller
// than of text that does not.
func TestDeflateDmesgHasNoMatches(t *testing.T) {
	block := make([]byte, 4096)
	for i := range block {
		block[i] = "abcdefghijklmnopqrstuvwxyz\n"[(i*7+i/13)%27]
	}
	twice := append(append([]byte(nil), block...), block...)
	if a, b := len(DeflateDmesg(block)), len(DeflateDmesg(twice)); b < 2*a-64 {
		t.Errorf("a repeated 4 KiB block compresses to %d bytes, one block to %d: the stream refers back", b, a)
	}
}

func TestDmesgHead(t *testing.T) {
	tests := []struct {
		text        string
		reason      string
		count, part int
	}{
		{"Panic#1 Part1\nrest", "Panic", 1, 1},
		{"Shutdown#1 Part12\n", "Shutdown", 1, 12},
		{"Oops#2 Part1", "Oops", 2, 1},
		{"Emergency#0 Part3\n", "Emergency", 0, 3},
		{"no header\nPanic#1 Part1\n", "", 0, 0},
		{"Panic#x Part1\n", "", 0, 0},
		{"", "", 0, 0},
	}
	for _, tc := range tests {
		r, c, p := parseDmesgHead([]byte(tc.text))
		if r != tc.reason || c != tc.count || p != tc.part {
			t.Errorf("%q: %q %d %d, want %q %d %d", tc.text, r, c, p, tc.reason, tc.count, tc.part)
		}
	}
	if r, c, p := parseDmesgHead([]byte(DmesgHead("Shutdown", 1, 2))); r != "Shutdown" || c != 1 || p != 2 {
		t.Errorf("DmesgHead does not read back: %q %d %d", r, c, p)
	}
}

func TestDmesgZCorrupt(t *testing.T) {
	body := DeflateDmesg([]byte("Panic#1 Part1\nsome text\n"))
	for name, b := range map[string][]byte{
		"truncated": body[:len(body)/2],
		"garbage":   {0xff, 0xff, 0xff, 0xff},
		"empty":     {},
	} {
		s := Section{Descriptor: SectionDescriptor{Type: SectionTypeDmesgZ, Length: uint32(len(b))}, Body: b}
		if _, err := DecodeDmesg(&s); !errors.Is(err, ErrInflate) {
			t.Errorf("%s: DecodeDmesg error %v, want ErrInflate", name, err)
		}
		var out bytes.Buffer
		r := &Record{Sections: []Section{s}}
		if err := WriteText(&out, r); err != nil || !strings.Contains(out.String(), "does not inflate") {
			t.Errorf("%s: WriteText: %v\n%s", name, err, out.String())
		}
		if j := r.JSON(); j.Sections[0].Dmesg == nil || !strings.Contains(j.Sections[0].Dmesg.Error, "does not inflate") {
			t.Errorf("%s: JSON dmesg = %+v", name, j.Sections[0].Dmesg)
		}
	}
	bomb := DeflateDmesg(make([]byte, MaxDmesgSize+1))
	if _, err := InflateDmesg(bomb); !errors.Is(err, ErrInflate) {
		t.Errorf("%d zero bytes inflated without error: %v", MaxDmesgSize+1, err)
	}
}

func TestDecodeDmesgOtherType(t *testing.T) {
	s := Section{Descriptor: SectionDescriptor{Type: SectionTypeMCE}}
	if _, err := DecodeDmesg(&s); !errors.Is(err, ErrPstoreType) {
		t.Errorf("DecodeDmesg(MCE) = %v, want ErrPstoreType", err)
	}
}
