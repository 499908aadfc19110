// Package guestproto is the contract between erstvm on the host and
// guestinit in the guest. It has no dependencies, so the guest agent stays
// small.
//
// A guest booted with ServeParam=<port> on its kernel command line serves
// instead (package vmtest): guestinit mounts nothing and runs
// "erst serve -port <port>" on that virtio-serial port, with its output on
// the console, until the host asks it to power off.
//
// A guest booted with ExecParam=<port> mounts nothing until the host
// sends its Request (a JSON line) on that virtio-serial port, after it
// wrote ExecReady there; then it runs the request as below. QEMU cannot
// save a guest with a 9p share mounted; a guest waiting in exec mode can
// be saved once and resumed many times, each resume running another
// request (erstvm -resume).
//
// The host shares two directories over virtio-9p. WorkTag is the user's
// working directory: the guest command runs there. ControlTag is a private
// directory: the host writes RequestFile into it before boot (but in exec
// mode); the guest writes the command's standard output and error to
// StdoutFile and StderrFile (the host tails them while the guest runs, so
// they reach the host's stdout and stderr separately and byte for byte,
// each write on the host before the command goes on), then StatusFile with
// the exit status, and powers off. Progress lines on the serial
// console (Marker) tell the host where a hung guest stopped.
package guestproto

import (
	"fmt"
	"strings"
)

// 9p mount tags and the files in the control share.
const (
	WorkTag     = "erstwd"
	ControlTag  = "erstctl"
	RequestFile = "request.json"
	StdoutFile  = "stdout"
	StderrFile  = "stderr"
	StatusFile  = "status.json"
)

// Request is what the host asks the guest to run.
type Request struct {
	Command string   // name of a command in the initramfs, e.g. "erst"
	Args    []string // its arguments
	// Time, when set, is the host's clock (Unix nanoseconds) as it sent
	// the request: the guest sets its own to it first. A guest resumed
	// from a saved state wakes with the clock it was saved with, which
	// would stamp the records it writes (CPER timestamps) with that time.
	Time int64 `json:",omitempty"`
}

// Status is how the guest command ended.
type Status struct {
	Exit  int    // exit status; 128+n for a signal
	Error string // why the agent could not run the command, if it could not
}

// Stages of the guest agent, in order.
const (
	StageStart    = "start"    // guestinit is running: the kernel and u-root's init are up
	StageMounted  = "mounted"  // the 9p shares are mounted
	StageRun      = "run"      // the command was started
	StageServe    = "serve"    // erst serve was started (serve mode)
	StageWait     = "wait"     // waiting for the request on the port (exec mode)
	StageRestored = "restored" // a resumed guest's acpi-erst PCI header written back (exec mode)
	StageExited   = "exited"   // the command ended; the status is written
	StagePowerOff = "poweroff" // powering off
)

// ServeParam is the kernel command-line parameter that boots the guest
// into serve mode; its value is the virtio-serial port name.
const ServeParam = "erstvm.serve"

// ExecParam is the kernel command-line parameter that boots the guest
// into exec mode; its value is the virtio-serial port name.
const ExecParam = "erstvm.exec"

// ExecReady is the line an exec-mode guest writes on its port when it
// waits for its request: it has booted and is idle.
const ExecReady = "erstvm-guest ready"

// ServeArgs returns the erst command line guestinit runs in serve mode
// for port.
func ServeArgs(port string) []string { return []string{"serve", "-port", port} }

// ServePort returns the value of ServeParam in a kernel command line, and
// whether it is there.
func ServePort(cmdline string) (string, bool) { return param(cmdline, ServeParam) }

// ExecPort returns the value of ExecParam in a kernel command line, and
// whether it is there.
func ExecPort(cmdline string) (string, bool) { return param(cmdline, ExecParam) }

func param(cmdline, name string) (string, bool) {
	for _, f := range strings.Fields(cmdline) {
		if v, ok := strings.CutPrefix(f, name+"="); ok && v != "" {
			return v, true
		}
	}
	return "", false
}

// MarkerPrefix starts every progress line guestinit prints on the console.
const MarkerPrefix = "erstvm-guest: "

// Marker formats a progress line: "erstvm-guest: run at 5.12s: erst table".
func Marker(stage string, uptime float64, detail string) string {
	s := fmt.Sprintf("%s%s at %.2fs", MarkerPrefix, stage, uptime)
	if detail != "" {
		s += ": " + detail
	}
	return s
}

// ParseMarker returns the stage and the rest of a progress line.
func ParseMarker(line string) (stage, rest string, ok bool) {
	i := strings.Index(line, MarkerPrefix)
	if i < 0 {
		return "", "", false
	}
	line = line[i+len(MarkerPrefix):]
	stage, rest, _ = strings.Cut(line, " ")
	return stage, rest, stage != ""
}
