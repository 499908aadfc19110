package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// A go test -json stream: a passing test, a skipped one, a failing one
// with a failing subtest, then the package's failure.
const stream = `{"Action":"start","Package":"p"}
{"Action":"run","Package":"p","Test":"TestOK"}
{"Action":"output","Package":"p","Test":"TestOK","Output":"=== RUN   TestOK\n"}
{"Action":"output","Package":"p","Test":"TestOK","Output":"    ok_test.go:1: quiet when passing\n"}
{"Action":"output","Package":"p","Test":"TestOK","Output":"    ok_test.go:3: progress: cut 1 of 3\n"}
{"Action":"output","Package":"p","Test":"TestOK","Output":"    ok_test.go:2: result: 3 cuts, 0 lost\n"}
{"Action":"pass","Package":"p","Test":"TestOK","Elapsed":12.5}
{"Action":"run","Package":"p","Test":"TestSkip"}
{"Action":"output","Package":"p","Test":"TestSkip","Output":"=== RUN   TestSkip\n"}
{"Action":"output","Package":"p","Test":"TestSkip","Output":"    skip_test.go:1: no QEMU here\n"}
{"Action":"output","Package":"p","Test":"TestSkip","Output":"--- SKIP: TestSkip (0.00s)\n"}
{"Action":"skip","Package":"p","Test":"TestSkip","Elapsed":0}
{"Action":"run","Package":"p","Test":"TestBad"}
{"Action":"run","Package":"p","Test":"TestBad/q35"}
{"Action":"output","Package":"p","Test":"TestBad/q35","Output":"    bad_test.go:7: the guest said: boom\n"}
{"Action":"fail","Package":"p","Test":"TestBad/q35","Elapsed":30}
{"Action":"output","Package":"p","Test":"TestBad","Output":"--- FAIL: TestBad (30.00s)\n"}
{"Action":"fail","Package":"p","Test":"TestBad","Elapsed":30}
not json: go test's own line
{"Action":"output","Package":"p","Output":"FAIL\n"}
{"Action":"fail","Package":"p","Elapsed":42.5}
`

func TestPrinter(t *testing.T) {
	var out bytes.Buffer
	p := &printer{w: &out, depth: 2, out: map[key][]string{}}
	p.read(strings.NewReader(stream))
	got := regexp.MustCompile(`(?m)^ *[0-9.]+s `).ReplaceAllString(out.String(), "")
	for _, want := range []string{
		"=== RUN  TestOK\n",
		"--- PASS TestOK (12.5s)\n",
		"--- SKIP TestSkip (0.0s)\n    | skip_test.go:1: no QEMU here\n",
		"  === RUN  TestBad/q35\n",
		"  --- FAIL TestBad/q35 (30.0s)\n",
		"--- FAIL TestBad (30.0s)\n    |     bad_test.go:7: the guest said: boom\n",
		"not json: go test's own line\n",
		"FAIL\tp\t42.500s\n",
		"    | result: 3 cuts, 0 lost\n",
		"  TestOK: progress: cut 1 of 3\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "quiet when passing") {
		t.Errorf("a passing test's log was printed:\n%s", got)
	}
	if !p.failed {
		t.Error("failed = false after a failing test")
	}
}

// A package that dies outside a test (a timeout panic) prints the test
// that was running and everything it and the package said.
func TestPrinterUnfinished(t *testing.T) {
	var out bytes.Buffer
	p := &printer{w: &out, depth: 2, out: map[key][]string{}}
	p.read(strings.NewReader(`{"Action":"run","Package":"p","Test":"TestHang"}
{"Action":"output","Package":"p","Test":"TestHang","Output":"    hang_test.go:3: booting\n"}
{"Action":"output","Package":"p","Output":"panic: test timed out after 20m0s\n"}
{"Action":"fail","Package":"p","Elapsed":1200}
`))
	for _, want := range []string{"unfinished TestHang:", "hang_test.go:3: booting", "panic: test timed out after 20m0s", "FAIL\tp\t1200.000s"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestRunExitStatus(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "stream.json")
	if err := os.WriteFile(script, []byte(stream), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want int
	}{
		{[]string{"sh", "-c", "exit 3"}, 3},        // go test's status
		{[]string{"sh", "-c", "cat " + script}, 1}, // exit 0, but a failure was reported
		{[]string{"sh", "-c", "echo '{\"Action\":\"pass\",\"Package\":\"p\"}'"}, 0},
		{nil, 2}, // usage
		{[]string{"/nonexistent/go"}, 1},
	} {
		var out, errb bytes.Buffer
		if got := run(tc.args, &out, &errb); got != tc.want {
			t.Errorf("run(%q) = %d, want %d; stderr: %s", tc.args, got, tc.want, errb.String())
		}
	}
}
