package main

import (
	"encoding/binary"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/acpi/acpitest"
	"github.com/goerst/erst/acpi/lint"
)

type lintJSON struct {
	Findings []struct {
		Severity string `json:"severity"`
		Code     string `json:"code"`
		Entry    *int   `json:"entry"`
		Message  string `json:"message"`
	} `json:"findings"`
}

// TestLintCorpus runs `erst lint` and `erst lint -json` on every corpus
// table: exit 1 exactly when there are errors, text and JSON agreeing.
func TestLintCorpus(t *testing.T) {
	for _, ct := range acpitest.Corpus(t) {
		tbl, err := acpi.DecodeERST(ct.Raw)
		if err != nil {
			t.Fatal(err)
		}
		want := lint.Check(tbl, ct.Raw)
		wantCode := exitOK
		if lint.HasErrors(want) {
			wantCode = exitFailure
		}

		code, out, errs := runCmd(t, nil, "lint", ct.Path)
		if code != wantCode || errs != "" {
			t.Errorf("erst lint %s: exit %d, stderr %q; want exit %d", ct.Name, code, errs, wantCode)
		}
		lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
		if len(lines) != len(want)+1 {
			t.Errorf("erst lint %s: %d lines, want %d findings and a count:\n%s", ct.Name, len(lines), len(want), out)
			continue
		}
		for i, f := range want {
			if lines[i] != f.String() {
				t.Errorf("erst lint %s line %d: %q, want %q", ct.Name, i+1, lines[i], f.String())
			}
		}
		if last := lines[len(lines)-1]; !strings.HasPrefix(last, ct.Path+": ") {
			t.Errorf("erst lint %s: last line %q does not name the file", ct.Name, last)
		}

		code, out, errs = runCmd(t, nil, "lint", "-json", ct.Path)
		var js lintJSON
		if err := json.Unmarshal(out, &js); err != nil || code != wantCode || errs != "" {
			t.Errorf("erst lint -json %s: exit %d, stderr %q, JSON error %v", ct.Name, code, errs, err)
			continue
		}
		if len(js.Findings) != len(want) {
			t.Errorf("erst lint -json %s: %d findings, want %d", ct.Name, len(js.Findings), len(want))
			continue
		}
		for i, f := range js.Findings {
			w := want[i]
			entryOK := (f.Entry == nil && w.Entry == -1) || (f.Entry != nil && *f.Entry == w.Entry)
			if f.Severity != w.Severity.String() || f.Code != w.Code || !entryOK || f.Message != w.Message {
				t.Errorf("erst lint -json %s finding %d: %+v, want %v", ct.Name, i, f, w)
			}
		}
	}
}

// TestLintAcceptance: the exit codes and words the issue asks for.
func TestLintAcceptance(t *testing.T) {
	dir := acpitest.CorpusDir(t)
	path := func(name string) string { return filepath.Join(dir, name+".dat") }

	// A bad checksum is a warning by the linter's own rubric: Linux warns
	// and uses the table. The bad count makes Linux reject it: an error.
	code, out, _ := runCmd(t, nil, "lint", path("469c4d4ef4605f3b"))
	if code != exitFailure || !strings.Contains(string(out), "warning [checksum]") || !strings.Contains(string(out), "error [entry-count]") {
		t.Errorf("erst lint on fwts's bad table: exit %d, output\n%s\nwant exit 1, a warning for the checksum and an error for the entry count", code, out)
	}

	for _, name := range []string{"a32d335f835a4c1f", "a4066217f2a1bbf0", "39d49d3462b2f234", "ffd0eb1e461f7852", "32a9c9d8e275b8bc"} {
		code, out, _ := runCmd(t, nil, "lint", path(name))
		s := string(out)
		if code != exitFailure || !strings.Contains(s, "error [missing-action] missing GET_ERROR_LOG_ADDRESS_RANGE, GET_ERROR_LOG_ADDRESS_LENGTH and GET_ERROR_LOG_ADDRESS_RANGE_ATTRIBUTES") ||
			!strings.Contains(s, "will not use ERST") {
			t.Errorf("erst lint %s: exit %d, output\n%s\nwant exit 1 and an error naming the three missing actions", name, code, out)
		}
	}

	for _, name := range []string{"eebf1dc4571b2072", "fb3ea5e7280d5c5c"} {
		for _, args := range [][]string{{"lint", path(name)}, {"lint", "-json", path(name)}} {
			code, out, errs := runCmd(t, nil, args...)
			if code != exitOK || strings.Contains(string(out), "error [") || strings.Contains(string(out), `"severity": "error"`) || errs != "" {
				t.Errorf("erst %s on QEMU's table: exit %d, stderr %q, output\n%s\nwant exit 0 and no errors", strings.Join(args, " "), code, errs, out)
			}
		}
	}
}

func TestLintCleanTable(t *testing.T) {
	p := writeFile(t, t.TempDir(), "erst.dat", smallTable())
	code, out, errs := runCmd(t, nil, "lint", "-json", p)
	var js lintJSON
	if err := json.Unmarshal(out, &js); err != nil || js.Findings == nil {
		t.Fatalf("erst lint -json: %v, output %s (findings must be a list, never null)", err, out)
	}
	// A one-entry table lacks most actions: errors, exit 1.
	if code != exitFailure || errs != "" {
		t.Errorf("erst lint -json on a one-entry table: exit %d, stderr %q; want 1", code, errs)
	}
}

// TestLintLengthBelowHeader: a table whose Length is below the 48-byte
// header, but whose bytes are there, is the linter's own length finding
// (exit 1), not input that cannot be read (exit 2); the table command
// still cannot disassemble it.
func TestLintLengthBelowHeader(t *testing.T) {
	b := smallTable()
	binary.LittleEndian.PutUint32(b[4:], 40)
	b[9] = 0
	b[9] = -acpi.Sum(b[:40]) // a right checksum over the 40 bytes Length says
	p := writeFile(t, t.TempDir(), "short.dat", b)
	code, out, errs := runCmd(t, nil, "lint", p)
	if code != exitFailure || errs != "" || !strings.HasPrefix(string(out), "error [length] Length is 40, shorter than the 48-byte ERST header") ||
		!strings.HasSuffix(string(out), ": 1 error, 0 warnings, 0 info\n") {
		t.Errorf("erst lint on Length 40: exit %d, stderr %q, output\n%s\nwant exit 1 and the length error alone", code, errs, out)
	}
	var js lintJSON
	code, out, _ = runCmd(t, nil, "lint", "-json", p)
	if err := json.Unmarshal(out, &js); err != nil || code != exitFailure || len(js.Findings) != 1 || js.Findings[0].Code != lint.CodeLength || js.Findings[0].Severity != "error" {
		t.Errorf("erst lint -json on Length 40: exit %d, %+v (%v)", code, js, err)
	}
	if code, _, errs := runCmd(t, nil, "table", p); code != exitUsage || !strings.Contains(errs, "shorter than the 48-byte ERST header") {
		t.Errorf("erst table on Length 40: exit %d, stderr %q; want exit 2", code, errs)
	}
}

// TestLintFillerIsInfo: the reserved action 0x0C that 12 of the 24
// corpus tables use as a filler is info (no OS runs it), never a warning;
// no corpus table has another reserved action.
func TestLintFillerIsInfo(t *testing.T) {
	n := 0
	for _, ct := range acpitest.Corpus(t) {
		var js lintJSON
		_, out, _ := runCmd(t, nil, "lint", "-json", ct.Path)
		if err := json.Unmarshal(out, &js); err != nil {
			t.Fatalf("%s: %v", ct.Name, err)
		}
		filler := false
		for _, f := range js.Findings {
			switch {
			case f.Code == lint.CodeFillerAction && f.Severity == "info":
				filler = true
			case f.Code == lint.CodeFillerAction || f.Code == lint.CodeUnknownAction:
				t.Errorf("%s: %s %s: %s", ct.Name, f.Severity, f.Code, f.Message)
			}
		}
		if filler {
			n++
		}
	}
	if n != 12 {
		t.Errorf("%d corpus tables have the 0x0C filler as info, want 12", n)
	}
}
