package store

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestReportJSON: a finding about the header has slot null and no id; one
// about a slot has both, the id in hex; a clean report has findings []
// and clean true; UnmarshalJSON reads back what MarshalJSON wrote.
func TestReportJSON(t *testing.T) {
	fs := []Finding{
		{Code: FindVersion, Slot: -1, Detail: "v"},
		{Code: FindIDMismatch, Slot: 3, ID: 0x1234, Detail: "d"},
	}
	b, err := json.Marshal(Report{Path: "s", Findings: fs})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"store":"s","clean":false,"findings":[{"code":"header-version","slot":null,"detail":"v"},{"code":"record-id-mismatch","slot":3,"id":"0x1234","detail":"d"}]}`
	if string(b) != want {
		t.Errorf("Marshal = %s\nwant      %s", b, want)
	}
	var back struct{ Findings []Finding }
	if err := json.Unmarshal(b, &back); err != nil || len(back.Findings) != 2 || back.Findings[0] != fs[0] || back.Findings[1] != fs[1] {
		t.Errorf("Unmarshal = %+v, %v; want %+v", back.Findings, err, fs)
	}
	if b, _ := json.Marshal(Report{Path: "s"}); string(b) != `{"store":"s","clean":true,"findings":[]}` {
		t.Errorf("clean report = %s", b)
	}
	var f Finding
	if err := json.Unmarshal([]byte(`{"code":"x","slot":1,"id":"zz","detail":""}`), &f); err == nil {
		t.Errorf("Unmarshal of id zz = %+v, want an error", f)
	}
}

// TestReportText: one line per finding, as String; nothing when clean.
func TestReportText(t *testing.T) {
	var b bytes.Buffer
	r := Report{Findings: []Finding{{Code: FindCount, Slot: -1, Detail: "a"}, {Code: FindCPER, Slot: 2, ID: 5, Detail: "b"}}}
	if err := r.WriteText(&b); err != nil || b.String() != "count-mismatch: a\nrecord-cper slot 2 id 0x5: b\n" {
		t.Errorf("WriteText = %q, %v", b.String(), err)
	}
	b.Reset()
	if err := (Report{}).WriteText(&b); err != nil || b.Len() != 0 {
		t.Errorf("clean WriteText = %q, %v", b.String(), err)
	}
}
