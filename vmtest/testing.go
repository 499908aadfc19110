package vmtest

import (
	"context"
	"testing"
)

// StartT starts a guest for a test: it logs each boot with tb.Logf, fails
// tb when the guest does not boot, and closes the guest when the test
// ends.
func StartT(tb testing.TB, o Options) *Guest {
	tb.Helper()
	if o.Logf == nil {
		o.Logf = tb.Logf
	}
	g, err := Start(context.Background(), o)
	if err != nil {
		tb.Fatalf("vmtest.Start: %v", err)
	}
	tb.Cleanup(func() { g.Close() })
	return g
}
