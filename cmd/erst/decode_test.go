package main

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goerst/erst/erst/cper"
)

// memoryRecord is a platform memory error record: Physical Address and
// Memory Error Type valid (UEFI 2.10 §N.2.5).
func memoryRecord(t testing.TB) []byte {
	t.Helper()
	body := make([]byte, 80)
	body[0] = 1 << 1  // Validation Bits: Physical Address
	body[1] = 1 << 6  // bit 14: Memory Error Type
	body[16+1] = 0x50 // Physical Address 0x5000
	body[72] = 3      // Multi-bit ECC
	b := cper.Builder{RecordID: 0x77, Severity: cper.SeverityRecoverable, Notification: cper.NotifyCMC,
		Sections: []cper.SectionSpec{{Type: cper.SectionTypePlatformMemory, Body: body}}}
	raw, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestDecodeForms(t *testing.T) {
	dir := t.TempDir()
	raw := memoryRecord(t)
	b64 := base64.StdEncoding.EncodeToString(raw)
	wrapped := ""
	for i := 0; i < len(b64); i += 76 {
		wrapped += b64[i:min(len(b64), i+76)] + "\n"
	}
	forms := map[string][]byte{
		"binary": raw, "base64": []byte(b64), "base64-wrapped": []byte(wrapped),
		"hex": []byte(hex.EncodeToString(raw) + "\n"), "0x-hex": []byte("0x" + hex.EncodeToString(raw) + "\n"),
	}
	for name, b := range forms {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			out := string(mustRun(t, nil, "decode", path))
			for _, want := range []string{"record 0x77", "Platform Memory Error Section", "Physical Address: 0x5000",
				"Memory Error Type: Multi-bit ECC (3)", "Node: (not valid)"} {
				if !strings.Contains(out, want) {
					t.Errorf("decode lacks %q:\n%s", want, out)
				}
			}
			// The same from stdin.
			if got := string(mustRun(t, b, "decode", "-")); got != out {
				t.Errorf("decode - differs from decode FILE")
			}
		})
	}
}

func TestDecodeJSON(t *testing.T) {
	dir := t.TempDir()
	path := writeTemp(t, dir, memoryRecord(t))
	var j struct {
		Records []struct {
			File   string
			Record *cper.RecordJSON
			Error  string
		}
	}
	if err := json.Unmarshal(mustRun(t, nil, "decode", "-json", path), &j); err != nil {
		t.Fatal(err)
	}
	if len(j.Records) != 1 || j.Records[0].Record == nil || len(j.Records[0].Record.Sections) != 1 {
		t.Fatalf("decode -json: %+v", j)
	}
	var dec struct {
		Name   string
		Fields map[string]json.RawMessage
	}
	if err := json.Unmarshal(j.Records[0].Record.Sections[0].Decoded, &dec); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{
		"physical_address":  `"0x5000"`,
		"node":              `null`,
		"memory_error_type": `{"value":3,"name":"Multi-bit ECC"}`,
	} {
		var c bytes.Buffer
		if err := json.Compact(&c, dec.Fields[k]); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		if got := c.String(); got != want {
			t.Errorf("%s = %s, want %s", k, got, want)
		}
	}
	if j.Records[0].Record.RecordID != "0x0000000000000077" {
		t.Errorf("record_id %s", j.Records[0].Record.RecordID)
	}
}

func TestDecodeBadInput(t *testing.T) {
	dir := t.TempDir()
	good := writeTemp(t, dir, memoryRecord(t))
	bad := writeTemp(t, dir, []byte("this is not a record at all!"))
	code, out, errs := runCmd(t, nil, "decode", good, bad)
	if code != 1 || !strings.Contains(errs, "neither a CPER record") || !strings.Contains(string(out), "Platform Memory Error Section") {
		t.Errorf("decode good bad: exit %d, stderr %q; want 1, the good one decoded and a message for the bad one\n%s", code, errs, out)
	}
	if code, _, errs := runCmd(t, nil, "decode", filepath.Join(dir, "missing")); code != 2 || errs == "" {
		t.Errorf("decode missing: exit %d %q, want 2", code, errs)
	}
	short := memoryRecord(t)[:150]
	if code, _, errs := runCmd(t, short, "decode"); code != 1 || !strings.Contains(errs, "not a valid CPER record") {
		t.Errorf("decode of a cut record: exit %d %q, want 1", code, errs)
	}
	code, out, _ = runCmd(t, nil, "decode", "-json", good, bad)
	if code != 1 || !strings.Contains(string(out), `"error"`) || !strings.Contains(string(out), `"decoded"`) {
		t.Errorf("decode -json good bad: exit %d\n%s", code, out)
	}
}

// buildRecord is a one-section record of type typ holding body.
func buildRecord(t *testing.T, typ cper.SectionType, body []byte) []byte {
	t.Helper()
	b := cper.Builder{RecordID: 0x99, Severity: cper.SeverityCorrected, Notification: cper.NotifyCMC,
		Sections: []cper.SectionSpec{{Type: typ, Body: body}}}
	raw, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestDecodeFindings: a record that decodes but has something wrong with
// it is shown in full and exits 1 with one line per finding naming it;
// -json carries the findings beside the decode.
func TestDecodeFindings(t *testing.T) {
	raw := memoryRecord(t)
	padded := append(append([]byte(nil), raw...), make([]byte, 100)...)
	for i := len(raw); i < len(padded); i++ {
		padded[i] = 0xff // an ERST slot's padding
	}
	// A memory section of 50 bytes: cut inside Requestor ID (UEFI 2.10 §N.2.5).
	shortMem := make([]byte, 50)
	shortMem[0] = 1 << 1  // Validation Bits: Physical Address
	shortMem[16+1] = 0x60 // Physical Address 0x6000
	shortRec := buildRecord(t, cper.SectionTypePlatformMemory, shortMem)
	// RecordLength 40 bytes more than the input holds; the section fits.
	cut := bytes.Clone(raw)
	binary.LittleEndian.PutUint32(cut[cper.OffRecordLength:], uint32(len(raw)+40))
	// SectionCount 0: a header alone.
	empty := bytes.Clone(raw[:cper.HeaderSize])
	binary.LittleEndian.PutUint16(empty[cper.OffSectionCount:], 0)
	binary.LittleEndian.PutUint32(empty[cper.OffRecordLength:], cper.HeaderSize)
	// An ARM section (§N.2.4.4) of 48 bytes whose Section Length says 40.
	arm := make([]byte, 48)
	arm[8] = 40
	armRec := buildRecord(t, cper.SectionTypeARM, arm)

	for _, tc := range []struct {
		name    string
		in      []byte
		finding string // on stderr, after "erst decode: stdin: "
		out     string // on stdout: the decode still shown
	}{
		{"trailing bytes", padded, "100 bytes after the record (RecordLength 280, the input holds 380): ignored", "Physical Address: 0x5000"},
		{"short section", shortRec, "section 0 (PlatformMemory): cper: section body shorter than its structure: Platform Memory Error Section is 80 bytes, this one 50: Requestor ID and what follows are missing", "Physical Address: 0x6000"},
		{"cut short", cut, "record cut short: RecordLength 320, the input holds 280 bytes; every section is within them and decoded", "Memory Error Type: Multi-bit ECC (3)"},
		{"no sections", empty, "cper: record needs at least one section: SectionCount is 0", "record 0x77"},
		{"ARM length", armRec, "section 0 (ARM): cper: section length differs from its descriptor's: ARM Section Length 40, the descriptor's SectionLength 48", "ARM Processor Error Section"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runCmd(t, tc.in, "decode")
			if code != exitFailure || errs != "erst decode: stdin: "+tc.finding+"\n" || !strings.Contains(string(out), tc.out) {
				t.Errorf("exit %d, stderr %q; want 1 and %q; stdout:\n%s", code, errs, tc.finding, out)
			}
			code, out, _ = runCmd(t, tc.in, "decode", "-json")
			var j struct {
				Records []struct {
					Record   *cper.RecordJSON
					Findings []string
				}
			}
			if err := json.Unmarshal(out, &j); err != nil || code != exitFailure || len(j.Records) != 1 ||
				j.Records[0].Record == nil || len(j.Records[0].Findings) != 1 || j.Records[0].Findings[0] != tc.finding {
				t.Errorf("-json: exit %d, %v\n%s", code, err, out)
			}
		})
	}

	// The short section's JSON: the fields that fit, the error beside them.
	_, out, _ := runCmd(t, shortRec, "decode", "-json")
	var j struct {
		Records []struct{ Record *cper.RecordJSON }
	}
	if err := json.Unmarshal(out, &j); err != nil {
		t.Fatal(err)
	}
	var dec struct {
		Fields map[string]json.RawMessage
		Error  string
	}
	if err := json.Unmarshal(j.Records[0].Record.Sections[0].Decoded, &dec); err != nil {
		t.Fatal(err)
	}
	if string(dec.Fields["physical_address"]) != `"0x6000"` || !strings.Contains(dec.Error, "Requestor ID and what follows are missing") {
		t.Errorf("decoded: %s", j.Records[0].Record.Sections[0].Decoded)
	}
}

// TestDecodeNotARecord: input in none of the three forms says so, even
// when it happens to be valid base64.
func TestDecodeNotARecord(t *testing.T) {
	for _, in := range []string{"Zm9vYmFy\n", "hello world, this is text", "0xZZ"} {
		code, out, errs := runCmd(t, []byte(in), "decode")
		want := `erst decode: stdin: neither a CPER record (no "CPER" signature) nor base64 or hex text of one` + "\n"
		if code != exitFailure || errs != want || len(out) != 0 {
			t.Errorf("%q: exit %d, stderr %q", in, code, errs)
		}
	}
}

// TestDecodeRedfish: -format redfish prints a Redfish LogEntry per
// record whose DiagnosticData, fed back to erst decode, is the same record
// byte for byte; dump -format redfish does the same for a store.
func TestDecodeRedfish(t *testing.T) {
	dir := t.TempDir()
	raw := memoryRecord(t)
	path := writeTemp(t, dir, raw)
	var entries []cper.RedfishLogEntry
	if err := json.Unmarshal(mustRun(t, nil, "decode", "-format", "redfish", path), &entries); err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].DiagnosticDataType != "CPER" || entries[0].Severity != "Warning" ||
		entries[0].CPER.SectionType != cper.SectionTypePlatformMemory.GUID().String() {
		t.Fatalf("entries %+v", entries)
	}
	data, err := base64.StdEncoding.DecodeString(entries[0].DiagnosticData)
	if err != nil || !bytes.Equal(data, raw) {
		t.Fatalf("DiagnosticData is not the record: %v", err)
	}
	if a, b := mustRun(t, []byte(entries[0].DiagnosticData), "decode"), mustRun(t, nil, "decode", path); !bytes.Equal(a, b) {
		t.Errorf("decode of DiagnosticData differs from decode of the record:\n%s\n%s", a, b)
	}
	if code, _, errs := runCmd(t, nil, "decode", "-format", "xml", path); code != exitUsage || !strings.Contains(errs, "-format") {
		t.Errorf("-format xml: exit %d %q", code, errs)
	}

	store := filepath.Join(dir, "s.img")
	mustRun(t, nil, "-store", store, "create")
	mustRun(t, nil, "-store", store, "write", path)
	other := writeTemp(t, dir, mustRun(t, nil, "new", "-id", "0xb"))
	mustRun(t, nil, "-store", store, "write", other)
	entries = nil
	if err := json.Unmarshal(mustRun(t, nil, "-store", store, "dump", "-format", "redfish"), &entries); err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Fatalf("dump: %d entries", len(entries))
	}
	// The stored records, as erst read gives them (write stamps the "ER"
	// persistence signature, as Linux's erst_write does).
	byID := map[string][]byte{
		"119": mustRun(t, nil, "-store", store, "read", "0x77"),
		"11":  mustRun(t, nil, "-store", store, "read", "0xb"),
	}
	for _, e := range entries {
		if data, err := base64.StdEncoding.DecodeString(e.DiagnosticData); err != nil || !bytes.Equal(data, byID[e.ID]) {
			t.Errorf("dump entry %s: DiagnosticData is not the stored record (%v)", e.ID, err)
		}
		delete(byID, e.ID)
	}
	if len(byID) != 0 {
		t.Errorf("dump left out %v", byID)
	}
}
