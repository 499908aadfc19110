//go:build vmtest

package vmtest

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/goerst/erst/erst/cper"
	"github.com/goerst/erst/erst/pstore"
)

// printkTime is the time stamp that starts a line of a pstore dump:
// "<level>[seconds.micros] ".
var printkTime = regexp.MustCompile(`^<\d+>\[\s*(\d+)\.(\d+)\]`)

// checkExport runs erst export on the store in dir, which holds what
// Linux wrote when it died of a machine check (TestErstvmCrash): one MCE
// record, and the panic's log in several parts. The store's bytes do not
// change; the parts are joined into one file, Part1's text (which holds
// the panic line) at its end, the panic's time stamp the latest, the text
// that of the parts as erst dump shows them; the MCE record is decoded; and Linux numbered the records
// one after another, the MCE record first (the order export's grouping
// relies on).
func checkExport(t *testing.T, tl tools, dir, store, panicLine string) {
	t.Helper()
	hash := func() [32]byte {
		b, err := os.ReadFile(filepath.Join(dir, store))
		if err != nil {
			t.Fatal(err)
		}
		return sha256.Sum256(b)
	}
	before := hash()
	r := runCommand(t, tl.erst, dir, "-store", store, "export", "-json", "-o", "export")
	if r.code != 0 {
		t.Fatalf("erst -store export: exit %d\n%s", r.code, r.stderr)
	}
	if hash() != before {
		t.Error("erst export changed the store")
	}
	var idx pstore.Index
	if err := json.Unmarshal(r.stdout, &idx); err != nil {
		t.Fatalf("export -json: %v\n%s", err, r.stdout)
	}
	if len(idx.Logs) != 1 {
		t.Fatalf("%d logs, want the panic's: %+v", len(idx.Logs), idx.Logs)
	}
	l := idx.Logs[0]
	t.Logf("the panic log: %s, parts %+v", l.File, l.Parts)
	if l.Reason != "Panic" || len(l.Parts) < 2 || len(l.Missing) > 0 || l.Parts[len(l.Parts)-1].Part != 1 || l.Parts[len(l.Parts)-1].ID != l.FirstID {
		t.Errorf("log %+v: want Panic, several parts, Part1 last, none missing", l)
	}
	text, err := os.ReadFile(filepath.Join(dir, "export", l.File))
	if err != nil {
		t.Fatal(err)
	}
	part1 := text[len(text)-l.Parts[len(l.Parts)-1].Bytes:]
	if !bytes.Contains(part1, []byte(panicLine)) {
		t.Errorf("the end of %s (Part1's %d bytes) lacks the panic line %q", l.File, len(part1), panicLine)
	}
	// The panic is the kernel's last word: no line before it has a later
	// time stamp (lines from early boot may go back in time, when the
	// kernel moves from jiffies to the TSC clock, so only the last line
	// is compared with all others).
	var stamps []float64
	for _, line := range strings.Split(string(text), "\n") {
		if m := printkTime.FindStringSubmatch(line); m != nil {
			ts, _ := strconv.ParseFloat(m[1]+"."+m[2], 64)
			stamps = append(stamps, ts)
		}
	}
	if len(stamps) < 100 {
		t.Fatalf("%s: only %d time-stamped lines", l.File, len(stamps))
	}
	if last := stamps[len(stamps)-1]; slices.Max(stamps) != last {
		t.Errorf("%s: the last line is stamped %f, an earlier one %f: the parts are out of order", l.File, last, slices.Max(stamps))
	}
	// The parts as erst dump decodes them one by one, joined by hand
	// from the highest part down, header lines left out: the file.
	d := runCommand(t, tl.erst, dir, "-store", store, "dump", "-json")
	var dump struct {
		Records []struct {
			Record *cper.RecordJSON `json:"record"`
		} `json:"records"`
	}
	if err := json.Unmarshal(d.stdout, &dump); err != nil || d.code != 0 {
		t.Fatalf("erst dump -json: exit %d, %v\n%s", d.code, err, d.stderr)
	}
	texts := map[int]string{}
	for _, r := range dump.Records {
		if dm := r.Record.Sections[0].Dmesg; dm != nil {
			_, body, _ := strings.Cut(dm.Text, "\n")
			texts[dm.Part] = body
		}
	}
	var want strings.Builder
	for n := len(texts); n >= 1; n-- {
		want.WriteString(texts[n])
	}
	if want.String() != string(text) || len(texts) != len(l.Parts) {
		t.Errorf("%s (%d bytes) differs from the %d parts dump shows joined from the highest (%d bytes)", l.File, len(text), len(texts), want.Len())
	}
	var mce *pstore.RecordEntry
	for i, e := range idx.Records {
		switch e.Kind {
		case pstore.KindMCE:
			mce = &idx.Records[i]
		case pstore.KindDmesg:
		default:
			t.Errorf("record %+v: want only the MCE record and the log's parts", e)
		}
	}
	if mce == nil || len(mce.Files) != 2 {
		t.Fatalf("no MCE record with its two files: %+v", idx.Records)
	}
	if txt, err := os.ReadFile(filepath.Join(dir, "export", mce.Files[1])); err != nil || !strings.Contains(string(txt), "bank: 7") {
		t.Errorf("%s: %v; want the decoded struct mce, bank 7:\n%s", mce.Files[1], err, txt)
	}
	mceID, _ := strconv.ParseUint(mce.ID, 0, 64)
	if first, _ := strconv.ParseUint(l.FirstID, 0, 64); first != mceID+1 {
		t.Errorf("MCE record %s, Part1 %s: Linux did not number them one after another", mce.ID, l.FirstID)
	}
}
