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
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/goerst/erst/internal/cli"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// Exit codes (internal/cli's).
const (
	exitOK      = cli.ExitOK
	exitFailure = cli.ExitFailure
	exitUsage   = cli.ExitUsage
)

// env is what a subcommand gets: its streams and the global flags.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	g              *globalFlags
}

// command is one subcommand; each registers itself from its own file.
type command = cli.Command[*env]

var prog = &cli.Program[*env]{
	Name: "erst",
	About: `erst reads ACPI ERST tables and drives the ERST record store: the live
device (as root) or, with -store, a simulated QEMU acpi-erst device over a
backing file in QEMU's format. Record ids are decimal or 0x-hex.
`,
	Footer: "Exit status: 0 success; 1 the device or a check failed; 2 bad usage, or input that\ncannot be read or used (a missing or unreadable file, one that is not a store).\n",
	Globals: func(fs *flag.FlagSet) (func(cli.IO) *env, func()) {
		g := &globalFlags{}
		g.register(fs)
		return func(std cli.IO) *env {
			return &env{stdin: std.Stdin, stdout: std.Stdout, stderr: std.Stderr, g: g}
		}, g.close
	},
}

func register(c *command) { prog.Register(c) }

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return prog.Run(args, cli.IO{Stdin: stdin, Stdout: stdout, Stderr: stderr})
}

func hex64(v uint64) string { return fmt.Sprintf("%#x", v) }
