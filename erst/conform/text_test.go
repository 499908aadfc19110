package conform_test

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/goerst/erst/erst/conform"
	"github.com/goerst/erst/erst/pshed/pshedtest"
)

// report is a run's outcome with one check of each result, a reason on
// two lines and room unknown.
func report() *conform.Report {
	return &conform.Report{RecordLength: 8192, Foreign: 2, Results: []pshedtest.Result{
		{Name: "WriteReadClear", Outcome: pshedtest.Pass, Messages: []string{"log: 3 records"}},
		{Name: "Timings", Outcome: pshedtest.Fail, Messages: []string{"error: took 60ms\nwant at most 1ms "}},
		{Name: "FullStore", Outcome: pshedtest.Skip, Messages: []string{"skip: no room"}},
	}}
}

// The JSON document keeps the field names and order erst conform -json
// has always printed, empty lists as [], unknown room as null, and each
// reason on one line.
func TestReportJSON(t *testing.T) {
	rep := report()
	b, err := json.Marshal(rep.JSON("store x"))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"device":"store x","record_length":8192,"room":null,"foreign_records":2,"passed":false,"failed":["Timings"],` +
		`"checks":[{"name":"WriteReadClear","result":"pass","reason":"3 records"},{"name":"Timings","result":"fail","reason":"took 60ms; want at most 1ms"},{"name":"FullStore","result":"skip","reason":"no room"}]}`
	if string(b) != want {
		t.Errorf("JSON:\n got %s\nwant %s", b, want)
	}

	rep = &conform.Report{Free: 0, FreeKnown: true}
	b, _ = json.Marshal(rep.JSON(""))
	if want := `"room":0,"foreign_records":0,"passed":true,"failed":[],"checks":[]`; !strings.Contains(string(b), want) {
		t.Errorf("JSON of a passing run with no room: %s; want %s", b, want)
	}
	// The document's room is a copy: changing it leaves the report alone.
	j := rep.JSON("")
	*j.Room = 9
	if rep.Free != 0 {
		t.Errorf("changing the JSON's room changed the report's Free to %d", rep.Free)
	}
}

// Err names the failed checks, and is nil for a run with only passes and
// skips.
func TestReportErr(t *testing.T) {
	rep := report()
	if err := rep.Err(); err == nil || err.Error() != "1 checks failed: Timings" {
		t.Errorf("Err = %v; want 1 checks failed: Timings", err)
	}
	rep.Results = rep.Results[:1]
	if err := rep.Err(); err != nil {
		t.Errorf("Err of a passing run = %v", err)
	}
}

func TestWriteText(t *testing.T) {
	var b bytes.Buffer
	if err := report().WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := "conform: room for unknown records; 2 other records in the store, left alone\n\n" +
		"CHECK                      RESULT REASON\n" +
		"WriteReadClear             pass   3 records\n" +
		"Timings                    fail   took 60ms; want at most 1ms\n" +
		"FullStore                  skip   no room\n" +
		"\nconform: 3 checks: 1 pass, 1 fail, 1 skip\n"
	if b.String() != want {
		t.Errorf("WriteText:\n%s\nwant\n%s", b.String(), want)
	}
}

// The intro names the room a run needs and the identifiers it uses.
func TestWriteIntro(t *testing.T) {
	var b bytes.Buffer
	if err := conform.WriteIntro(&b, "store x", 4096); err != nil {
		t.Fatal(err)
	}
	want := "conform: store x: needs room for 5 records of 4096 bytes; uses only ids 0x7073686564000000 to 0x70736a6563ffffff\n"
	if b.String() != want {
		t.Errorf("WriteIntro: %q; want %q", b.String(), want)
	}
}

// A failed write is WriteText's error.
func TestWriteTextError(t *testing.T) {
	f, err := os.Open(os.DevNull) // read-only: every write fails
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := report().WriteText(f); err == nil {
		t.Error("WriteText to a read-only file: no error")
	}
	if err := conform.WriteIntro(f, "x", 1); err == nil {
		t.Error("WriteIntro to a read-only file: no error")
	}
}
