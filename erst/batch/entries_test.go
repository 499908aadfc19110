package batch

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/goerst/erst/erst/cper"
	"github.com/goerst/erst/erst/store/storetest"
)

// stored reads a good record (0x30), one whose read fails (0x10), bytes
// that are not CPER (0x20) and a second good record (0x40).
func stored(t *testing.T) []Stored {
	t.Helper()
	f := fakeReader{ids: []uint64{0x30, 0x10, 0x20, 0x40}, recs: map[uint64][]byte{
		0x30: storetest.CPER(0x30, 300, 0), 0x20: []byte("not CPER"), 0x40: storetest.CPER(0x40, 200, 0)}}
	recs, err := ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// The list: JSON entries for every record, a text line for each one read,
// the undecodable one with its error; the count of unread records.
func TestList(t *testing.T) {
	recs := stored(t)
	b, _ := json.Marshal(recs[0].ListEntry())
	if want := `{"id":"0x30","length":300,"summary":"` + cper.Summary(recs[0].Rec) + `"}`; string(b) != want {
		t.Errorf("ListEntry(good) = %s, want %s", b, want)
	}
	if l := recs[1].ListEntry(); l.ID != "0x10" || l.Length != 0 || l.Summary != "" || l.Error != "device error" {
		t.Errorf("ListEntry(unread) = %+v", l)
	}
	var w bytes.Buffer
	if err := WriteList(&w, recs); err != nil {
		t.Fatal(err)
	}
	want := "0x30               " + cper.Summary(recs[0].Rec) + "\n" +
		"0x20               " + recs[2].Err.Error() + "\n" +
		"0x40               " + cper.Summary(recs[3].Rec) + "\n"
	if w.String() != want {
		t.Errorf("WriteList:\n%s\nwant:\n%s", w.String(), want)
	}
	if err := UnreadError(recs); err == nil || err.Error() != "1 of 4 records could not be read" {
		t.Errorf("UnreadError = %v", err)
	}
	if err := UnreadError(recs[2:]); err != nil {
		t.Errorf("UnreadError(all read) = %v, want nil", err)
	}
}

// The dump: JSON with the decode or the error; text with each record read,
// a blank line between, the undecodable one as one line; Redfish entries
// for the good records alone.
func TestDump(t *testing.T) {
	recs := stored(t)
	if d := recs[0].DumpEntry(); d.ID != "0x30" || d.Record == nil || d.Error != "" {
		t.Errorf("DumpEntry(good) = %+v", d)
	}
	b, _ := json.Marshal(recs[2].DumpEntry())
	if want := `{"id":"0x20","error":` + mustJSON(recs[2].Err.Error()) + `}`; string(b) != want {
		t.Errorf("DumpEntry(bad) = %s, want %s", b, want)
	}
	var w, want bytes.Buffer
	if err := WriteDump(&w, recs); err != nil {
		t.Fatal(err)
	}
	cper.WriteText(&want, recs[0].Rec)
	want.WriteString("\nrecord 0x20: " + recs[2].Err.Error() + "\n\n")
	cper.WriteText(&want, recs[3].Rec)
	if w.String() != want.String() {
		t.Errorf("WriteDump:\n%s\nwant:\n%s", w.String(), want.String())
	}
	rf := RedfishEntries(recs)
	if len(rf) != 2 || rf[0].ID != cper.NewRedfishLogEntry(recs[0].Rec, recs[0].Raw).ID || rf[1].ID != cper.NewRedfishLogEntry(recs[3].Rec, recs[3].Raw).ID {
		t.Errorf("RedfishEntries = %+v, want the two good records", rf)
	}
	if rf := RedfishEntries(nil); rf == nil {
		t.Error("RedfishEntries(nil) is nil, want empty")
	}
}

func mustJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// The entry lists hold one entry per record, in order, and are [] for none.
func TestEntries(t *testing.T) {
	recs := stored(t)
	l, d := ListEntries(recs), DumpEntries(recs)
	for i, r := range recs {
		if l[i] != r.ListEntry() || d[i].ID != r.DumpEntry().ID || d[i].Error != r.DumpEntry().Error {
			t.Errorf("entry %d: %+v, %+v", i, l[i], d[i])
		}
	}
	if len(l) != len(recs) || len(d) != len(recs) {
		t.Errorf("%d and %d entries for %d records", len(l), len(d), len(recs))
	}
	if b, _ := json.Marshal(ListEntries(nil)); string(b) != "[]" {
		t.Errorf("ListEntries(nil) = %s", b)
	}
	if b, _ := json.Marshal(DumpEntries(nil)); string(b) != "[]" {
		t.Errorf("DumpEntries(nil) = %s", b)
	}
}
