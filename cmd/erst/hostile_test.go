package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goerst/erst/acpi/acpitest"
	"github.com/goerst/erst/erst/cper"
	"github.com/goerst/erst/erst/torture"
)

// storeHash is the SHA-256 of the store file at path.
func storeHash(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// twoRecordStore makes a store holding records 0x11 and 0x12.
func twoRecordStore(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "s.img")
	mustRun(t, nil, "-store", path, "create")
	mustRun(t, mustRun(t, nil, "new", "-id", "0x11"), "-store", path, "write")
	mustRun(t, mustRun(t, nil, "new", "-id", "0x12"), "-store", path, "write")
	return path
}

// oneLineEach reports whether every line of stderr starts with prefix.
func oneLineEach(stderr, prefix string) bool {
	for _, l := range strings.Split(strings.TrimSuffix(stderr, "\n"), "\n") {
		if !strings.HasPrefix(l, prefix) {
			return false
		}
	}
	return stderr != ""
}

// ls and dump exit 1 when the device cannot read the records, with one
// line per record on stderr and nothing about them on stdout; -json keeps
// each record's error field.
func TestLsDumpFailWhenReadsFail(t *testing.T) {
	path := twoRecordStore(t)
	before := storeHash(t, path)
	for _, fault := range []string{"status=3", "busy"} {
		for _, cmd := range []string{"ls", "dump"} {
			code, out, errs := runCmd(t, nil, "-store", path, "-fault", fault, cmd)
			if code != 1 || len(out) != 0 || !oneLineEach(errs, "erst "+cmd+": ") ||
				!strings.Contains(errs, "read record 0x11") || !strings.Contains(errs, "2 of 2 records could not be read") {
				t.Errorf("%s under -fault %s: exit %d, stdout %q, stderr %q; want 1, nothing on stdout, the errors on stderr", cmd, fault, code, out, errs)
			}
			code, out, errs = runCmd(t, nil, "-store", path, "-fault", fault, cmd, "-json")
			var j struct {
				Records []struct{ ID, Error string }
			}
			if err := json.Unmarshal(out, &j); err != nil || len(j.Records) != 2 || j.Records[0].Error == "" {
				t.Errorf("%s -json under -fault %s: %v, %s; want both records with their error", cmd, fault, err, out)
			}
			if code != 1 || !strings.Contains(errs, "2 of 2 records could not be read") {
				t.Errorf("%s -json under -fault %s: exit %d, stderr %q; want 1 and the count", cmd, fault, code, errs)
			}
		}
	}
	if storeHash(t, path) != before {
		t.Error("failed reads changed the store")
	}
	if code, out, errs := runCmd(t, nil, "-store", path, "ls"); code != 0 || errs != "" || !bytes.Contains(out, []byte("0x12 ")) {
		t.Errorf("ls without faults: exit %d, stderr %q, stdout %q", code, errs, out)
	}
}

// write -json prints one JSON document for the whole batch.
func TestWriteJSONIsOneDocument(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.img")
	a := writeTemp(t, dir, mustRun(t, nil, "new", "-id", "0xa"))
	b := writeTemp(t, dir, mustRun(t, nil, "new", "-id", "0xb"))
	out := mustRun(t, nil, "-store", path, "write", "-json", a, b)
	var j struct {
		Records []struct {
			ID     string
			Length int
		}
	}
	if err := json.Unmarshal(out, &j); err != nil || len(j.Records) != 2 || j.Records[0].ID != "0xa" || j.Records[1].ID != "0xb" || j.Records[1].Length == 0 {
		t.Errorf("write -json a b: %v\n%s\nwant one document listing 0xa and 0xb", err, out)
	}
}

// erst new without -id gives every record its own id, in the order made.
func TestNewDefaultIDsAreUnique(t *testing.T) {
	var last uint64
	for i := 0; i < 100; i++ {
		out := mustRun(t, nil, "new")
		id := binary.LittleEndian.Uint64(out[cper.OffRecordID:])
		if id <= last {
			t.Fatalf("record %d has id %#x, not above the previous %#x", i, id, last)
		}
		if sec := int64(id >> 32); sec < time.Now().Unix()-60 || sec > time.Now().Unix()+60 {
			t.Fatalf("id %#x: the high 32 bits are not the time in seconds, as Linux's are", id)
		}
		last = id
	}
}

// write refuses two records with one id, and writes nothing.
func TestWriteRefusesDuplicateIDs(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.img")
	mustRun(t, nil, "-store", path, "create")
	a := writeTemp(t, dir, mustRun(t, nil, "new", "-id", "0x11", "-text", "a"))
	b := writeTemp(t, dir, mustRun(t, nil, "new", "-id", "0x11", "-text", "b"))
	before := storeHash(t, path)
	code, out, errs := runCmd(t, nil, "-store", path, "write", a, b)
	if code != 1 || len(out) != 0 || !strings.Contains(errs, "0x11") || !strings.Contains(errs, b) || strings.Count(errs, "\n") != 1 {
		t.Errorf("write a b with one id: exit %d, stdout %q, stderr %q; want 1 and one line naming the id and the file", code, out, errs)
	}
	if storeHash(t, path) != before {
		t.Error("a refused write changed the store")
	}
}

// new -section without -payload makes a zeroed structure for a binary
// section it knows, and refuses one it does not; never text as a body.
func TestNewSectionDefaultBody(t *testing.T) {
	out := mustRun(t, nil, "new", "-id", "0x5", "-section", "PlatformMemory")
	r, err := cper.Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	if body := r.Sections[0].Body; len(body) != 80 || !bytes.Equal(body, make([]byte, 80)) {
		t.Errorf("PlatformMemory body % x; want the 80-byte structure, zeroed", body)
	}
	code, out, errs := runCmd(t, nil, "new", "-id", "0x5", "-section", "MCE")
	if code != 2 || len(out) != 0 || !strings.Contains(errs, "-section") || strings.Count(errs, "\n") != 1 {
		t.Errorf("new -section MCE: exit %d, stdout %d bytes, stderr %q; want 2 and one line about -section", code, len(out), errs)
	}
	if out := mustRun(t, nil, "new", "-id", "0x5", "-section", "MCE", "-text", "x"); len(out) == 0 {
		t.Error("new -section MCE -text printed nothing")
	}
}

// Errors are one line naming the flag; flags after arguments are parsed.
func TestFlagErrorsAreOneLine(t *testing.T) {
	path := twoRecordStore(t)
	before := storeHash(t, path)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-store", path, "-fault", "status=300", "ls"}, `-fault: fault "status=300"`},
		{[]string{"-store", path, "-nosuch", "ls"}, "-nosuch"},
		{[]string{"-store", path, "torture", "-n", "-1"}, "-n -1: want a count"},
		{[]string{"-store", path, "torture", "-keep", "-1"}, "-keep -1: want a count"},
		{[]string{"-store", path, "ls", "-bogus"}, "-bogus"},
		{[]string{"ls", "-store", path}, "-store is a global flag"},
		{[]string{"-store", path, "read", "0x11", "-o"}, "flag needs an argument: -o"},
	} {
		code, out, errs := runCmd(t, nil, tc.args...)
		if code != 2 || len(out) != 0 || !strings.Contains(errs, tc.want) || strings.Count(errs, "\n") != 1 {
			t.Errorf("erst %v: exit %d, stderr %q; want 2 and one line with %q", tc.args, code, errs, tc.want)
		}
	}
	if strings.Contains(string(must2(runCmd(t, nil, "-store", path, "torture", "-n", "-1"))), "-start") {
		t.Error("torture -n -1 blames -start too")
	}
	out := filepath.Join(t.TempDir(), "out.bin")
	if code, stdout, errs := runCmd(t, nil, "-store", path, "read", "0x11", "-o", out); code != 0 || len(stdout) != 0 || errs != "" {
		t.Errorf("read 0x11 -o FILE: exit %d, stdout %d bytes, stderr %q; want the record in FILE", code, len(stdout), errs)
	}
	if b, err := os.ReadFile(out); err != nil || binary.LittleEndian.Uint64(b[cper.OffRecordID:]) != 0x11 {
		t.Errorf("read 0x11 -o FILE: %v; FILE holds %d bytes, want record 0x11", err, len(b))
	}
	// "-" stays an argument, and "--" ends the flags.
	if code, _, errs := runCmd(t, nil, "-store", path, "clear", "--", "-all"); code != 2 || !strings.Contains(errs, `"-all"`) {
		t.Errorf("clear -- -all: exit %d, stderr %q; want -all taken as a (bad) record id", code, errs)
	}
	if storeHash(t, path) != before {
		t.Error("refused commands changed the store")
	}
}

// must2 is runCmd's stderr.
func must2(_ int, _ []byte, stderr string) string { return stderr }

// The subcommand list has whole sentences; a fault kind given twice is
// refused; a store given as a table says what it is; acpidump text with
// two ERST tables gets a note.
func TestHelpFaultsAndTables(t *testing.T) {
	_, _, help := runCmd(t, nil, "-h")
	_, list, _ := strings.Cut(help, "subcommands:\n")
	list, _, _ = strings.Cut(list, "\n\n")
	if n := strings.Count(list, "\n") + 1; n != len(prog.Names()) {
		t.Fatalf("the help lists %d subcommands, want %d:\n%s", n, len(prog.Names()), list)
	}
	for _, l := range strings.Split(list, "\n") {
		if !strings.HasSuffix(l, ".") {
			t.Errorf("help cuts a description: %q", l)
		}
	}

	path := twoRecordStore(t)
	before := storeHash(t, path)
	for _, f := range []string{"status=1,status=2", "busy,slow=1ms"} {
		code, _, errs := runCmd(t, nil, "-store", path, "-fault", f, "ls")
		if code != 2 || !strings.Contains(errs, "already given") || strings.Count(errs, "\n") != 1 {
			t.Errorf("-fault %s: exit %d, stderr %q; want 2 and one line refusing the second", f, code, errs)
		}
	}
	code, out, errs := runCmd(t, nil, "table", path)
	if code != 2 || len(out) != 0 || !strings.Contains(errs, "this is an erst store") || !strings.Contains(errs, path) || strings.Count(errs, "\n") != 1 {
		t.Errorf("table STORE: exit %d, stderr %q; want 2 and one line saying it is a store", code, errs)
	}
	if storeHash(t, path) != before {
		t.Error("refused commands changed the store")
	}

	tab := smallTable()
	two := writeFile(t, t.TempDir(), "two.txt", append(acpitest.Acpidump("ERST", 0x1000, tab), acpitest.Acpidump("ERST", 0x2000, tab)...))
	code, out, errs = runCmd(t, nil, "table", two)
	if code != 0 || len(out) == 0 || !strings.Contains(errs, "holds 2 ERST tables; this is the first") {
		t.Errorf("table on two ERST tables: exit %d, stderr %q; want the first and a note", code, errs)
	}
	one := writeFile(t, t.TempDir(), "one.txt", acpitest.Acpidump("ERST", 0x1000, tab))
	if code, _, errs := runCmd(t, nil, "table", one); code != 0 || errs != "" {
		t.Errorf("table on one ERST table: exit %d, stderr %q; want no note", code, errs)
	}
}

// verify finds acknowledged records that are gone: by the gaps in the
// seed's counters, or exactly with -acks (torture's own output); a seed
// with no record in the store fails unless -empty-ok.
func TestVerifyFindsMissingRecords(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.img")
	mustRun(t, nil, "-store", path, "create")
	out := mustRun(t, nil, "-store", path, "torture", "-seed", "5", "-n", "5")
	acks := writeFile(t, dir, "acks.txt", out)
	ids, err := torture.ReadAcks(bytes.NewReader(out))
	if err != nil || len(ids) != 5 {
		t.Fatalf("torture's output: %v, %d acks\n%s", err, len(ids), out)
	}
	hex := func(id uint64) string { return "0x" + strconv.FormatUint(id, 16) }
	mustRun(t, nil, "-store", path, "clear", hex(ids[1]), hex(ids[3]))
	before := storeHash(t, path)
	defer func() {
		if storeHash(t, path) != before {
			t.Error("verify changed the store")
		}
	}()

	code, stdout, errs := runCmd(t, nil, "-store", path, "verify", "-seed", "5")
	if code != 1 || !strings.Contains(string(stdout), "missing "+hex(ids[1])) || !strings.Contains(string(stdout), "missing "+hex(ids[3])) ||
		!strings.Contains(errs, "2 missing") || strings.Count(errs, "\n") != 1 {
		t.Errorf("verify after clearing two of five: exit %d\n%s%s; want 1 naming both", code, stdout, errs)
	}

	// The oldest gone leaves no gap; -acks still sees it.
	mustRun(t, nil, "-store", path, "clear", hex(ids[0]))
	before = storeHash(t, path)
	code, stdout, errs = runCmd(t, nil, "-store", path, "verify", "-seed", "5", "-acks", acks, "-json")
	var j struct {
		OK      bool
		Missing []string
	}
	if err := json.Unmarshal(stdout, &j); err != nil || code != 1 || j.OK || strings.Join(j.Missing, " ") != hex(ids[0])+" "+hex(ids[1])+" "+hex(ids[3]) {
		t.Errorf("verify -acks -json: exit %d, %v, %s %s; want the three cleared ids missing", code, err, stdout, errs)
	}
	// A clear line in the output means the record is not expected.
	acks2 := writeFile(t, dir, "acks2.txt", append(out, []byte("clear "+hex(ids[0])+"\nclear "+hex(ids[1])+"\nclear "+hex(ids[3])+"\n")...))
	if code, stdout, errs := runCmd(t, nil, "-store", path, "verify", "-seed", "5", "-acks", acks2); code != 0 {
		t.Errorf("verify -acks with the clears: exit %d\n%s%s; want 0", code, stdout, errs)
	}

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"verify", "-seed", "6"}, 1, "no record of seed 0x6"},
		{[]string{"verify", "-seed", "6", "-acks", acks}, 2, "not a torture record of seed 0x6"},
		{[]string{"verify", "-seed", "5", "-acks", writeFile(t, dir, "bad.txt", []byte("ack 0x1\nhello\n"))}, 2, "line 2"},
		{[]string{"verify", "-seed", "5", "-acks", filepath.Join(dir, "none.txt")}, 2, "none.txt"},
	} {
		code, _, errs := runCmd(t, nil, append([]string{"-store", path}, tc.args...)...)
		if code != tc.code || !strings.Contains(errs, tc.want) || strings.Count(errs, "\n") != 1 {
			t.Errorf("erst %v: exit %d, stderr %q; want %d and one line with %q", tc.args, code, errs, tc.code, tc.want)
		}
	}
	if code, _, errs := runCmd(t, nil, "-store", path, "verify", "-seed", "6", "-empty-ok"); code != 0 {
		t.Errorf("verify -seed 6 -empty-ok: exit %d, %s", code, errs)
	}
}
