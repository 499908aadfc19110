package cper

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLinuxDmesgZ decodes two records Linux 6.1 wrote at power-off with
// its default compression (testdata/linux-dmesgz/README.md): they inflate,
// part 1 holds the line written to /dev/kmsg before power-off, the pstore
// header reads back, NewPstoreRecord rebuilds each record byte for byte,
// and the text survives DeflateDmesg and InflateDmesg.
func TestLinuxDmesgZ(t *testing.T) {
	for part, want := range map[int]string{
		1: "erst testdata: a line written to /dev/kmsg before power-off",
		2: "Linux version 6.1.0-57-amd64",
	} {
		raw, err := os.ReadFile(filepath.Join("testdata", "linux-dmesgz", "part"+string(rune('0'+part))+".cper"))
		if err != nil {
			t.Fatal(err)
		}
		r, err := Parse(raw)
		if err != nil {
			t.Fatalf("part %d: %v", part, err)
		}
		if len(r.Sections) != 1 || r.Sections[0].Descriptor.Type != SectionTypeDmesgZ {
			t.Fatalf("part %d: sections %v, want one DMESG_Z", part, r.Sections)
		}
		d, err := DecodeDmesg(&r.Sections[0])
		if err != nil {
			t.Fatalf("part %d: %v", part, err)
		}
		if !d.Compressed || d.Reason != "Shutdown" || d.Count != 1 || d.Part != part {
			t.Errorf("part %d: %+v", part, d)
		}
		if !bytes.Contains(d.Text, []byte(want)) {
			t.Errorf("part %d: no %q in the inflated text", part, want)
		}
		if part == 1 && !strings.Contains(string(d.Text[len(d.Text)-200:]), "reboot: Power down") {
			t.Errorf("part 1 does not end with the power-down:\n%s", d.Text[len(d.Text)-200:])
		}
		when, err := r.Time()
		if err != nil {
			t.Fatal(err)
		}
		again, err := NewPstoreRecord(r.RecordID, SectionTypeDmesgZ, r.Sections[0].Body, when)
		if err != nil {
			t.Fatal(err)
		}
		if b, err := again.Marshal(); err != nil || !bytes.Equal(b, raw) {
			t.Errorf("part %d: NewPstoreRecord does not rebuild Linux's record (%v)", part, err)
		}
		if back, err := InflateDmesg(DeflateDmesg(d.Text)); err != nil || !bytes.Equal(back, d.Text) {
			t.Errorf("part %d: the text does not survive DeflateDmesg/InflateDmesg: %v", part, err)
		}
		var out bytes.Buffer
		if err := WriteText(&out, r); err != nil || !strings.Contains(out.String(), "| ") || !strings.Contains(out.String(), "pstore dump: reason Shutdown") {
			t.Errorf("part %d: WriteText: %v", part, err)
		}
	}
}
