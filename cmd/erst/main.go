// Command erst inspects ACPI ERST tables and drives the ERST device: on a
// machine's real registers (run as root, e.g. inside a QEMU guest booted
// with erst_disable) or, with -store, on a simulated QEMU acpi-erst device
// over a backing file in QEMU's format.
//
//	erst [global flags] <subcommand> [flags] [args]
//
// Exit status, for every subcommand: 0 success; 1 the device or a check
// failed (an operation the device refused, fsck or verify findings, a
// store still locked after the wait); 2 bad usage, or input that cannot be
// read or used (a missing or unreadable file, one that is not a store, a
// bad flag value).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// exitError carries an exit code up to run. Errors without one exit 1.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageErr marks err as bad usage or unreadable input (exit 2).
func usageErr(err error) error { return &exitError{code: exitUsage, err: err} }

// usagef is usageErr with a formatted message.
func usagef(format string, args ...any) error { return usageErr(fmt.Errorf(format, args...)) }

// silentExit ends the command with code and no message (the command has
// already printed what it has to say, as lint does).
func silentExit(code int) error { return &exitError{code: code} }

// env is what a subcommand gets: its streams and the global flags.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	g              *globalFlags
}

// command is one subcommand. run parses its own flags from fs.
type command struct {
	name    string
	args    string // synopsis after the flags, e.g. "[FILE]"
	summary string
	setup   func(fs *flag.FlagSet) func(e *env, args []string) error
}

var commands = map[string]*command{}

func register(c *command) { commands[c.name] = c }

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	out := &errWriter{w: stdout}
	name, err := dispatch(args, stdin, out, stderr)
	prefix := "erst"
	if name != "" {
		prefix += " " + name
	}
	code := exitOK
	if err != nil {
		code = exitFailure
		var ee *exitError
		if errors.As(err, &ee) {
			code = ee.code
		}
		if ee == nil || ee.err != nil {
			fmt.Fprintf(stderr, "%s: %s\n", prefix, oneLine(err.Error()))
		}
	}
	// Output that could not be written is a failure, whether or not the
	// command looked at the error (ls into /dev/full exits 1).
	if out.err != nil && !errors.Is(err, out.err) {
		fmt.Fprintf(stderr, "%s: writing output: %s\n", prefix, oneLine(out.err.Error()))
		code = max(code, exitFailure)
	}
	return code
}

// dispatch parses the global flags, runs the subcommand and returns its
// name (empty when there is none) and error; an *exitError carries an exit
// code other than 1, and one without an error has printed its message.
func dispatch(args []string, stdin io.Reader, stdout, stderr io.Writer) (string, error) {
	g := &globalFlags{}
	fs := flag.NewFlagSet("erst", flag.ContinueOnError)
	g.register(fs)
	// A bad flag is one line naming it; only -h prints the usage.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			mainUsage(fs, stderr)
			return "", nil
		}
		return "", usagef("%v (run 'erst -h' for the flags)", err)
	}
	if fs.NArg() == 0 {
		mainUsage(fs, stderr)
		return "", silentExit(exitUsage)
	}
	name := fs.Arg(0)
	if name == "help" {
		if fs.NArg() > 1 {
			name = fs.Arg(1)
			if c, ok := commands[name]; ok {
				sub := newSubFlagSet(c, stderr)
				c.setup(sub)
				sub.SetOutput(stdout)
				sub.Usage()
				return "help", nil
			}
		}
		fs.SetOutput(stdout)
		mainUsage(fs, stdout)
		return "help", nil
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "erst: unknown subcommand %q (run 'erst -h' for the list)\n", name)
		return "", silentExit(exitUsage)
	}
	sub := newSubFlagSet(c, io.Discard)
	runFn := c.setup(sub)
	sub.Usage = func() {}
	pos, err := parseInterspersed(sub, fs.Args()[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			help := newSubFlagSet(c, stderr)
			c.setup(help)
			help.Usage()
			return name, nil
		}
		if f, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: -"); ok && fs.Lookup(f) != nil {
			return name, usagef("-%s is a global flag: give it before the subcommand, as in 'erst -%s ... %s'", f, f, name)
		}
		return name, usagef("%v (run 'erst %s -h' for its flags)", err, name)
	}
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, g: g}
	defer g.close()
	return name, runFn(e, pos)
}

// parseInterspersed parses fs's flags wherever they are among args, so
// that 'read 0x999 -o out.bin' sets -o, and returns the other arguments in
// order. "-" is an argument (stdin); everything after "--" is one too.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if endedByDashDash(fs, args[:len(args)-len(rest)]) {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// endedByDashDash reports whether the flags fs parsed from used ended
// with the terminator "--", and not with "--" as a flag's value (-o --).
func endedByDashDash(fs *flag.FlagSet, used []string) bool {
	n := len(used)
	if n == 0 || used[n-1] != "--" {
		return false
	}
	if n >= 2 && strings.HasPrefix(used[n-2], "-") && !strings.Contains(used[n-2], "=") {
		if f := fs.Lookup(strings.TrimLeft(used[n-2], "-")); f != nil {
			b, ok := f.Value.(interface{ IsBoolFlag() bool })
			return ok && b.IsBoolFlag() // otherwise "--" was its value
		}
	}
	return true
}

// oneLine keeps error output to one line, as scripts expect.
func oneLine(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), "\n", "; ") }

func newSubFlagSet(c *command, w io.Writer) *flag.FlagSet {
	sub := flag.NewFlagSet("erst "+c.name, flag.ContinueOnError)
	sub.SetOutput(w)
	sub.Usage = func() {
		out := sub.Output()
		fmt.Fprintf(out, "usage: erst [global flags] %s [flags] %s\n\n%s\n", c.name, c.args, c.summary)
		n := 0
		sub.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprintln(out, "\nflags:")
			sub.PrintDefaults()
		}
	}
	return sub
}

func mainUsage(fs *flag.FlagSet, w io.Writer) {
	fmt.Fprintf(w, `usage: erst [global flags] <subcommand> [flags] [args]

erst reads ACPI ERST tables and drives the ERST record store: the live
device (as root) or, with -store, a simulated QEMU acpi-erst device over a
backing file in QEMU's format. Record ids are decimal or 0x-hex.

subcommands:
`)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, firstSentence(commands[n].summary))
	}
	fmt.Fprintf(w, "\nglobal flags:\n")
	fs.SetOutput(w)
	fs.PrintDefaults()
	fmt.Fprintf(w, "\nRun 'erst <subcommand> -h' for a subcommand's flags.\n")
	fmt.Fprintf(w, "\nExit status: 0 success; 1 the device or a check failed; 2 bad usage, or input that\ncannot be read or used (a missing or unreadable file, one that is not a store).\n")
}

// firstSentence is the summary's first sentence, on one line, for the
// list of subcommands: never cut where a line of the summary ends.
func firstSentence(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i+1]
	}
	return s
}
