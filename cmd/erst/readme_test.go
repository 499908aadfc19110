package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// readmeStep is one "$ " line of a README code block and the output the
// README shows under it.
type readmeStep struct {
	line int    // in README.md
	cmd  string // without the "$ "
	out  []string
}

// readmeSteps returns the steps of the README's code blocks that run on
// the host, in order. A block with an erstvm or make demo command is left
// out whole: it needs QEMU and a guest, minutes under TCG; erstvm's
// examples are what the VM tests (TestErstvm, TestErstvmRefusesHostileTable,
// TestStoreAgainstSim) run, and make demo checks itself. In the other
// blocks, the erst and "echo $?" commands run; the others are the test's
// own setup (make build, export PATH: the test builds erst and puts it
// first on PATH) or not the toolkit's (go test of the benchmarks).
func readmeSteps(readme string) []readmeStep {
	var steps, block []readmeStep
	inBlock, hostOnly := false, true
	for i, l := range strings.Split(readme, "\n") {
		switch {
		case strings.HasPrefix(l, "```") && !inBlock:
			inBlock, hostOnly, block = l == "```", true, nil
		case strings.HasPrefix(l, "```"):
			if hostOnly {
				steps = append(steps, block...)
			}
			inBlock = false
		case !inBlock:
		case strings.HasPrefix(l, "$ "):
			cmd := strings.TrimPrefix(l, "$ ")
			name, _, _ := strings.Cut(cmd, " ")
			if name == "erstvm" || strings.HasPrefix(cmd, "make demo") {
				hostOnly = false
			}
			if name == "erst" || cmd == "echo $?" {
				block = append(block, readmeStep{line: i + 1, cmd: cmd})
			} else {
				block = append(block, readmeStep{line: i + 1}) // not run: ends the previous step's output
			}
		case len(block) > 0:
			s := &block[len(block)-1]
			s.out = append(s.out, l)
		}
	}
	var run []readmeStep
	for _, s := range steps {
		if s.cmd != "" {
			run = append(run, s)
		}
	}
	return run
}

var (
	readmeTime = regexp.MustCompile(`time=\S+`)
	readmeDur  = regexp.MustCompile(`\b\d+(\.\d+)?(ns|µs|us|ms|s)\b`)
)

// readmeNormal is text with what differs from run to run (timestamps,
// measured durations) and the line wrapping of the README left out.
func readmeNormal(s string) string {
	s = readmeTime.ReplaceAllString(s, "time=T")
	s = readmeDur.ReplaceAllString(s, "D")
	return strings.Join(strings.Fields(s), " ")
}

// readmeMatch reports whether got holds the output shown, whose "..."
// stand for anything: each part between them is in got, in order.
func readmeMatch(shown []string, got string) (bool, string) {
	g := readmeNormal(got)
	for _, part := range strings.Split(readmeNormal(strings.Join(shown, "\n")), "...") {
		part = strings.TrimSpace(part)
		i := strings.Index(g, part)
		if i < 0 {
			return false, part
		}
		g = g[i+len(part):]
	}
	return true, ""
}

// TestREADMEExamples runs the README's host examples in order in a fresh
// directory, with the erst built from this tree first on PATH, as a
// reader following the README would: every command must exit as shown
// (0, or the code an "echo $?" after it prints, or non-zero when what it
// shows is an error), and print what the README shows, up to its "..."
// and to timestamps and durations. So the examples cannot go stale.
func TestREADMEExamples(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the README's examples are bash: %v", err)
		}
		t.Skipf("the README's examples are bash: %v", err)
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	steps := readmeSteps(string(readme))
	if len(steps) < 10 {
		t.Fatalf("found %d host examples in README.md; the parser has lost them", len(steps))
	}
	bin := buildErst(t)
	dir := t.TempDir()
	// The examples name files of the repository (the table corpus) by
	// their path from its top.
	if err := os.Symlink(filepath.Join(root, "acpi"), filepath.Join(dir, "acpi")); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "PATH="+filepath.Dir(bin)+string(os.PathListSeparator)+os.Getenv("PATH"))
	last := -1
	for i, s := range steps {
		if s.cmd == "echo $?" {
			if want := strings.TrimSpace(strings.Join(s.out, "")); strconv.Itoa(last) != want {
				t.Errorf("README.md:%d: the command before exited %d; the README shows %s", s.line, last, want)
			}
			continue
		}
		cmd := exec.Command("bash", "-c", "set -o pipefail; "+s.cmd)
		cmd.Dir, cmd.Env = dir, env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		last = 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			last = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("README.md:%d: %s: %v", s.line, s.cmd, err)
		}
		checked := i+1 < len(steps) && steps[i+1].cmd == "echo $?"
		wantFail := len(s.out) > 0 && strings.HasPrefix(s.out[0], "erst ")
		if !checked && (last != 0) != wantFail {
			t.Errorf("README.md:%d: %s: exit %d; the README shows it %s\n%s", s.line, s.cmd, last, map[bool]string{true: "failing", false: "succeeding"}[wantFail], out.String())
		}
		if ok, part := readmeMatch(s.out, out.String()); !ok {
			t.Errorf("README.md:%d: %s: the output does not show %q:\n%s", s.line, s.cmd, part, out.String())
		}
	}
}
