package lint

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestWriteText: one line per finding, then the count line with each
// severity counted and "error"/"warning" plural unless there is one.
func TestWriteText(t *testing.T) {
	fs := []Finding{
		{Severity: Error, Code: CodeChecksum, Entry: -1, Message: "bad sum"},
		{Severity: Warning, Code: CodeReservedNonzero, Entry: 2, Message: "w1"},
		{Severity: Warning, Code: CodeReservedNonzero, Entry: 3, Message: "w2"},
	}
	var b bytes.Buffer
	if err := WriteText(&b, "t.dat", fs); err != nil {
		t.Fatal(err)
	}
	want := "error [checksum] bad sum\n" +
		"warning [reserved-nonzero] entry 2: w1\n" +
		"warning [reserved-nonzero] entry 3: w2\n" +
		"t.dat: 1 error, 2 warnings, 0 info\n"
	if b.String() != want {
		t.Errorf("WriteText:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	if err := WriteText(&b, "clean", nil); err != nil || b.String() != "clean: 0 errors, 0 warnings, 0 info\n" {
		t.Errorf("WriteText(none) = %q, %v", b.String(), err)
	}
}

// TestReportJSON: the findings in an object, [] rather than null when
// there are none.
func TestReportJSON(t *testing.T) {
	b, err := json.Marshal(Report{})
	if err != nil || string(b) != `{"findings":[]}` {
		t.Errorf("Marshal(Report{}) = %s, %v", b, err)
	}
	b, _ = json.Marshal(Report{Findings: []Finding{{Severity: Info, Code: CodeFillerAction, Entry: 1, Message: "m"}}})
	if want := `{"findings":[{"severity":"info","code":"filler-action","entry":1,"message":"m"}]}`; string(b) != want {
		t.Errorf("Marshal = %s, want %s", b, want)
	}
}
