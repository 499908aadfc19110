package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goerst/erst/erst/cper"
	"github.com/goerst/erst/erst/pstore"
)

// pstoreFile writes a record as Linux's erst_writer would to a file in dir.
func pstoreFile(t *testing.T, dir string, id uint64, typ cper.SectionType, body []byte) string {
	t.Helper()
	r, err := cper.NewPstoreRecord(id, typ, body, time.Unix(1700000000, 0))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := r.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return writeTemp(t, dir, raw)
}

func readIndex(t *testing.T, dir string) pstore.Index {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	var idx pstore.Index
	if err := json.Unmarshal(b, &idx); err != nil {
		t.Fatalf("index.json: %v", err)
	}
	return idx
}

// exportStore makes a store holding a panic log of three parts written
// out of order (Part2, the MCE record, Part3, Part1; Part1 compressed),
// as Linux numbers them: the MCE record first, then Part1, Part2, Part3.
func exportStore(t *testing.T, dir string, skip int) (store, want string) {
	const mceID, first = 0x6b0e000000000001, 0x6b0e000000000002
	parts := map[int]string{
		3: "<6>[    0.000000] Linux version 6.1.0 (the oldest text)\n",
		2: "<6>[    1.000000] the middle of the log\n",
		1: "<0>[    2.000000] Kernel panic - not syncing: sysrq triggered crash\n",
	}
	body := func(n int) []byte { return []byte(cper.DmesgHead("Panic", 1, n) + parts[n]) }
	store = filepath.Join(dir, "s.img")
	files := map[int]string{
		2: pstoreFile(t, dir, first+1, cper.SectionTypeDmesg, body(2)),
		0: pstoreFile(t, dir, mceID, cper.SectionTypeMCE, make([]byte, 88)),
		3: pstoreFile(t, dir, first+2, cper.SectionTypeDmesg, body(3)),
		1: pstoreFile(t, dir, first, cper.SectionTypeDmesgZ, cper.DeflateDmesg(body(1))),
	}
	args := []string{"-store", store, "write"}
	for _, n := range []int{2, 0, 3, 1} {
		if n != skip {
			args = append(args, files[n])
		}
	}
	mustRun(t, nil, args...)
	return store, parts[3] + parts[2] + parts[1]
}

// TestExportStore: export joins a three-part panic log stored out of
// order into one file, oldest text first, writes the MCE record decoded
// and index.json, and -json prints that index; the store's bytes do not
// change.
func TestExportStore(t *testing.T) {
	dir := t.TempDir()
	store, want := exportStore(t, dir, -1)
	before := fileHash(t, store)
	outDir := filepath.Join(dir, "out")
	out := string(mustRun(t, nil, "-store", store, "export", "-o", outDir))
	if fileHash(t, store) != before {
		t.Error("export changed the store")
	}
	log := "dmesg-6b0e000000000002.txt"
	got, err := os.ReadFile(filepath.Join(outDir, log))
	if err != nil || string(got) != want {
		t.Errorf("%s: %q, %v\nwant %q", log, got, err, want)
	}
	for _, f := range []string{"mce-6b0e000000000001.json", "mce-6b0e000000000001.txt"} {
		if _, err := os.Stat(filepath.Join(outDir, f)); err != nil {
			t.Error(err)
		}
	}
	for _, line := range []string{
		log + ": Panic#1 from Part3 0x6b0e000000000004, Part2 0x6b0e000000000003, Part1 0x6b0e000000000002",
		"mce-6b0e000000000001.json, mce-6b0e000000000001.txt: record 0x6b0e000000000001 (mce)",
		"exported 4 record(s) from store " + store + " into " + outDir,
	} {
		if !strings.Contains(out, line) {
			t.Errorf("stdout lacks %q:\n%s", line, out)
		}
	}
	idx := readIndex(t, outDir)
	if len(idx.Records) != 4 || len(idx.Logs) != 1 || idx.Records[0].Part != "Panic#1 Part2" || idx.Logs[0].File != log {
		t.Errorf("index.json: %+v", idx)
	}
	// -json prints the same index (into another directory).
	js := mustRun(t, nil, "-store", store, "export", "-json", "-o", filepath.Join(dir, "out2"))
	if index, _ := os.ReadFile(filepath.Join(outDir, "index.json")); !bytes.Equal(js, index) {
		t.Errorf("export -json printed\n%s\nindex.json holds\n%s", js, index)
	}
	if fileHash(t, store) != before {
		t.Error("export -json changed the store")
	}
}

// TestExportMissingPart: a log whose Part2 is not in the store is
// exported with a line saying so where it belongs; the command names it
// on stderr and exits 1.
func TestExportMissingPart(t *testing.T) {
	dir := t.TempDir()
	store, _ := exportStore(t, dir, 2)
	outDir := filepath.Join(dir, "out")
	code, _, errs := runCmd(t, nil, "-store", store, "export", "-o", outDir)
	if code != exitFailure || !strings.Contains(errs, "Panic#1 Part2 (record 0x6b0e000000000003) missing") {
		t.Errorf("exit %d, stderr %q; want 1 and the missing part named", code, errs)
	}
	got, _ := os.ReadFile(filepath.Join(outDir, "dmesg-6b0e000000000002.txt"))
	wantGap := pstore.GapLine("Panic", 1, 0x6b0e000000000002, pstore.Gap{First: 2, Last: 2})
	if !strings.Contains(string(got), "(the oldest text)\n"+wantGap+"<0>") {
		t.Errorf("the log does not show the gap between Part3 and Part1:\n%s", got)
	}
	if l := readIndex(t, outDir).Logs; len(l) != 1 || len(l[0].Missing) != 1 {
		t.Errorf("index.json logs %+v, want one with Part2 missing", l)
	}
}

// TestExportOutputDir: export refuses an -o that holds files (unless
// -force) or is not a directory, in one line, and touches nothing;
// -force replaces the files it writes and leaves the others.
func TestExportOutputDir(t *testing.T) {
	dir := t.TempDir()
	store, _ := exportStore(t, dir, -1)
	outDir := filepath.Join(dir, "out")
	if err := os.Mkdir(outDir, 0o755); err != nil {
		t.Fatal(err)
	}
	mine := filepath.Join(outDir, "notes.txt")
	os.WriteFile(mine, []byte("mine"), 0o644)
	code, _, errs := runCmd(t, nil, "-store", store, "export", "-o", outDir)
	if code != exitUsage || !strings.Contains(errs, "not empty") || !strings.Contains(errs, "-force") || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Errorf("export into a directory with a file: exit %d, %q; want 2 and one line naming -force", code, errs)
	}
	if ents, _ := os.ReadDir(outDir); len(ents) != 1 {
		t.Errorf("the refused export wrote into %s: %v", outDir, ents)
	}
	stale := filepath.Join(outDir, "index.json")
	os.WriteFile(stale, []byte("old"), 0o644)
	mustRun(t, nil, "-store", store, "export", "-force", "-o", outDir)
	if b, _ := os.ReadFile(mine); string(b) != "mine" {
		t.Error("-force changed a file export does not write")
	}
	if idx := readIndex(t, outDir); len(idx.Records) != 4 {
		t.Errorf("-force: index.json has %d records, want 4", len(idx.Records))
	}
	// An empty directory is filled without -force.
	empty := filepath.Join(dir, "empty")
	os.Mkdir(empty, 0o755)
	mustRun(t, nil, "-store", store, "export", "-o", empty)
	if idx := readIndex(t, empty); len(idx.Records) != 4 {
		t.Errorf("empty -o: index.json has %d records", len(idx.Records))
	}
	code, _, errs = runCmd(t, nil, "-store", store, "export", "-force", "-o", store)
	if code != exitUsage || !strings.Contains(errs, "not a directory") {
		t.Errorf("-o the store file: exit %d, %q; want 2, not a directory", code, errs)
	}
	code, _, errs = runCmd(t, nil, "-store", store, "export", "-o", filepath.Join(dir, "no", "such"))
	if code != exitUsage || !strings.Contains(errs, "does not exist") {
		t.Errorf("-o in a missing directory: exit %d, %q; want 2, does not exist", code, errs)
	}
	// A missing store is not created, nor is -o.
	code, _, errs = runCmd(t, nil, "-store", filepath.Join(dir, "typo.img"), "export", "-o", filepath.Join(dir, "none"))
	if code != exitUsage || !strings.Contains(errs, "does not exist") {
		t.Errorf("export of a missing store: exit %d, %q", code, errs)
	}
	for _, p := range []string{"typo.img", "none"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err == nil {
			t.Errorf("export of a missing store created %s", p)
		}
	}
	if tmp, _ := filepath.Glob(filepath.Join(dir, ".erst-export-*")); len(tmp) > 0 {
		t.Errorf("export left its temporary directories: %v", tmp)
	}
}

// TestExportFiles: export reads record files (binary or base64) instead
// of a store; a file that is not a record, two files of one record id, or
// files with -store are refused in one line before anything is written.
func TestExportFiles(t *testing.T) {
	dir := t.TempDir()
	p1 := pstoreFile(t, dir, 0x21, cper.SectionTypeDmesg, []byte("Oops#1 Part1\nthe end\n"))
	raw2, _ := os.ReadFile(pstoreFile(t, dir, 0x22, cper.SectionTypeDmesg, []byte("Oops#1 Part2\nthe start\n")))
	p2 := writeTemp(t, dir, []byte(fmt.Sprintf("%s\n", base64.StdEncoding.EncodeToString(raw2))))
	outDir := filepath.Join(dir, "out")
	mustRun(t, nil, "export", "-o", outDir, p1, p2)
	if got, _ := os.ReadFile(filepath.Join(outDir, "dmesg-0000000000000021.txt")); string(got) != "the start\nthe end\n" {
		t.Errorf("joined log %q", got)
	}
	junk := writeTemp(t, dir, []byte("hello"))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"export", "-o", filepath.Join(dir, "a"), p1, junk}, junk + ": "},
		{[]string{"export", "-o", filepath.Join(dir, "b"), p1, p1}, "are both record 0x21"},
		{[]string{"-store", filepath.Join(dir, "s.img"), "export", "-o", filepath.Join(dir, "c"), p1}, "not both"},
		{[]string{"export", "-o", filepath.Join(dir, "d"), filepath.Join(dir, "missing")}, "missing"},
	} {
		code, _, errs := runCmd(t, nil, tc.args...)
		if code != exitUsage || !strings.Contains(errs, tc.want) || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("%v: exit %d, %q; want 2 and one line with %q", tc.args, code, errs, tc.want)
		}
	}
	for _, p := range []string{"a", "b", "c", "d", "s.img"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err == nil {
			t.Errorf("a refused export created %s", p)
		}
	}
}
