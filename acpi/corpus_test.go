package acpi

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/goerst/erst/acpi/acpitest"
)

// TestCorpus decodes every table of the corpus, encodes it back to the
// same bytes, and compares every field of its JSON form with ACPICA's
// disassembly beside it (<name>.dsl), including iasl's raw table dump.
func TestCorpus(t *testing.T) {
	for _, ct := range acpitest.Corpus(t) {
		t.Run(ct.Name, func(t *testing.T) {
			tbl, err := DecodeERST(ct.Raw)
			if err != nil {
				t.Fatalf("%s: %v", ct.Path, err)
			}
			if got := tbl.Encode(); !bytes.Equal(got, ct.Raw) {
				t.Errorf("Encode() differs from %s", ct.Path)
			}
			text, err := os.ReadFile(ct.DSLPath)
			if err != nil {
				t.Fatal(err)
			}
			dsl, err := acpitest.ParseDSL(text)
			if err != nil {
				t.Fatalf("%s: %v", ct.DSLPath, err)
			}
			if !bytes.Equal(dsl.Raw, ct.Raw) {
				t.Errorf("%s: raw table data differs from %s", ct.DSLPath, ct.Path)
			}
			js, err := json.Marshal(tbl.JSON())
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range acpitest.CompareJSON(js, dsl) {
				t.Errorf("%s: %s", ct.DSLPath, d)
			}
			var out bytes.Buffer
			if err := tbl.Disassemble(&out); err != nil {
				t.Fatal(err)
			}
			if n := strings.Count(out.String(), "] [Generic Address Structure]"); n != 0 {
				t.Errorf("disassembly mislabels fields: %d odd lines", n)
			}
			if n := strings.Count(out.String(), "Action : "); n != len(tbl.Entries) {
				t.Errorf("disassembly shows %d actions, want %d", n, len(tbl.Entries))
			}
		})
	}
}

// TestCorpusIndex checks the decoded headers against the corpus's own
// index.csv, written independently of this decoder.
func TestCorpusIndex(t *testing.T) {
	dir := acpitest.CorpusDir(t)
	f, err := os.Open(acpitest.CorpusIndex(t))
	if err != nil {
		t.Fatalf("corpus index: %v", err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	for _, name := range []string{"file", "oem_id", "oem_table_id", "length", "revision", "header_length", "entry_count", "checksum_ok"} {
		if _, ok := col[name]; !ok {
			t.Fatalf("index.csv has no %q column", name)
		}
	}
	str := func(b []byte) string { return string(b) }
	for _, row := range rows[1:] {
		raw, err := os.ReadFile(filepath.Join(dir, row[col["file"]]))
		if err != nil {
			t.Error(err)
			continue
		}
		tbl, err := DecodeERST(raw)
		if err != nil {
			t.Errorf("%s: %v", row[col["file"]], err)
			continue
		}
		h := &tbl.Header
		for _, c := range []struct{ field, got string }{
			{"oem_id", str(h.OEMID[:])},
			{"oem_table_id", str(h.OEMTableID[:])},
			{"length", strconv.Itoa(int(h.Length))},
			{"revision", strconv.Itoa(int(h.Revision))},
			{"header_length", strconv.Itoa(int(tbl.HeaderLength))},
			{"entry_count", strconv.Itoa(int(tbl.EntryCount))},
			{"checksum_ok", map[bool]string{true: "True", false: "False"}[tbl.ChecksumOK()]},
		} {
			if want := row[col[c.field]]; c.got != want {
				t.Errorf("%s: %s = %q, index.csv says %q", row[col["file"]], c.field, c.got, want)
			}
		}
	}
}
