package pshedtest

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
)

// IDSpan is how many identifiers from [IDBase] the suite reserves: every
// identifier a check uses is in [IDBase, IDBase+IDSpan). A caller that
// runs the suite on a store holding other records can keep to that range
// (see [Reserved]) and leave every other record alone.
const IDSpan uint64 = 1 << 41

// Reserved reports whether id is one of the identifiers the suite may use.
func Reserved(id uint64) bool { return id-IDBase < IDSpan }

// Outcome is how one check ended.
type Outcome int

// Outcomes of a check.
const (
	Pass Outcome = iota
	Fail
	Skip
)

func (o Outcome) String() string {
	switch o {
	case Pass:
		return "pass"
	case Fail:
		return "fail"
	case Skip:
		return "skip"
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// Result is what one check found, for a caller without a *testing.T
// (a command a firmware engineer runs on a platform).
type Result struct {
	Name    string
	Outcome Outcome
	// Messages are the check's errors ("error: ..."), skip reason
	// ("skip: ...") and logs ("log: ..."), in order.
	Messages []string
}

// Reason is the first error or skip message, else the first log
// message (a passing check's figures), else "".
func (r Result) Reason() string {
	for _, m := range r.Messages {
		if s, ok := strings.CutPrefix(m, "error: "); ok {
			return s
		}
		if s, ok := strings.CutPrefix(m, "skip: "); ok {
			return s
		}
	}
	for _, m := range r.Messages {
		if s, ok := strings.CutPrefix(m, "log: "); ok {
			return s
		}
	}
	return ""
}

// Run runs check c against tg and returns its result. The check runs on
// a goroutine of its own so that a fatal failure or skip can end it as
// testing.T's do (runtime.Goexit); Run returns when it has ended.
func Run(c Check, tg Target) Result {
	r := &recorder{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.Run(r, tg)
	}()
	<-done
	res := Result{Name: c.Name, Outcome: Pass, Messages: r.msgs}
	switch {
	case r.failed:
		res.Outcome = Fail
	case r.skipped:
		res.Outcome = Skip
	}
	return res
}

// recorder is the TB Run gives a check.
type recorder struct {
	mu      sync.Mutex
	failed  bool
	skipped bool
	msgs    []string
}

func (r *recorder) Helper() {}

func (r *recorder) add(prefix, format string, args []any, failed, skipped bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, prefix+fmt.Sprintf(format, args...))
	r.failed = r.failed || failed
	r.skipped = r.skipped || skipped
}

func (r *recorder) Errorf(format string, args ...any) { r.add("error: ", format, args, true, false) }
func (r *recorder) Logf(format string, args ...any)   { r.add("log: ", format, args, false, false) }

func (r *recorder) Fatalf(format string, args ...any) {
	r.add("error: ", format, args, true, false)
	runtime.Goexit()
}

func (r *recorder) Skipf(format string, args ...any) {
	r.add("skip: ", format, args, false, true)
	runtime.Goexit()
}
