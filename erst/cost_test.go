package erst_test

import (
	"testing"

	"github.com/goerst/erst/erst"
)

// On QEMU's table the driver makes exactly the fewest register accesses
// the table allows for every operation.
func TestMinAccessesMatchQEMU(t *testing.T) {
	b := newBench(t, 64<<10)
	accesses := 0
	drv, err := erst.Open(b.dev.Table(), countingPlatform{b.dev, &accesses}, erst.WithClock(b.clock))
	if err != nil {
		t.Fatal(err)
	}
	rec := record(300, 0x77)
	buf := make([]byte, 300)
	for _, tc := range []struct {
		op  erst.Operation
		run func() error
	}{
		{erst.OpWrite, func() error { return drv.Write(rec) }},
		{erst.OpRead, func() error { _, err := drv.ReadInto(0x77, buf); return err }},
		{erst.OpDummyWrite, drv.DummyWrite},
		{erst.OpCount, func() error { _, err := drv.Count(); return err }},
		{erst.OpNextID, func() error { _, err := drv.NextID(); return err }},
		{erst.OpClear, func() error { return drv.Clear(0x77) }},
	} {
		least, ok := drv.MinAccesses(tc.op)
		if !ok {
			t.Fatalf("%v: no minimum on QEMU's table", tc.op)
		}
		accesses = 0
		if err := tc.run(); err != nil {
			t.Fatalf("%v: %v", tc.op, err)
		}
		if accesses != least {
			t.Errorf("%v: %d accesses, MinAccesses %d", tc.op, accesses, least)
		}
	}
}
