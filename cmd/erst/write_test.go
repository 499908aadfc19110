package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goerst/erst/erst/cper"
)

// withID returns a copy of rec with its RecordID set to id (CPER has no
// checksum, so the record stays valid).
func withID(rec []byte, id uint64) []byte {
	b := bytes.Clone(rec)
	binary.LittleEndian.PutUint64(b[cper.OffRecordID:], id)
	return b
}

// TestWriteAllOrNothing: whatever can be checked before the first write is
// (ids 0 and ~0, a record longer than the error log address range, free
// slots in the store), so a bad record anywhere in the list leaves the
// store as it was and prints no id.
func TestWriteAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.img") // 7 slots of 8 KiB
	rec := func(id string) string {
		return writeFile(t, dir, id+".bin", mustRun(t, nil, "new", "-id", id))
	}
	for i := 1; i <= 5; i++ {
		mustRun(t, nil, "-store", path, "write", rec(fmt.Sprint(i)))
	}
	a, b, c := rec("0xa"), rec("0xb"), rec("0xc")
	one := mustRun(t, nil, "new", "-id", "0xd")
	zero := writeFile(t, dir, "zero.bin", withID(one, 0))
	ones := writeFile(t, dir, "ones.bin", withID(one, ^uint64(0)))
	big := writeFile(t, dir, "big.bin", mustRun(t, nil, "new", "-id", "0xe", "-text", strings.Repeat("x", 9000)))

	before := readFile(t, path)
	for _, tc := range []struct {
		name  string
		files []string
		want  string
	}{
		{"id 0 last", []string{a, zero}, "zero.bin: record id 0x0 is reserved"},
		{"id ~0 last", []string{a, ones}, "ones.bin: record id 0xffffffffffffffff is reserved"},
		{"longer than the range", []string{a, big}, "big.bin: the record length field says 9"},
		{"3 new records, 2 free slots", []string{a, b, c}, "not enough space: 3 new records, the store has 2 free slots of 7"},
	} {
		code, out, errs := runCmd(t, nil, append([]string{"-store", path, "write"}, tc.files...)...)
		if code != exitFailure || len(out) != 0 || !strings.Contains(errs, tc.want) || strings.Count(errs, "\n") != 1 {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 1, no output, one line with %q", tc.name, code, out, errs, tc.want)
		}
		if !bytes.Equal(readFile(t, path), before) {
			t.Fatalf("%s: a refused write changed the store", tc.name)
		}
	}

	// An id already stored is overwritten in place and needs no free slot;
	// an id named twice is refused (TestWriteRefusesDuplicateIDs).
	if out := mustRun(t, nil, "-store", path, "write", rec("1"), a, b); string(out) != "0x1\n0xa\n0xb\n" {
		t.Errorf("write 1 a b printed %q", out)
	}
}

// endless is input that never ends (as /dev/zero): head, then zeros. It
// counts what was read and fails past limit, so that reading it all ends.
type endless struct {
	head  []byte
	n     int64
	limit int64
}

func (r *endless) Read(p []byte) (int, error) {
	if r.n >= r.limit {
		return 0, errors.New("endless: read past the limit")
	}
	p = p[:min(int64(len(p)), r.limit-r.n)]
	for i := range p {
		p[i] = 0
		if r.n+int64(i) < int64(len(r.head)) {
			p[i] = r.head[r.n+int64(i)]
		}
	}
	r.n += int64(len(p))
	return len(p), nil
}

// TestWriteReadsTheHeaderFirst: write refuses endless or huge input by
// its header (not a CPER header, or a RecordLength beyond the error log
// address range) without reading the rest, and input that goes on after
// RecordLength after reading one byte of it.
func TestWriteReadsTheHeaderFirst(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.img")
	rec := mustRun(t, nil, "new", "-id", "0x42")
	huge := bytes.Clone(rec[:cper.HeaderSize])
	binary.LittleEndian.PutUint32(huge[cper.OffRecordLength:], 1<<30) // 1 GiB
	cases := []struct {
		name     string
		head     []byte
		want     string
		maxBytes int64
	}{
		{"/dev/zero", nil, `signature "\x00\x00\x00\x00"`, cper.HeaderSize},
		{"1 GiB record", huge, "the record length field says 1073741824 bytes, more than the 8192-byte error log address range", cper.HeaderSize},
		{"record then zeros", rec, "goes on after", int64(len(rec)) + 1},
	}
	// A store write would create, then one that exists.
	for _, exists := range []bool{false, true} {
		if exists {
			mustRun(t, nil, "-store", path, "create")
		}
		before, _ := os.ReadFile(path)
		for _, tc := range cases {
			in := &endless{head: tc.head, limit: 64 << 20}
			var out, errb bytes.Buffer
			code := run([]string{"-store", path, "write"}, in, &out, &errb)
			if code != exitFailure || out.Len() != 0 || !strings.Contains(errb.String(), tc.want) {
				t.Errorf("%s (store exists: %v): exit %d, stdout %q, stderr %q; want exit 1 saying %q", tc.name, exists, code, out.Bytes(), errb.String(), tc.want)
			}
			if in.n > tc.maxBytes {
				t.Errorf("%s (store exists: %v): read %d bytes of input before refusing it, want at most %d", tc.name, exists, in.n, tc.maxBytes)
			}
		}
		if after, _ := os.ReadFile(path); !bytes.Equal(after, before) {
			t.Errorf("refused writes changed (or created) the store (store exists: %v)", exists)
		}
	}
}

// TestWriteRefusedCreatesNoStore: write creates a missing -store, but
// only for records that pass every check: a refused record (here a bad
// SectionCount, or too long for the new store's 8 KiB range) leaves no
// store behind.
func TestWriteRefusedCreatesNoStore(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "new.img")
	rec := mustRun(t, nil, "new", "-id", "5")
	bad := bytes.Clone(rec)
	binary.LittleEndian.PutUint16(bad[cper.OffSectionCount:], 9)
	big := mustRun(t, nil, "new", "-id", "6", "-text", strings.Repeat("x", 9000))
	for name, b := range map[string][]byte{"bad sections": bad, "longer than the range": big} {
		code, _, errs := runCmd(t, nil, "-store", path, "write", writeFile(t, dir, "r.bin", rec), writeFile(t, dir, "x.bin", b))
		if code != exitFailure || !strings.Contains(errs, "x.bin") {
			t.Errorf("%s: exit %d, stderr %q; want exit 1 naming x.bin", name, code, errs)
		}
		if _, err := os.Stat(path); err == nil {
			t.Fatalf("%s: a refused write created the store", name)
		}
	}
	// With -record-size 16K the long record fits the new store's range.
	mustRun(t, nil, "-store", path, "-store-size", "64K", "-record-size", "16K", "write", writeFile(t, dir, "x.bin", big))
}
