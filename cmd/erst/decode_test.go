package main

import (
	"bytes"
	"encoding/base64"
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
func memoryRecord(t *testing.T) []byte {
	t.Helper()
	body := make([]byte, 80)
	body[0] = 1 << 1  // Validation Bits: Physical Address
	body[1] = 1 << 6  // bit 14: Memory Error Type
	body[16+1] = 0x50 // Physical Address 0x5000
	body[72] = 3      // Multi-bit ECC
	b := cper.Builder{RecordID: 0x77, Severity: cper.SeverityRecoverable, Notification: cper.NotifyCMC,
		Sections: []cper.SectionSpec{{Type: cper.SectionTypePlatformMemory, Body: body}}}
	r, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := r.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestDecodeForms(t *testing.T) {
	dir := t.TempDir()
	raw := memoryRecord(t)
	padded := append(append([]byte(nil), raw...), make([]byte, 100)...)
	for i := len(raw); i < len(padded); i++ {
		padded[i] = 0xff // an ERST slot's padding
	}
	b64 := base64.StdEncoding.EncodeToString(raw)
	wrapped := ""
	for i := 0; i < len(b64); i += 76 {
		wrapped += b64[i:min(len(b64), i+76)] + "\n"
	}
	forms := map[string][]byte{
		"binary": raw, "padded": padded, "base64": []byte(b64), "base64-wrapped": []byte(wrapped),
		"hex": []byte(hex.EncodeToString(raw) + "\n"),
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
