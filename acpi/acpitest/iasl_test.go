package acpitest

import (
	"fmt"
	"strings"
	"testing"
)

// recordTB records Fatalf and Skipf instead of ending the test.
type recordTB struct {
	testing.TB
	fatal, skip string
}

func (r *recordTB) Helper() {}

func (r *recordTB) Fatalf(format string, args ...any) {
	r.fatal = fmt.Sprintf(format, args...)
	panic(r)
}

func (r *recordTB) Skipf(format string, args ...any) {
	r.skip = fmt.Sprintf(format, args...)
	panic(r)
}

func callIasl(t *testing.T) (r *recordTB) {
	r = &recordTB{TB: t}
	defer func() {
		if p := recover(); p != nil && p != r {
			panic(p)
		}
	}()
	Iasl(r)
	return r
}

// TestIaslMissing: without iasl the comparison fails under CI and is
// skipped elsewhere, both saying what to install.
func TestIaslMissing(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	t.Setenv("CI", "true")
	if r := callIasl(t); !strings.Contains(r.fatal, "install acpica-tools") || r.skip != "" {
		t.Errorf("CI=true without iasl: fatal %q, skip %q; want a failure saying to install acpica-tools", r.fatal, r.skip)
	}
	t.Setenv("CI", "")
	if r := callIasl(t); !strings.Contains(r.skip, "install acpica-tools") || r.fatal != "" {
		t.Errorf("without iasl locally: fatal %q, skip %q; want a skip saying to install acpica-tools", r.fatal, r.skip)
	}
}
