package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/acpi/acpitest"
)

// TestTableJSONMatchesIasl runs `erst table -json` on every corpus table
// and compares every field it prints with ACPICA's disassembly beside the
// table; acpidump text of the table must print the same.
func TestTableJSONMatchesIasl(t *testing.T) {
	dir := t.TempDir()
	for _, ct := range acpitest.Corpus(t) {
		code, out, errs := runCmd(t, nil, "table", "-json", ct.Path)
		if code != exitOK || errs != "" {
			t.Errorf("erst table -json %s: exit %d, stderr %q", ct.Path, code, errs)
			continue
		}
		text, err := os.ReadFile(ct.DSLPath)
		if err != nil {
			t.Fatal(err)
		}
		dsl, err := acpitest.ParseDSL(text)
		if err != nil {
			t.Fatalf("%s: %v", ct.DSLPath, err)
		}
		for _, d := range acpitest.CompareJSON(out, dsl) {
			t.Errorf("erst table -json %s: %s", ct.Name, d)
		}

		dump := writeFile(t, dir, ct.Name+".acpidump", acpitest.Acpidump("ERST", 0xbf6b7000, ct.Raw))
		if _, out2, errs := runCmd(t, nil, "table", "-json", dump); !bytes.Equal(out2, out) {
			t.Errorf("erst table -json on acpidump text of %s differs from the binary's (stderr %q)", ct.Name, errs)
		}
	}
}

// TestTableText checks the disassembly of every corpus table has a line
// per field, named as iasl names them or by the ACPI name.
func TestTableText(t *testing.T) {
	for _, ct := range acpitest.Corpus(t) {
		out := mustRun(t, nil, "table", ct.Path)
		tbl, err := acpi.DecodeERST(ct.Raw)
		if err != nil {
			t.Fatal(err)
		}
		s := string(out)
		for _, field := range []string{"Signature", "Length", "Revision", "Checksum", "OEM ID", "OEM Table ID", "OEM Revision",
			"Creator ID", "Creator Revision", "Serialization Header Length", "Reserved", "Instruction Entry Count"} {
			if !strings.Contains(s, "] "+strings.Repeat(" ", 28-len(field))+field+" : ") {
				t.Errorf("%s: no %q line", ct.Name, field)
			}
		}
		for _, field := range []string{"Action", "Instruction", "Flags", "Address Space ID", "Register Bit Width",
			"Register Bit Offset", "Access Size", "Address", "Value", "Mask"} {
			if n := strings.Count(s, " "+field+" : "); n != len(tbl.Entries) {
				t.Errorf("%s: %d %q lines, want one per entry (%d)", ct.Name, n, field, len(tbl.Entries))
			}
		}
		for _, e := range tbl.Entries {
			if !strings.Contains(s, "["+e.Action.String()+"]") || !strings.Contains(s, "["+e.Instruction.String()+"]") {
				t.Errorf("%s: action %v or instruction %v not named", ct.Name, e.Action, e.Instruction)
			}
		}
	}
}

func writeFile(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// smallTable is a valid one-entry table, for tests that need no corpus.
func smallTable() []byte {
	t := &acpi.ERST{Entries: []acpi.Entry{{
		Action: acpi.ExecuteOperation, Instruction: acpi.WriteRegisterValue,
		Register: acpi.GAS{Space: acpi.SystemIO, BitWidth: 8, AccessSize: 1, Address: 0xb2},
		Value:    0x9c, Mask: 0xff,
	}}}
	copy(t.Header.OEMID[:], "GOERST")
	t.Finalize()
	return t.Encode()
}

// badInputs are files that are not a readable ERST table, each with a
// word the one-line error must contain.
func badInputs(t *testing.T) (dir string, cases []struct{ name, path, want string }) {
	dir = t.TempDir()
	good := smallTable()
	withLength := func(n uint32) []byte {
		b := bytes.Clone(good)
		binary.LittleEndian.PutUint32(b[4:], n)
		return b
	}
	facp := append([]byte("FACP\x24\x00\x00\x00\x06\x00"), make([]byte, 26)...)
	add := func(name string, b []byte, want string) {
		cases = append(cases, struct{ name, path, want string }{name, writeFile(t, dir, name, b), want})
	}
	add("empty", nil, "empty input")
	add("truncated", good[:40], "truncated")
	add("length-beyond-file", withLength(uint32(len(good))+32), "truncated")
	add("length-4GiB", withLength(0xffffffff), "length 4294967295 exceeds")
	add("length-below-header", withLength(20), "shorter than the 48-byte ERST header")
	add("random-bytes", []byte{0x7f, 'E', 'L', 'F', 0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3}, "neither a binary")
	add("not-erst", facp, `"FACP" table`)
	add("acpidump-without-erst", acpitest.Acpidump("FACP", 0x1000, facp), "no \"ERST\" table")
	cases = append(cases,
		struct{ name, path, want string }{"missing", filepath.Join(dir, "missing"), "no such file"},
		struct{ name, path, want string }{"directory", dir, "directory"},
	)
	return dir, cases
}

// TestTableBadInput: input that cannot be read gives exit 2, nothing on
// stdout, and one line on stderr that says what is wrong, never a panic.
func TestTableBadInput(t *testing.T) {
	_, cases := badInputs(t)
	for _, cmd := range []string{"table", "lint"} {
		for _, asJSON := range []bool{false, true} {
			for _, tc := range cases {
				if cmd == "lint" && tc.name == "length-below-header" {
					continue // the linter's own finding: TestLintLengthBelowHeader
				}
				args := []string{cmd}
				if asJSON {
					args = append(args, "-json")
				}
				args = append(args, tc.path)
				code, out, errs := runCmd(t, nil, args...)
				if code != exitUsage || len(out) != 0 || strings.Count(errs, "\n") != 1 ||
					!strings.HasPrefix(errs, "erst "+cmd+": ") || !strings.Contains(errs, tc.want) {
					t.Errorf("erst %s (%s): exit %d, stdout %q, stderr %q; want exit 2, one line naming %q",
						strings.Join(args[:len(args)-1], " "), tc.name, code, out, errs, tc.want)
				}
			}
		}
	}
}

func TestTableUsage(t *testing.T) {
	p := writeFile(t, t.TempDir(), "erst.dat", smallTable())
	for _, args := range [][]string{
		{"table", p, p},
		{"lint", p, p},
		{"table", "-bogus", p},
	} {
		if code, _, _ := runCmd(t, nil, args...); code != exitUsage {
			t.Errorf("erst %s: exit %d, want 2", strings.Join(args, " "), code)
		}
	}
	// The global -table flag stands in for FILE.
	want := mustRun(t, nil, "table", "-json", p)
	if got := mustRun(t, nil, "-table", p, "table", "-json"); !bytes.Equal(got, want) {
		t.Errorf("erst -table FILE table -json differs from erst table -json FILE")
	}
	var js acpi.ERSTJSON
	if err := json.Unmarshal(want, &js); err != nil || string(js.OEMID) != "GOERST" || len(js.Entries) != 1 || js.Entries[0].Value != 0x9c {
		t.Errorf("erst table -json printed %s (%v)", want, err)
	}
}

// TestTableLive: without FILE the live table is read; where there is
// none, that is an error naming the sysfs path (exit 2).
func TestTableLive(t *testing.T) {
	live := acpi.SysfsTables + "/ERST"
	if _, err := os.Stat(live); !errors.Is(err, fs.ErrNotExist) {
		t.Skipf("%s exists (or cannot be checked: %v); not testing its absence", live, err)
	}
	for _, cmd := range []string{"table", "lint"} {
		code, out, errs := runCmd(t, nil, cmd)
		if code != exitUsage || len(out) != 0 || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, live) {
			t.Errorf("erst %s without FILE: exit %d, stdout %q, stderr %q; want exit 2 naming %s", cmd, code, out, errs, live)
		}
	}
}

// With -store, table and lint look at the simulated device's table, which
// is QEMU's q35 table byte for byte; the store file is not created.
func TestTableOfSimulatedDevice(t *testing.T) {
	store := filepath.Join(t.TempDir(), "s.img")
	want := mustRun(t, nil, "table", acpitest.CorpusFile(t, "eebf1dc4571b2072.dat"))
	if got := mustRun(t, nil, "-store", store, "table"); !bytes.Equal(got, want) {
		t.Errorf("erst -store S table differs from QEMU's q35 table:\n%s", got)
	}
	if code, out, _ := runCmd(t, nil, "-store", store, "lint"); code != 0 || !bytes.Contains(out, []byte("simulated device")) {
		t.Errorf("erst -store S lint: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(store); err == nil {
		t.Error("table created the store file")
	}
}
