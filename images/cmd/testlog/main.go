// Command testlog runs `go test -json ...` and prints, as they happen,
// each test that starts and each that ends with the time it took, so that
// a slow suite (the VM tests: minutes of QEMU boots) never sits silent:
//
//	go run ./images/cmd/testlog [-depth 2] go test -json -tags vmtest ./vmtest/
//
// Passing tests print one line each, and their "result: " log lines when
// they end; a log line whose message starts with "progress: " prints as
// it is logged (t.Logf("progress: cut %d of %d", ...)), so that a test
// that runs for minutes shows how far it got. The output of a test that fails
// (everything it logged, and its subtests') and of a package that fails
// outside any test (a build error, a panic, a timeout) is printed in
// full, as go test -v would. Skipped tests print their reason. The exit
// status is go test's, or 1 when go test said ok but a failure was seen.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"
	"time"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("testlog", flag.ContinueOnError)
	fs.SetOutput(stderr)
	depth := fs.Int("depth", 2, "print start and end lines for tests nested at most `n` deep (TestA/b is 2); failures print at any depth")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: testlog [-depth n] go test -json [go test flags] packages\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	cmd := exec.Command(fs.Arg(0), fs.Args()[1:]...)
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		fmt.Fprintf(stderr, "testlog: %v\n", err)
		return 1
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(stderr, "testlog: %v\n", err)
		return 1
	}
	p := &printer{w: stdout, depth: *depth, start: time.Now(), out: map[key][]string{}}
	p.read(out)
	err = cmd.Wait()
	p.summary()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return exit.ExitCode()
	case err != nil:
		fmt.Fprintf(stderr, "testlog: %v\n", err)
		return 1
	case p.failed:
		fmt.Fprintf(stderr, "testlog: go test exited 0 but reported a failure\n")
		return 1
	}
	return 0
}

// event is one line of go test -json (cmd/test2json).
type event struct {
	Action  string
	Package string
	Test    string
	Elapsed float64
	Output  string
}

type key struct{ pkg, test string }

type printer struct {
	w      io.Writer
	depth  int
	start  time.Time
	out    map[key][]string // output so far of each running test, and of each package ("" test)
	failed bool
	pkgs   []string // package result lines, for the summary
}

func (p *printer) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil || e.Action == "" {
			fmt.Fprintln(p.w, sc.Text()) // not JSON: go test's own message
			continue
		}
		p.event(e)
	}
}

// nested is the depth of a test name: TestA is 1, TestA/b 2.
func nested(test string) int { return strings.Count(test, "/") + 1 }

func (p *printer) stamp() string {
	return fmt.Sprintf("%6.1fs", time.Since(p.start).Seconds())
}

func (p *printer) event(e event) {
	k := key{e.Package, e.Test}
	switch e.Action {
	case "start":
		p.out[k] = nil
	case "run":
		if nested(e.Test) <= p.depth {
			fmt.Fprintf(p.w, "%s %s=== RUN  %s\n", p.stamp(), indent(e.Test), e.Test)
		}
	case "output", "build-output":
		if msg, ok := logMessage(e.Output, "progress: "); ok && e.Test != "" {
			fmt.Fprintf(p.w, "%s %s  %s: %s\n", p.stamp(), indent(e.Test), e.Test, msg)
		}
		p.out[k] = append(p.out[k], e.Output)
		if e.Test != "" && nested(e.Test) > 1 {
			// A parent prints its subtests' output when it fails.
			parent := key{e.Package, e.Test[:strings.Index(e.Test, "/")]}
			p.out[parent] = append(p.out[parent], e.Output)
		}
	case "pass", "skip", "fail", "build-fail":
		if e.Test == "" {
			p.pkgDone(e)
			return
		}
		verb := map[string]string{"pass": "PASS", "skip": "SKIP", "fail": "FAIL"}[e.Action]
		if e.Action == "fail" || nested(e.Test) <= p.depth {
			fmt.Fprintf(p.w, "%s %s--- %s %s (%.1fs)\n", p.stamp(), indent(e.Test), verb, e.Test, e.Elapsed)
		}
		switch {
		case e.Action == "fail" && nested(e.Test) == 1:
			p.failed = true
			p.dump(k)
		case e.Action == "skip" && nested(e.Test) <= p.depth:
			p.reason(k)
		case e.Action == "pass" && nested(e.Test) == 1:
			p.results(k)
		}
		if nested(e.Test) == 1 {
			delete(p.out, k)
		}
	}
}

// pkgDone prints a package's result; for a failure, also the package's
// own output (build errors, panics, timeouts) and that of any test that
// was still running.
func (p *printer) pkgDone(e event) {
	// go test's own closing format, so that what reads the log for go
	// test's result lines finds them.
	line := fmt.Sprintf("%s\t%s\t%.3fs", map[string]string{"pass": "ok  ", "skip": "?   ", "fail": "FAIL", "build-fail": "FAIL"}[e.Action], e.Package, e.Elapsed)
	if e.Action == "fail" || e.Action == "build-fail" {
		p.failed = true
		var running []string
		for k := range p.out {
			if k.pkg == e.Package && k.test != "" && nested(k.test) == 1 {
				running = append(running, k.test)
			}
		}
		sort.Strings(running)
		for _, t := range running {
			fmt.Fprintf(p.w, "%s unfinished %s:\n", p.stamp(), t)
			p.dump(key{e.Package, t})
		}
		p.dump(key{e.Package, ""})
	}
	fmt.Fprintf(p.w, "%s %s\n", p.stamp(), line)
	p.pkgs = append(p.pkgs, line)
	for k := range p.out {
		if k.pkg == e.Package {
			delete(p.out, k)
		}
	}
}

func (p *printer) dump(k key) {
	for _, l := range p.out[k] {
		fmt.Fprint(p.w, "    | ", l)
		if !strings.HasSuffix(l, "\n") {
			fmt.Fprintln(p.w)
		}
	}
}

// reason prints a skipped test's own lines (its t.Skip message), not the
// framing lines go test adds.
func (p *printer) reason(k key) {
	for _, l := range p.out[k] {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "=== ") || strings.HasPrefix(t, "--- ") {
			continue
		}
		fmt.Fprintf(p.w, "    | %s\n", t)
	}
}

// results prints a passing test's result lines: its log lines whose
// message starts with "result: " (t.Log("result: 20 cuts, 0 lost")), so
// that what a long test measured shows without -v.
func (p *printer) results(k key) {
	for _, l := range p.out[k] {
		if msg, ok := logMessage(l, "result: "); ok {
			fmt.Fprintf(p.w, "    | %s\n", msg)
		}
	}
}

// logMessage returns the message of a test's log line when it starts with
// prefix, after the file:line: that t.Log puts before it.
func logMessage(line, prefix string) (string, bool) {
	t := strings.TrimSpace(line)
	if i := strings.Index(t, ": "+prefix); i >= 0 && !strings.Contains(t[:i], " ") {
		t = t[i+2:]
	}
	return t, strings.HasPrefix(t, prefix)
}

// summary repeats every package's result at the end, unstamped, as go
// test prints it.
func (p *printer) summary() {
	fmt.Fprintf(p.w, "%s done\n", p.stamp())
	for _, l := range p.pkgs {
		fmt.Fprintln(p.w, l)
	}
}

func indent(test string) string { return strings.Repeat("  ", nested(test)-1) }
