package vm

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/goerst/erst/images/guestproto"
)

// SerialLog follows the guest's serial console (it is the io.Writer QEMU's
// output goes to): it keeps the last lines, knows how far the boot got,
// and remembers when each stage was reached.
type SerialLog struct {
	mu      sync.Mutex
	start   time.Time
	partial []byte
	lines   []string // the last keep lines
	keep    int
	stage   string
	detail  string
	times   []stageTime
	echo    io.Writer // every line, as it comes
	panic   string    // the kernel's panic message, once it panicked
	waiters []stageWaiter
}

type stageTime struct {
	stage  string
	host   time.Duration // since QEMU started
	detail string        // for guest stages: "at 2.80s[: ...]", the guest's uptime
}

type stageWaiter struct {
	stage string
	ch    chan struct{}
}

// Boot stages seen from the host, before the guest agent's own
// (guestproto.Stage*).
const (
	StageFirmware = "firmware"    // QEMU started, nothing on the serial console yet
	StageKernel   = "kernel"      // the kernel is printing
	StageInit     = "u-root-init" // the kernel ran /init
	StageResumed  = "resumed"     // the guest runs again from a saved state (Config.Resume)
)

// NewSerialLog returns a log keeping the last keep lines and copying every
// line to echo, when echo is not nil.
func NewSerialLog(keep int, echo io.Writer) *SerialLog {
	return &SerialLog{start: time.Now(), keep: keep, stage: StageFirmware, echo: echo}
}

// Write takes console output, in pieces of any size.
func (s *SerialLog) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range b {
		if c == '\n' {
			s.line(strings.TrimRight(string(s.partial), "\r"))
			s.partial = s.partial[:0]
			continue
		}
		s.partial = append(s.partial, c)
	}
	return len(b), nil
}

// Close takes the last, unterminated line.
func (s *SerialLog) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.partial) > 0 {
		s.line(strings.TrimRight(string(s.partial), "\r"))
		s.partial = nil
	}
	return nil
}

func (s *SerialLog) line(l string) {
	if s.echo != nil {
		fmt.Fprintln(s.echo, l)
	}
	s.lines = append(s.lines, l)
	if len(s.lines) > s.keep {
		s.lines = s.lines[len(s.lines)-s.keep:]
	}
	if s.stage == StageFirmware && strings.TrimSpace(l) != "" {
		s.reach(StageKernel, "")
	}
	if strings.Contains(l, "Run /init as init process") {
		s.reach(StageInit, "")
	}
	if stage, rest, ok := guestproto.ParseMarker(l); ok {
		s.reach(stage, rest)
	}
	if _, msg, ok := strings.Cut(l, kernelPanic); ok && s.panic == "" {
		s.panic = strings.TrimSpace(msg)
	}
}

// kernelPanic starts the kernel's panic line (kernel/panic.c).
const kernelPanic = "Kernel panic - not syncing:"

func (s *SerialLog) reach(stage, detail string) {
	s.stage, s.detail = stage, detail
	s.times = append(s.times, stageTime{stage, time.Since(s.start), detail})
	kept := s.waiters[:0]
	for _, w := range s.waiters {
		if w.stage == stage {
			close(w.ch)
			continue
		}
		kept = append(kept, w)
	}
	s.waiters = kept
}

// resumed marks the guest resumed from a saved state: it will print no
// boot, and its next stage is wherever it was saved.
func (s *SerialLog) resumed() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reach(StageResumed, "")
}

// Reached returns a channel that is closed once the guest reached stage
// (at once, when it already has).
func (s *SerialLog) Reached(stage string) <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := make(chan struct{})
	for _, t := range s.times {
		if t.stage == stage {
			close(ch)
			return ch
		}
	}
	s.waiters = append(s.waiters, stageWaiter{stage, ch})
	return ch
}

// Where says how far the guest got, for a hung or failed guest.
func (s *SerialLog) Where() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.panic != "" {
		return "with a kernel panic (" + s.panic + ") " + s.stageLocked()
	}
	return s.stageLocked()
}

func (s *SerialLog) stageLocked() string {
	switch s.stage {
	case StageFirmware:
		return "in QEMU's firmware or the kernel's decompression (no serial output at all)"
	case StageKernel:
		return "in the kernel's boot (it never ran /init)"
	case StageInit:
		return "in u-root's init, before the guest agent started (loading modules?)"
	case guestproto.StageStart:
		return "in the guest agent, mounting the 9p shares"
	case guestproto.StageMounted:
		return "in the guest agent, before the command started"
	case guestproto.StageRun:
		return "in the guest command (" + s.detail + ")"
	case guestproto.StageServe:
		return "serving requests (" + s.detail + ")"
	case guestproto.StageWait:
		return "waiting for its request on the port (" + s.detail + ")"
	case StageResumed:
		return "after it was resumed from a saved state, before its command started"
	case guestproto.StageExited, guestproto.StagePowerOff:
		return "powering off, after the command ended"
	}
	return "at guest stage " + s.stage + " " + s.detail
}

// Tail returns the last lines.
func (s *SerialLog) Tail() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.lines...)
}

// Timings formats when each stage was reached, in seconds since QEMU
// started.
func (s *SerialLog) Timings() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	for i, t := range s.times {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %.2fs", t.stage, t.host.Seconds())
	}
	return b.String()
}

// PrintTail writes the last lines to w, indented, under a heading.
func (s *SerialLog) PrintTail(w io.Writer, prefix string) {
	lines := s.Tail()
	if len(lines) == 0 {
		return
	}
	fmt.Fprintf(w, "%slast serial console lines:\n", prefix)
	for _, l := range lines {
		fmt.Fprintf(w, "  | %s\n", l)
	}
}
