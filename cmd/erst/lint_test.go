package main

import (
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

	code, out, _ := runCmd(t, nil, "lint", path("469c4d4ef4605f3b"))
	if code != exitFailure || !strings.Contains(string(out), "error [checksum]") || !strings.Contains(string(out), "error [entry-count]") {
		t.Errorf("erst lint on fwts's bad table: exit %d, output\n%s\nwant exit 1 naming the checksum and the entry count", code, out)
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
