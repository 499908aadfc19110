package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goerst/erst/erst/cper"
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
