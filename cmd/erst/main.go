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
	fs.SetOutput(stderr)
	g.register(fs)
	fs.Usage = func() { mainUsage(fs, stderr) }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return "", nil
		}
		return "", silentExit(exitUsage)
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
	sub := newSubFlagSet(c, stderr)
	runFn := c.setup(sub)
	if err := sub.Parse(fs.Args()[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return name, nil
		}
		return name, silentExit(exitUsage)
	}
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, g: g}
	defer g.close()
	return name, runFn(e, sub.Args())
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
		fmt.Fprintf(w, "  %-8s %s\n", n, firstLine(commands[n].summary))
	}
	fmt.Fprintf(w, "\nglobal flags:\n")
	fs.SetOutput(w)
	fs.PrintDefaults()
	fmt.Fprintf(w, "\nRun 'erst <subcommand> -h' for a subcommand's flags.\n")
	fmt.Fprintf(w, "\nExit status: 0 success; 1 the device or a check failed; 2 bad usage, or input that\ncannot be read or used (a missing or unreadable file, one that is not a store).\n")
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
