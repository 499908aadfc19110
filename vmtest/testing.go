package vmtest

import (
	"path/filepath"
	"testing"

	"github.com/goerst/erst/internal/vm"
)

// StartT starts a guest for a test. Its boot is bounded by the test's
// context (tb.Context) as well as Options.BootTimeout; it logs each boot
// with tb.Logf and fails tb when the guest does not boot. A zero
// Options.Store is a file in tb.TempDir(), so that parallel tests never
// share a store. When the test ends, the guest is closed, a failing Close
// fails the test, and a failed test's log holds the QEMU command line
// ([Guest.Cmdline]) to reproduce the guest by hand.
func StartT(tb testing.TB, o Options) *Guest {
	tb.Helper()
	if o.Logf == nil {
		o.Logf = tb.Logf
	}
	if o.Store == "" {
		o.Store = filepath.Join(tb.TempDir(), DefaultStore)
	}
	g, err := newGuest(o)
	if err != nil {
		tb.Fatalf("vmtest.Start: %v", err)
	}
	tb.Cleanup(func() {
		if tb.Failed() {
			if args := g.Cmdline(); len(args) > 0 {
				tb.Logf("vmtest: QEMU command line: %s", vm.ShellQuote(args))
			}
		}
		if err := g.Close(); err != nil {
			tb.Errorf("vmtest: close: %v", err)
		}
	})
	if err := g.boot(tb.Context()); err != nil {
		tb.Fatalf("vmtest.Start: %v", err)
	}
	return g
}
