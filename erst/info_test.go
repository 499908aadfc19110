package erst

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// TestInfo: without timings and store the JSON has nulls and [] for no
// attribute bits and the text says the timings are absent; with them, the
// timings split into max and nominal microseconds and the geometry shows.
func TestInfo(t *testing.T) {
	bare := Info{Device: "live device", Range: Range{Base: 0x1000, Length: 8192}, Timeout: time.Millisecond, RecordCount: 2}
	b, err := json.Marshal(bare)
	want := `{"device":"live device","range_base":"0x1000","range_length":8192,"attributes":"0x0","attribute_names":[],"nvram":false,` +
		`"timings":null,"max_execute_us":null,"nominal_execute_us":null,"timeout_us":1000,"record_count":2,"capacity":null,"record_size":null,"store_size":null}`
	if err != nil || string(b) != want {
		t.Errorf("JSON = %s, %v\nwant   %s", b, err, want)
	}
	var w bytes.Buffer
	if err := bare.WriteText(&w); err != nil {
		t.Fatal(err)
	}
	wantText := "device:          live device\n" +
		"error log range: 0x1000, 8192 bytes\n" +
		"attributes:      0x0 []\n" +
		"execute timings: not in the table (ACPI 6.3+)\n" +
		"busy timeout:    1ms\n" +
		"records:         2\n"
	if w.String() != wantText {
		t.Errorf("WriteText:\n%s\nwant:\n%s", w.String(), wantText)
	}

	full := bare
	full.Range.Attributes, full.Range.Timings, full.Range.HasTimings = 0x2|0x8, Timings(300<<32|20), true
	full.Store = &StoreGeometry{Capacity: 7, RecordSize: 8192, Size: 65536}
	b, _ = json.Marshal(full)
	var got map[string]any
	json.Unmarshal(b, &got)
	if got["timings"] != "0x12c00000014" || got["max_execute_us"] != 300.0 || got["nominal_execute_us"] != 20.0 || got["nvram"] != true ||
		got["capacity"] != 7.0 || got["record_size"] != 8192.0 || got["store_size"] != 65536.0 {
		t.Errorf("JSON with timings and store = %s", b)
	}
	if names, _ := got["attribute_names"].([]any); len(names) != 2 || names[0] != "NVRAM" || names[1] != "0x8" {
		t.Errorf("attribute_names = %v, want [NVRAM 0x8]", got["attribute_names"])
	}
	w.Reset()
	full.WriteText(&w)
	for _, line := range []string{
		"attributes:      0xa [NVRAM 0x8]\n",
		"execute timings: 0x12c00000014 (max 300, nominal 20; µs per ACPI)\n",
		"capacity:        7 records of up to 8192 bytes (65536-byte store)\n",
	} {
		if !bytes.Contains(w.Bytes(), []byte(line)) {
			t.Errorf("WriteText lacks %q:\n%s", line, w.String())
		}
	}
}
