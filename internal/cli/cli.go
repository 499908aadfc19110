// Package cli is the subcommand framework of erst's commands: global
// flags before a subcommand, each subcommand's own flags anywhere among
// its arguments, help, one-line errors and the exit status they map to.
//
//	prog [global flags] <subcommand> [flags] [args]
//
// Exit status: [ExitOK]; [ExitFailure] for an error without a code (an
// operation or a check failed); [ExitUsage] for bad usage or input that
// cannot be read or used ([Usage], [Usagef]).
package cli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/goerst/erst/internal/textout"
)

// Exit codes.
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 2
)

// ExitError carries an exit code up to [Program.Run]. An error without
// one exits [ExitFailure]; an ExitError with a nil Err prints nothing.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// Usage marks err as bad usage or unreadable input (exit [ExitUsage]).
func Usage(err error) error { return &ExitError{Code: ExitUsage, Err: err} }

// Usagef is [Usage] with a formatted message.
func Usagef(format string, args ...any) error { return Usage(fmt.Errorf(format, args...)) }

// Silent ends the command with code and no message: the command has
// already said what it had to (as a linter listing its findings does).
func Silent(code int) error { return &ExitError{Code: code} }

// Fail gives err the exit code [ExitFailure] even where a caller would
// otherwise take it for bad input.
func Fail(err error) error { return &ExitError{Code: ExitFailure, Err: err} }

// Code is the exit status err maps to: 0 for nil, an [ExitError]'s code,
// else [ExitFailure].
func Code(err error) int {
	if err == nil {
		return ExitOK
	}
	if ee, ok := errors.AsType[*ExitError](err); ok {
		return ee.Code
	}
	return ExitFailure
}

// PrintJSON writes v as indented JSON, the form every -json output takes.
func PrintJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// IO is a command's standard streams.
type IO struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
}

// Command is one subcommand of a [Program] whose subcommands get an
// environment of type E.
type Command[E any] struct {
	Name    string
	Args    string // synopsis after the flags, e.g. "[FILE]"
	Summary string // the help text; its first sentence lists the command
	// Setup registers the subcommand's flags on fs and returns the
	// function that runs it with the arguments that are not flags.
	Setup func(fs *flag.FlagSet) func(e E, args []string) error
}

// Program is a command made of subcommands.
type Program[E any] struct {
	Name   string // as in the usage line, e.g. "erst"
	About  string // the usage's paragraph between synopsis and subcommands
	Footer string // the usage's last paragraph, e.g. the exit status
	// Globals registers the global flags on fs and returns the function
	// that makes the subcommands' environment once they are parsed, and
	// the one Run calls when the subcommand has ended.
	Globals func(fs *flag.FlagSet) (env func(IO) E, done func())

	commands map[string]*Command[E]
}

// Register adds c to p's subcommands.
func (p *Program[E]) Register(c *Command[E]) {
	if p.commands == nil {
		p.commands = map[string]*Command[E]{}
	}
	p.commands[c.Name] = c
}

// Names returns the names of p's subcommands, sorted.
func (p *Program[E]) Names() []string {
	names := make([]string, 0, len(p.commands))
	for n := range p.commands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Run runs the command line args and returns the exit status. Errors are
// printed as one line on stderr, "NAME SUBCOMMAND: message"; output that
// could not be written is a failure (exit 1) whether or not the
// subcommand looked at the write's error.
func (p *Program[E]) Run(args []string, std IO) int {
	out := &errWriter{w: std.Stdout}
	std.Stdout = out
	name, err := p.dispatch(args, std)
	prefix := p.Name
	if name != "" {
		prefix += " " + name
	}
	code := Code(err)
	if ee, ok := errors.AsType[*ExitError](err); err != nil && (!ok || ee.Err != nil) {
		fmt.Fprintf(std.Stderr, "%s: %s\n", prefix, textout.OneLine(err.Error()))
	}
	if out.err != nil && !errors.Is(err, out.err) {
		fmt.Fprintf(std.Stderr, "%s: writing output: %s\n", prefix, textout.OneLine(out.err.Error()))
		code = max(code, ExitFailure)
	}
	return code
}

// dispatch parses the global flags, runs the subcommand and returns its
// name (empty when there is none) and error.
func (p *Program[E]) dispatch(args []string, std IO) (string, error) {
	fs := flag.NewFlagSet(p.Name, flag.ContinueOnError)
	newEnv, done := p.Globals(fs)
	// A bad flag is one line naming it; only -h prints the usage.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			p.usage(fs, std.Stderr)
			return "", nil
		}
		return "", Usagef("%v (run '%s -h' for the flags)", err, p.Name)
	}
	if fs.NArg() == 0 {
		p.usage(fs, std.Stderr)
		return "", Silent(ExitUsage)
	}
	name := fs.Arg(0)
	if name == "help" {
		if c, ok := p.commands[fs.Arg(1)]; ok && fs.NArg() > 1 {
			p.subUsage(c, std.Stdout)
			return "help", nil
		}
		p.usage(fs, std.Stdout)
		return "help", nil
	}
	c, ok := p.commands[name]
	if !ok {
		fmt.Fprintf(std.Stderr, "%s: unknown subcommand %q (run '%s -h' for the list)\n", p.Name, name, p.Name)
		return "", Silent(ExitUsage)
	}
	sub := p.flagSet(c, io.Discard)
	runFn := c.Setup(sub)
	sub.Usage = func() {}
	pos, err := ParseInterspersed(sub, fs.Args()[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			p.subUsage(c, std.Stderr)
			return name, nil
		}
		if f, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: -"); ok && fs.Lookup(f) != nil {
			return name, Usagef("-%s is a global flag: give it before the subcommand, as in '%s -%s ... %s'", f, p.Name, f, name)
		}
		return name, Usagef("%v (run '%s %s -h' for its flags)", err, p.Name, name)
	}
	defer done()
	return name, runFn(newEnv(std), pos)
}

// ParseInterspersed parses fs's flags wherever they are among args, so
// that 'read 0x999 -o out.bin' sets -o, and returns the other arguments in
// order. "-" is an argument (stdin); everything after "--" is one too.
func ParseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
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

func (p *Program[E]) flagSet(c *Command[E], w io.Writer) *flag.FlagSet {
	sub := flag.NewFlagSet(p.Name+" "+c.Name, flag.ContinueOnError)
	sub.SetOutput(w)
	return sub
}

// subUsage prints c's usage and flags to w.
func (p *Program[E]) subUsage(c *Command[E], w io.Writer) {
	sub := p.flagSet(c, w)
	c.Setup(sub)
	fmt.Fprintf(w, "usage: %s [global flags] %s [flags] %s\n\n%s\n", p.Name, c.Name, c.Args, c.Summary)
	n := 0
	sub.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprintln(w, "\nflags:")
		sub.PrintDefaults()
	}
}

// usage prints the program's usage, subcommands and global flags to w.
func (p *Program[E]) usage(fs *flag.FlagSet, w io.Writer) {
	fmt.Fprintf(w, "usage: %s [global flags] <subcommand> [flags] [args]\n\n%s\nsubcommands:\n", p.Name, p.About)
	for _, n := range p.Names() {
		fmt.Fprintf(w, "  %-8s %s\n", n, firstSentence(p.commands[n].Summary))
	}
	fmt.Fprintf(w, "\nglobal flags:\n")
	fs.SetOutput(w)
	fs.PrintDefaults()
	fmt.Fprintf(w, "\nRun '%s <subcommand> -h' for a subcommand's flags.\n", p.Name)
	if p.Footer != "" {
		fmt.Fprintf(w, "\n%s", p.Footer)
	}
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

// errWriter remembers the first error of the writer it wraps, so that a
// command whose output fails (a full disk, a closed pipe) exits 1 even
// where it does not look at each write's error.
type errWriter struct {
	w   io.Writer
	err error
}

func (w *errWriter) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	n, err := w.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		w.err = err
	}
	return n, err
}

// OpenInput opens the input a command-line argument names: the file, or
// stdin for "-". shown is the name for messages ("stdin" for "-"); a
// file that cannot be opened is a usage error. Close the result.
func OpenInput(name string, stdin io.Reader) (r io.ReadCloser, shown string, err error) {
	if name == "-" {
		return io.NopCloser(stdin), "stdin", nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, name, Usage(err)
	}
	return f, name, nil
}
