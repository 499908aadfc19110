package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goerst/erst/erst/cper"
	"github.com/goerst/erst/erst/store/storetest"
)

// runCmd runs the erst command with stdin and returns its exit code,
// stdout and stderr.
func runCmd(t *testing.T, stdin []byte, args ...string) (int, []byte, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, bytes.NewReader(stdin), &out, &errb)
	return code, out.Bytes(), errb.String()
}

func mustRun(t *testing.T, stdin []byte, args ...string) []byte {
	t.Helper()
	code, out, errs := runCmd(t, stdin, args...)
	if code != 0 {
		t.Fatalf("erst %s: exit %d: %s", strings.Join(args, " "), code, errs)
	}
	return out
}

// slotImage is what QEMU's write_erst_record leaves in a slot: the record,
// then 0xFF to the end of the slot.
func slotImage(rec []byte, recordSize int) []byte {
	b := bytes.Repeat([]byte{0xff}, recordSize)
	copy(b, rec)
	return b
}

// TestStoreScriptMatchesQEMU runs new, write, ls -json, read, clear and
// info -json against a -store file and checks the file after every step
// against what QEMU 7.2 writes, built field by field.
func TestStoreScriptMatchesQEMU(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.img")
	const size, rs = 64 << 10, 8192
	// QEMU's fresh 64 KiB store: header in slot 0, storage at 0x2000.
	want := storetest.NewGolden(size, rs).Header(rs, 0x2000, 0)
	check := func(step string) {
		t.Helper()
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if d := storetest.Diff(got, want.Bytes()); d != "" {
			t.Fatalf("after %s the store differs from QEMU's: %s", step, d)
		}
	}

	mustRun(t, nil, "-store", path, "create")
	check("creation")

	a := mustRun(t, nil, "new", "-id", "0x1111", "-text", "first record")
	b := mustRun(t, nil, "new", "-id", "4660", "-severity", "corrected", "-notify", "CMC", "-section", "DMESG")
	if err := cper.Validate(a); err != nil {
		t.Fatalf("new made an invalid record: %v", err)
	}
	recA := filepath.Join(dir, "a.bin")
	if err := os.WriteFile(recA, a, 0o644); err != nil {
		t.Fatal(err)
	}
	if out := mustRun(t, nil, "-store", path, "write", recA); string(out) != "0x1111\n" {
		t.Errorf("write printed %q, want the id", out)
	}
	want.Slot(1, slotImage(a, rs)).Map(1, 0x1111).Count(1)
	check("write a")
	mustRun(t, b, "-store", path, "write", "-")
	want.Slot(2, slotImage(b, rs)).Map(2, 0x1234).Count(2)
	check("write b")

	var ls struct {
		Records []struct {
			ID      string `json:"id"`
			Length  int    `json:"length"`
			Summary string `json:"summary"`
		} `json:"records"`
	}
	if err := json.Unmarshal(mustRun(t, nil, "-store", path, "ls", "-json"), &ls); err != nil {
		t.Fatal(err)
	}
	if len(ls.Records) != 2 || ls.Records[0].ID != "0x1111" || ls.Records[1].ID != "0x1234" || ls.Records[1].Length != len(b) || !strings.Contains(ls.Records[1].Summary, "CMC") {
		t.Errorf("ls -json = %+v", ls)
	}
	check("ls")

	if got := mustRun(t, nil, "-store", path, "read", "0x1234"); !bytes.Equal(got, b) {
		t.Error("read returned other bytes than were written")
	}
	out := filepath.Join(dir, "out.bin")
	mustRun(t, nil, "-store", path, "read", "-o", out, "0")
	if got, _ := os.ReadFile(out); !bytes.Equal(got, a) {
		t.Error("read -o of id 0 did not give the first record")
	}
	check("read")

	mustRun(t, nil, "-store", path, "clear", "0x1111")
	// clear_erst_record zeroes the map entry and the count; the data stays.
	want.Map(1, 0).Count(1)
	check("clear")

	var info map[string]any
	if err := json.Unmarshal(mustRun(t, nil, "-store", path, "info", "-json"), &info); err != nil {
		t.Fatal(err)
	}
	if info["record_count"] != 1.0 || info["capacity"] != 7.0 || info["range_length"] != 8192.0 || info["nvram"] != false {
		t.Errorf("info -json = %v", info)
	}
	check("info")
}

func TestDeviceErrorsAreOneLine(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.img")
	rec := mustRun(t, nil, "new", "-id", "1")
	full := func() {
		for id := 1; id <= 7; id++ {
			r := mustRun(t, nil, "new", "-id", string(rune('0'+id)), "-payload", writeTemp(t, dir, bytes.Repeat([]byte("x"), 7000)))
			mustRun(t, r, "-store", path, "write")
		}
	}
	full()
	before, _ := os.ReadFile(path)
	wrongLen := append([]byte(nil), rec...)
	wrongLen[20]++ // record length field one more than the data
	for _, tc := range []struct {
		name  string
		stdin []byte
		args  []string
		want  string
	}{
		{"full store", mustRun(t, nil, "new", "-id", "99"), []string{"-store", path, "write"}, "not enough space"},
		{"wrong length", wrongLen, []string{"-store", path, "write"}, "length"},
		{"missing id", nil, []string{"-store", path, "read", "0x77"}, "record not found"},
		{"clear missing id", nil, []string{"-store", path, "clear", "0x77"}, "record not found"},
		{"bad id", nil, []string{"-store", path, "read", "zz"}, "bad record id"},
	} {
		code, _, errs := runCmd(t, tc.stdin, tc.args...)
		if code == 0 || !strings.Contains(errs, tc.want) || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("%s: exit %d, stderr %q; want non-zero and one line naming %q", tc.name, code, errs, tc.want)
		}
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("failed writes changed the store file")
	}
}

func writeTemp(t *testing.T, dir string, b []byte) string {
	t.Helper()
	f, err := os.CreateTemp(dir, "payload")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(b); err != nil {
		t.Fatal(err)
	}
	return f.Name()
}

func TestStoreFlagsFollowQEMURules(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		ok   bool
	}{
		{[]string{"-store-size", "1M", "-record-size", "4096"}, true},
		{[]string{"-record-size", "3000"}, false}, // not a power of two
		{[]string{"-record-size", "2048"}, false}, // below 4096
		{[]string{"-store-size", "70000"}, false}, // not a multiple of the record size
		{[]string{"-store-size", "8192"}, false},  // header only: QEMU accepts it, but no record fits
	} {
		path := filepath.Join(dir, strings.Join(tc.args, "_"))
		code, _, errs := runCmd(t, nil, append(append([]string{"-store", path}, tc.args...), "create")...)
		if (code == 0) != tc.ok {
			t.Errorf("%v: exit %d (%s), want success %v", tc.args, code, errs, tc.ok)
		}
	}
	// An existing file's own header wins over the flags, as in QEMU.
	path := filepath.Join(dir, "existing")
	mustRun(t, nil, "-store", path, "-store-size", "128K", "-record-size", "16384", "create")
	var info map[string]any
	json.Unmarshal(mustRun(t, nil, "-store", path, "-record-size", "4096", "info", "-json"), &info)
	if info["record_size"] != 16384.0 || info["store_size"] != 131072.0 {
		t.Errorf("reopened store: %v; want the file's own 16 KiB records and 128 KiB", info)
	}
}

// write takes several files: all are validated before the first is
// written, so one bad file leaves the store untouched.
func TestWriteSeveralFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.img")
	a := writeTemp(t, dir, mustRun(t, nil, "new", "-id", "0xa"))
	b := writeTemp(t, dir, mustRun(t, nil, "new", "-id", "0xb"))
	bad := writeTemp(t, dir, []byte("not a record"))
	mustRun(t, nil, "-store", path, "new", "-id", "1", "-o", filepath.Join(dir, "unused.bin"))
	mustRun(t, nil, "-store", path, "create")
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCmd(t, nil, "-store", path, "write", a, bad, b)
	if code == 0 || len(out) != 0 || !strings.Contains(errs, bad) {
		t.Errorf("write a bad b: exit %d, stdout %q, stderr %q; want a failure naming %s and nothing written", code, out, errs, bad)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("a write that failed validation changed the store")
	}
	if out := mustRun(t, nil, "-store", path, "write", a, b); string(out) != "0xa\n0xb\n" {
		t.Errorf("write a b printed %q, want both ids", out)
	}
	if out := mustRun(t, nil, "-store", path, "ls"); !bytes.Contains(out, []byte("0xa ")) || !bytes.Contains(out, []byte("0xb ")) {
		t.Errorf("ls after write a b:\n%s", out)
	}
}

// erst new's default record is the one Linux's erst_writer builds for the
// same id, text and time (cper.NewPstoreRecord, checked against the
// kernel's own records in vmtest's TestLinuxPstore).
func TestNewIsLinuxPstoreRecord(t *testing.T) {
	got := mustRun(t, nil, "new", "-id", "0x6b0108", "-text", "Panic#1 Part1\nhello\n")
	r, err := cper.Parse(got)
	if err != nil {
		t.Fatal(err)
	}
	at, err := r.Time()
	if err != nil {
		t.Fatal(err)
	}
	want, err := cper.NewPstoreRecord(0x6b0108, cper.SectionTypeDmesg, []byte("Panic#1 Part1\nhello\n"), at)
	if err != nil {
		t.Fatal(err)
	}
	wb, err := want.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, wb) {
		t.Errorf("erst new differs from cper.NewPstoreRecord:\ngot  % x\nwant % x", got, wb)
	}
}

// TestInfoAttributeNames: info names the range attributes through
// erst.Attributes; QEMU's device sets none, which JSON shows as [].
func TestInfoAttributeNames(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.img")
	mustRun(t, nil, "-store", path, "create")
	out := mustRun(t, nil, "-store", path, "info", "-json")
	var info struct {
		Attributes     string   `json:"attributes"`
		AttributeNames []string `json:"attribute_names"`
	}
	if err := json.Unmarshal(out, &info); err != nil || info.Attributes != "0x0" || info.AttributeNames == nil || len(info.AttributeNames) != 0 {
		t.Errorf("info -json: %+v (%v), want attributes 0x0 and attribute_names []", info, err)
	}
}
