package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/goerst/erst/images/guestproto"
)

// serialLog follows the guest's serial console: it keeps the last lines,
// knows how far the boot got, and remembers when each stage was reached.
type serialLog struct {
	mu     sync.Mutex
	start  time.Time
	lines  []string // the last keep lines
	keep   int
	stage  string
	detail string
	times  []stageTime
	echo   io.Writer // with -v: every line, as it comes
	panic  string    // the kernel's panic message, once it panicked
}

type stageTime struct {
	stage  string
	host   time.Duration // since QEMU started
	detail string        // for guest stages: "at 2.80s[: ...]", the guest's uptime
}

// Boot stages seen from the host, before the guest agent's own.
const (
	stageFirmware = "firmware"    // QEMU started, nothing on the serial console yet
	stageKernel   = "kernel"      // the kernel is printing
	stageInit     = "u-root-init" // the kernel ran /init
)

func newSerialLog(keep int, echo io.Writer) *serialLog {
	return &serialLog{start: time.Now(), keep: keep, stage: stageFirmware, echo: echo}
}

// follow reads the console until EOF.
func (s *serialLog) follow(r io.Reader) {
	buf := make([]byte, 4096)
	var partial []byte
	for {
		n, err := r.Read(buf)
		for _, c := range buf[:n] {
			if c == '\n' {
				s.line(strings.TrimRight(string(partial), "\r"))
				partial = partial[:0]
				continue
			}
			partial = append(partial, c)
		}
		if err != nil {
			if len(partial) > 0 {
				s.line(strings.TrimRight(string(partial), "\r"))
			}
			return
		}
	}
}

func (s *serialLog) line(l string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.echo != nil {
		fmt.Fprintln(s.echo, l)
	}
	s.lines = append(s.lines, l)
	if len(s.lines) > s.keep {
		s.lines = s.lines[len(s.lines)-s.keep:]
	}
	switch {
	case s.stage == stageFirmware && strings.TrimSpace(l) != "":
		s.reach(stageKernel, "")
	}
	if strings.Contains(l, "Run /init as init process") {
		s.reach(stageInit, "")
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

func (s *serialLog) reach(stage, detail string) {
	s.stage, s.detail = stage, detail
	s.times = append(s.times, stageTime{stage, time.Since(s.start), detail})
}

// where says how far the guest got, for a hung guest.
func (s *serialLog) where() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.panic != "" {
		return "with a kernel panic (" + s.panic + ") " + s.stageLocked()
	}
	return s.stageLocked()
}

func (s *serialLog) stageLocked() string {
	switch s.stage {
	case stageFirmware:
		return "in QEMU's firmware or the kernel's decompression (no serial output at all)"
	case stageKernel:
		return "in the kernel's boot (it never ran /init)"
	case stageInit:
		return "in u-root's init, before the guest agent started (loading modules?)"
	case guestproto.StageStart:
		return "in the guest agent, mounting the 9p shares"
	case guestproto.StageMounted:
		return "in the guest agent, before the command started"
	case guestproto.StageRun:
		return "in the guest command (" + s.detail + ")"
	case guestproto.StageExited, guestproto.StagePowerOff:
		return "powering off, after the command ended"
	}
	return "at guest stage " + s.stage + " " + s.detail
}

// tail returns the last lines.
func (s *serialLog) tail() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.lines...)
}

// timings formats when each stage was reached.
func (s *serialLog) timings() string {
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
