package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goerst/erst/erst/cper"
)

// TestDumpDmesgZ: dump inflates Linux's compressed pstore records and
// shows the pstore header; a record that does not inflate is reported and
// the records after it still decode.
func TestDumpDmesgZ(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "s.img")
	text := "Shutdown#1 Part1\n<6>[   12.000000] erst-test: the line we look for\n<5>[   12.5] reboot: Power down\n"
	mk := func(id uint64, typ cper.SectionType, body []byte) string {
		r, err := cper.NewPstoreRecord(id, typ, body, time.Unix(1700000000, 0))
		if err != nil {
			t.Fatal(err)
		}
		raw, err := r.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		return writeTemp(t, dir, raw)
	}
	good := cper.DeflateDmesg([]byte(text))
	bad := append([]byte(nil), good[:len(good)/2]...)
	mustRun(t, nil, "-store", store, "write",
		mk(0x10, cper.SectionTypeDmesgZ, bad),
		mk(0x11, cper.SectionTypeDmesgZ, good),
		mk(0x12, cper.SectionTypeDmesg, []byte("plain text\n")))

	out := string(mustRun(t, nil, "-store", store, "dump"))
	for _, want := range []string{
		"does not inflate",
		"pstore dump: reason Shutdown, count 1, part 1",
		"| <6>[   12.000000] erst-test: the line we look for",
		"| plain text",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("erst dump lacks %q:\n%s", want, out)
		}
	}
	var dump struct {
		Records []struct {
			ID     string
			Record *cper.RecordJSON
		}
	}
	if err := json.Unmarshal(mustRun(t, nil, "-store", store, "dump", "-json"), &dump); err != nil {
		t.Fatal(err)
	}
	if len(dump.Records) != 3 {
		t.Fatalf("dump -json: %d records, want 3", len(dump.Records))
	}
	d0, d1 := dump.Records[0].Record.Sections[0].Dmesg, dump.Records[1].Record.Sections[0].Dmesg
	if d0 == nil || !strings.Contains(d0.Error, "does not inflate") {
		t.Errorf("record 0x10: dmesg %+v, want an inflate error", d0)
	}
	if d1 == nil || d1.Text != text || !d1.Compressed || d1.Reason != "Shutdown" || d1.Part != 1 {
		t.Errorf("record 0x11: dmesg %+v, want the text, compressed, Shutdown part 1", d1)
	}
}

// TestNewCompress: new -compress builds the DMESG_Z record Linux's
// erst_writer would write for the same text, and it inflates to the text.
func TestNewCompress(t *testing.T) {
	const text = "erst new -compress: hello, pstore\n"
	raw := mustRun(t, nil, "new", "-compress", "-id", "0x55", "-text", text)
	r, err := cper.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	s := &r.Sections[0]
	if s.Descriptor.Type != cper.SectionTypeDmesgZ {
		t.Fatalf("section type %v, want DMESG_Z", s.Descriptor.Type)
	}
	d, err := cper.DecodeDmesg(s)
	if err != nil || string(d.Text) != text {
		t.Fatalf("inflates to %q, %v; want %q", d.Text, err, text)
	}
	when, _ := r.Time()
	want, err := cper.NewPstoreRecord(0x55, cper.SectionTypeDmesgZ, s.Body, when)
	if err != nil {
		t.Fatal(err)
	}
	if w, _ := want.Marshal(); string(w) != string(raw) {
		t.Errorf("new -compress differs from the record erst_writer writes:\n got %x\nwant %x", raw[:cper.PstoreHeaderSize], w[:cper.PstoreHeaderSize])
	}
	if code, _, errs := runCmd(t, nil, "new", "-compress", "-section", "MCE"); code != 2 || !strings.Contains(errs, "-compress") {
		t.Errorf("new -compress -section MCE: exit %d, %q; want 2 and a message", code, errs)
	}
}
