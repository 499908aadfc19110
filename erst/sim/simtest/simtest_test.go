package simtest_test

import (
	"slices"
	"testing"

	"github.com/goerst/erst/erst/hw"
	"github.com/goerst/erst/erst/sim"
	"github.com/goerst/erst/erst/sim/simtest"
	"github.com/goerst/erst/erst/store/storetest"
)

// A write through the Rig's driver lands in its store, and the options
// reach the store, the simulator and the driver.
func TestNew(t *testing.T) {
	r := simtest.New(t, 64<<10)
	if got := r.Driver.MaxRecordSize(); got != 8192 {
		t.Errorf("default rig takes records of %d bytes, want 8192", got)
	}
	if err := r.Driver.Write(storetest.CPER(0x42, 300, 1)); err != nil {
		t.Fatal(err)
	}
	if ids := r.Store.IDs(); !slices.Equal(ids, []uint64{0x42}) {
		t.Errorf("store holds %#x after a write through the driver, want [0x42]", ids)
	}

	clock := hw.NewFakeClock()
	accesses := 0
	r = simtest.New(t, 1<<20, simtest.WithRecordSize(4096), simtest.WithClock(clock),
		simtest.WithSim(sim.WithNVRAM(), sim.WithAccessHook(func(sim.Access) { accesses++ })))
	if got := r.Store.Capacity(); got != 255 {
		t.Errorf("1 MiB in 4 KiB slots: capacity %d, want 255", got)
	}
	if !r.Driver.Range().NVRAM() || accesses == 0 {
		t.Errorf("NVRAM %v, %d accesses seen by the hook; want the simulator's options applied", r.Driver.Range().NVRAM(), accesses)
	}
}
