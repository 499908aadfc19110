package cper

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"testing"
)

// TestRedfishLogEntry: the property names of DMTF LogEntry v1.15.0, the
// whole record in DiagnosticData, the CPER object's GUIDs and the
// severity mapping.
func TestRedfishLogEntry(t *testing.T) {
	raw := specRecord([]SectionType{SectionTypeFirmwareErrorRecord, SectionTypePlatformMemory},
		[][]byte{make([]byte, 32), memoryAllFields(1 << 1)})
	put32(raw, HeaderSize+DescriptorSize+DescOffFlags, uint32(SectionPrimary)) // the memory section is primary
	put32(raw, OffSeverity, uint32(SeverityFatal))
	r, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	j, err := json.Marshal(NewRedfishLogEntry(r, raw))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(j, &m); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{
		"@odata.type":        "#LogEntry.v1_15_0.LogEntry",
		"@odata.id":          "/redfish/v1/Systems/system/LogServices/ERST/Entries/66",
		"Id":                 "66",
		"EntryType":          "Event",
		"Severity":           "Critical",
		"DiagnosticDataType": "CPER",
	} {
		if m[k] != want {
			t.Errorf("%s = %v, want %v", k, m[k], want)
		}
	}
	cperObj, _ := m["CPER"].(map[string]any)
	if cperObj["NotificationType"] != "2dce8bb1-bdd7-450e-b9ad-9cf4ebd4f890" || cperObj["SectionType"] != "a5bc1114-6f64-4ede-b863-3e83ed7c83b1" {
		t.Errorf("CPER = %v", cperObj)
	}
	data, err := base64.StdEncoding.DecodeString(m["DiagnosticData"].(string))
	if err != nil || !bytes.Equal(data, raw) {
		t.Errorf("DiagnosticData does not decode to the record: %v", err)
	}
	for _, k := range []string{"Name", "Message"} {
		if s, _ := m[k].(string); s == "" {
			t.Errorf("%s empty", k)
		}
	}
	if _, ok := m["Created"]; ok {
		t.Error("Created without a valid timestamp")
	}
	for s, want := range map[Severity]string{SeverityFatal: "Critical", SeverityRecoverable: "Warning",
		SeverityCorrected: "Warning", SeverityInformational: "OK", Severity(9): "Warning"} {
		if got := RedfishSeverity(s); got != want {
			t.Errorf("RedfishSeverity(%v) = %s, want %s", s, got, want)
		}
	}
}
