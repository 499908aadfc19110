package pshed_test

import (
	"testing"

	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/hw"
	"github.com/goerst/erst/erst/pshed"
	"github.com/goerst/erst/erst/sim"
	"github.com/goerst/erst/erst/sim/simtest"
)

// The adapter reports the store's geometry, so that nobody hard-codes
// QEMU's 8192 and 7.
func TestAdapterGeometry(t *testing.T) {
	if g := pshed.NewAdapter(pshed.NewMemStore(5, 1000)).Geometry(); g != (pshed.Geometry{RangeLength: 1000, Capacity: 5, CapacityKnown: true}) {
		t.Errorf("MemStore(5, 1000): %+v", g)
	}
	if g := pshed.NewAdapter(&fakeStore{t: t}).Geometry(); g != (pshed.Geometry{}) {
		t.Errorf("a store that says nothing: %+v, want zeros (unknown)", g)
	}
	for _, tc := range []struct {
		name string
		size int
		rs   uint32
		opts []sim.Option
		want pshed.Geometry
	}{
		{"qemu", 64 << 10, 8192, nil, pshed.Geometry{RangeLength: 8192, Capacity: 7, CapacityKnown: true}},
		{"4KiB", 1 << 20, 4096, nil, pshed.Geometry{RangeLength: 4096, Capacity: 255, CapacityKnown: true}},
		{"nvram", 64 << 10, 8192, []sim.Option{sim.WithNVRAM()}, pshed.Geometry{RangeLength: 8192, Capacity: 7, CapacityKnown: true}},
	} {
		drv := simtest.New(t, tc.size, simtest.WithRecordSize(int(tc.rs)), simtest.WithSim(tc.opts...),
			simtest.WithDriver(erst.WithClock(hw.NewFakeClock()), erst.WithNVRAMSlotSize(int(tc.rs)))).Driver
		if g := pshed.NewAdapter(drv).Geometry(); g != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, g, tc.want)
		}
	}
}
