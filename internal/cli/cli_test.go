package cli_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/goerst/erst/internal/cli"
)

// env is the test program's environment: its streams and a global flag.
type env struct {
	cli.IO
	verbose bool
}

func newProgram(closed *int) *cli.Program[*env] {
	p := &cli.Program[*env]{
		Name:   "t",
		About:  "t tests the framework.\n",
		Footer: "Exit status: 0, 1 or 2.\n",
		Globals: func(fs *flag.FlagSet) (func(cli.IO) *env, func()) {
			e := &env{}
			fs.BoolVar(&e.verbose, "v", false, "verbose")
			return func(std cli.IO) *env { e.IO = std; return e }, func() { *closed++ }
		},
	}
	p.Register(&cli.Command[*env]{Name: "echo", Args: "[WORD...]", Summary: "Print the words. Then a newline.", Setup: func(fs *flag.FlagSet) func(*env, []string) error {
		upper := fs.Bool("u", false, "upper case")
		return func(e *env, args []string) error {
			s := strings.Join(args, " ")
			if *upper {
				s = strings.ToUpper(s)
			}
			if e.verbose {
				s = "v: " + s
			}
			_, err := fmt.Fprintln(e.Stdout, s)
			return err
		}
	}})
	p.Register(&cli.Command[*env]{Name: "fail", Summary: "Fail as told.", Setup: func(fs *flag.FlagSet) func(*env, []string) error {
		return func(e *env, args []string) error {
			switch strings.Join(args, " ") {
			case "usage":
				return cli.Usagef("bad %s", "input\nover two lines")
			case "silent":
				return cli.Silent(cli.ExitFailure)
			case "plain":
				return errors.New("it broke")
			}
			return nil
		}
	}})
	return p
}

func runT(t *testing.T, args ...string) (code int, stdout, stderr string, closed int) {
	t.Helper()
	var out, errs bytes.Buffer
	code = newProgram(&closed).Run(args, cli.IO{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errs})
	return code, out.String(), errs.String(), closed
}

func TestRun(t *testing.T) {
	for _, tc := range []struct {
		args             []string
		code             int
		stdout, stderr   string // substrings; stderr "" means empty
		wantStderrEmpty  bool
		wantDone, noDone bool
	}{
		{args: []string{"echo", "a", "-u", "b"}, stdout: "A B\n", wantStderrEmpty: true, wantDone: true},
		{args: []string{"-v", "echo", "x"}, stdout: "v: x\n", wantStderrEmpty: true, wantDone: true},
		{args: []string{"echo", "-v", "x"}, code: 2, stderr: "t echo: -v is a global flag: give it before the subcommand, as in 't -v ... echo'\n", noDone: true},
		{args: []string{"echo", "-z"}, code: 2, stderr: "t echo: flag provided but not defined: -z (run 't echo -h' for its flags)\n", noDone: true},
		{args: []string{"-z"}, code: 2, stderr: "t: flag provided but not defined: -z (run 't -h' for the flags)\n"},
		{args: []string{"nope"}, code: 2, stderr: "t: unknown subcommand \"nope\" (run 't -h' for the list)\n"},
		{args: nil, code: 2, stderr: "usage: t [global flags] <subcommand>"},
		{args: []string{"fail", "usage"}, code: 2, stderr: "t fail: bad input; over two lines\n", wantDone: true},
		{args: []string{"fail", "silent"}, code: 1, wantStderrEmpty: true, wantDone: true},
		{args: []string{"fail", "plain"}, code: 1, stderr: "t fail: it broke\n", wantDone: true},
		{args: []string{"help"}, stdout: "  echo     Print the words.\n  fail     Fail as told.\n"},
		{args: []string{"help", "echo"}, stdout: "usage: t [global flags] echo [flags] [WORD...]\n\nPrint the words. Then a newline.\n\nflags:\n  -u\tupper case\n"},
		{args: []string{"echo", "-h"}, stderr: "usage: t [global flags] echo [flags] [WORD...]"},
		{args: []string{"-h"}, stderr: "\nExit status: 0, 1 or 2.\n"},
	} {
		code, out, errs, done := runT(t, tc.args...)
		if code != tc.code || !strings.Contains(out, tc.stdout) || !strings.Contains(errs, tc.stderr) || (tc.wantStderrEmpty && errs != "") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want %d, %q, %q", tc.args, code, out, errs, tc.code, tc.stdout, tc.stderr)
		}
		if tc.wantDone && done != 1 || tc.noDone && done != 0 {
			t.Errorf("%q: the environment's done ran %d times", tc.args, done)
		}
	}
}

// TestRunOutputFails: output that cannot be written fails the command
// even when it ignores the error.
func TestRunOutputFails(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skipf("no /dev/full: %v", err)
	}
	defer full.Close()
	var errs bytes.Buffer
	closed := 0
	code := newProgram(&closed).Run([]string{"echo", "x"}, cli.IO{Stdin: strings.NewReader(""), Stdout: full, Stderr: &errs})
	if code != 1 || strings.Count(errs.String(), "\n") != 1 || !strings.Contains(errs.String(), syscall.ENOSPC.Error()) {
		t.Errorf("echo into /dev/full: exit %d, stderr %q; want 1 and one line on ENOSPC", code, errs.String())
	}
}

func TestCode(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want int
	}{
		{nil, 0},
		{errors.New("x"), 1},
		{cli.Usagef("x"), 2},
		{fmt.Errorf("wrapped: %w", cli.Usage(io.EOF)), 2},
		{cli.Silent(7), 7},
		{cli.Fail(errors.New("x")), 1},
	} {
		if got := cli.Code(tc.err); got != tc.want {
			t.Errorf("Code(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
	if !errors.Is(cli.Usage(io.EOF), io.EOF) {
		t.Error("Usage(err) does not wrap err")
	}
}

func TestParseInterspersed(t *testing.T) {
	for _, tc := range []struct {
		args      []string
		pos, o, b string
	}{
		{[]string{"0x1", "-o", "f"}, "0x1", "f", "false"},
		{[]string{"-o", "f", "0x1", "-b"}, "0x1", "f", "true"},
		{[]string{"a", "--", "-o", "x"}, "a -o x", "", "false"},
		{[]string{"-o", "--", "a"}, "a", "--", "false"},
		{[]string{"-b", "--", "-o"}, "-o", "", "true"},
		{[]string{"-", "-b", "-"}, "- -", "", "true"},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		o := fs.String("o", "", "")
		b := fs.Bool("b", false, "")
		pos, err := cli.ParseInterspersed(fs, tc.args)
		if err != nil || strings.Join(pos, " ") != tc.pos || *o != tc.o || strconv.FormatBool(*b) != tc.b {
			t.Errorf("%q: args %q, -o %q, -b %v, %v; want %q, %q, %s", tc.args, pos, *o, *b, err, tc.pos, tc.o, tc.b)
		}
	}
}

func ExampleProgram() {
	p := &cli.Program[cli.IO]{
		Name: "greet",
		Globals: func(*flag.FlagSet) (func(cli.IO) cli.IO, func()) {
			return func(s cli.IO) cli.IO { return s }, func() {}
		},
	}
	p.Register(&cli.Command[cli.IO]{Name: "hello", Args: "NAME", Summary: "Say hello.", Setup: func(fs *flag.FlagSet) func(cli.IO, []string) error {
		return func(std cli.IO, args []string) error {
			if len(args) != 1 {
				return cli.Usagef("want one NAME")
			}
			_, err := fmt.Fprintf(std.Stdout, "hello, %s\n", args[0])
			return err
		}
	}})
	std := cli.IO{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stdout}
	fmt.Println("exit", p.Run([]string{"hello", "gopher"}, std))
	fmt.Println("exit", p.Run([]string{"hello"}, std))
	// Output:
	// hello, gopher
	// exit 0
	// greet hello: want one NAME
	// exit 2
}

func TestOpenInput(t *testing.T) {
	r, shown, err := cli.OpenInput("-", strings.NewReader("in"))
	if err != nil || shown != "stdin" {
		t.Fatalf("OpenInput(-) = %q, %v", shown, err)
	}
	if b, _ := io.ReadAll(r); string(b) != "in" || r.Close() != nil {
		t.Errorf("OpenInput(-) read %q", b)
	}
	path := t.TempDir() + "/f"
	if err := os.WriteFile(path, []byte("file"), 0o600); err != nil {
		t.Fatal(err)
	}
	r, shown, err = cli.OpenInput(path, nil)
	if err != nil || shown != path {
		t.Fatalf("OpenInput(%s) = %q, %v", path, shown, err)
	}
	if b, _ := io.ReadAll(r); string(b) != "file" || r.Close() != nil {
		t.Errorf("OpenInput(%s) read %q", path, b)
	}
	if _, _, err := cli.OpenInput(path+".missing", nil); cli.Code(err) != cli.ExitUsage || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("OpenInput(missing) = %v (exit %d), want a usage error wrapping ErrNotExist", err, cli.Code(err))
	}
}
