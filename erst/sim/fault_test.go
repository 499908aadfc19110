package sim_test

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst/hw"
	"github.com/goerst/erst/erst/sim"
	"github.com/goerst/erst/erst/store"
	"github.com/goerst/erst/erst/store/storetest"
)

func TestBusyForever(t *testing.T) {
	r := newRig(t)
	r.d.SetBusy(sim.Busy{Forever: true})
	copy(r.buf, storetest.CPER(0x1, 128, 0))
	r.unchanged("write to a stuck device", func() {
		r.run(acpi.BeginWriteOperation, 0)
		r.run(acpi.SetRecordOffset, 0)
		start := r.clock.Now()
		if _, err := r.execute(); !errors.Is(err, errTimeout) {
			t.Fatalf("execute on a stuck device: %v, want a timeout", err)
		}
		if el := r.clock.Now().Sub(start); el < firmwareTimeout {
			t.Errorf("gave up after %v", el)
		}
		if s := r.d.State(); s.Busy != 1 || s.Status != acpi.StatusSuccess {
			t.Errorf("state %+v: want busy, status still the previous one", s)
		}
		// A second EXECUTE while busy is ignored.
		r.run(acpi.ExecuteOperation, 0)
	})
	// Reset drops the stuck operation; without the fault all is normal.
	r.d.Reset()
	r.d.SetBusy(sim.Busy{})
	r.wantStatus("write after reset", r.put(storetest.CPER(0x1, 128, 0)), acpi.StatusSuccess)
}

func TestBusyPolls(t *testing.T) {
	r := newRig(t)
	r.d.SetBusy(sim.Busy{Polls: 3})
	rec := storetest.CPER(0x2, 128, 0)
	copy(r.buf, rec)
	r.run(acpi.BeginWriteOperation, 0)
	r.run(acpi.SetRecordOffset, 0)
	r.unchanged("EXECUTE on a slow device", func() { r.run(acpi.ExecuteOperation, 0) })
	for i := range 3 {
		if busy := r.run(acpi.CheckBusyStatus, 0); busy != 1 {
			t.Fatalf("poll %d: busy %d, want 1", i, busy)
		}
		if r.st.Count() != 0 {
			t.Fatalf("poll %d: the write happened while busy", i)
		}
	}
	if busy := r.run(acpi.CheckBusyStatus, 0); busy != 0 {
		t.Fatalf("poll 4: busy %d, want 0", busy)
	}
	r.wantStatus("status after the slow write", r.status(), acpi.StatusSuccess)
	r.checkFile("after the slow write", storetest.NewGolden(64*kib, 8*kib).Header(8192, 8192, 1).Map(1, 2).Slot(1, rec).B)
	// The fault stays for later operations.
	st, _ := r.get(0x2)
	r.wantStatus("slow read", st, acpi.StatusSuccess)
}

func TestBusyForDuration(t *testing.T) {
	r := newRig(t)
	r.d.SetBusy(sim.Busy{For: 500 * time.Microsecond})
	start := r.clock.Now()
	r.wantStatus("write within Linux's 1 ms", r.put(storetest.CPER(0x3, 128, 0)), acpi.StatusSuccess)
	if el := r.clock.Now().Sub(start); el < 500*time.Microsecond || el > 600*time.Microsecond {
		t.Errorf("the write took %v on the fake clock, want about 500µs", el)
	}
	r.d.SetBusy(sim.Busy{For: 2 * time.Millisecond})
	r.unchanged("write to a device slower than Linux waits", func() {
		copy(r.buf, storetest.CPER(0x4, 128, 0))
		if _, err := r.write(0); !errors.Is(err, errTimeout) {
			t.Errorf("write: %v, want a timeout", err)
		}
	})
	// Polling on past the deadline completes it.
	r.clock.Advance(time.Millisecond)
	if busy := r.run(acpi.CheckBusyStatus, 0); busy != 0 || r.st.Lookup(0x4) == 0 {
		t.Errorf("after the deadline: busy %d, record stored %v", busy, r.st.Lookup(0x4) != 0)
	}
}

func TestForceStatus(t *testing.T) {
	r := newRig(t)
	// A reserved status, operation not performed.
	r.d.ForceStatus(6, 1, false)
	r.unchanged("forced status 6", func() {
		r.wantStatus("forced", r.put(storetest.CPER(0x5, 128, 0)), 6)
	})
	if got := acpi.CommandStatus(6).String(); got != "RESERVED_STATUS(0x06)" {
		t.Errorf("String = %q", got)
	}
	// Only the next operation.
	r.wantStatus("next write", r.put(storetest.CPER(0x5, 128, 0)), acpi.StatusSuccess)
	// Performed, but reported as failed: a lying device.
	r.d.ForceStatus(acpi.StatusFailed, 1, true)
	r.wantStatus("performed write", r.put(storetest.CPER(0x6, 128, 0)), acpi.StatusFailed)
	if r.st.Lookup(0x6) == 0 {
		t.Error("a performed forced write did not store the record")
	}
	// Every operation, END and dummy write included, until turned off.
	r.d.ForceStatus(acpi.StatusHardwareNotAvailable, -1, false)
	for _, op := range []acpi.Action{acpi.EndOperation, acpi.BeginDummyWriteOperation, acpi.BeginReadOperation} {
		r.run(op, 0)
		if st, _ := r.execute(); st != acpi.StatusHardwareNotAvailable {
			t.Errorf("%v: %v", op, st)
		}
	}
	r.d.ForceStatus(0, 0, false)
	st, _ := r.get(0x5)
	r.wantStatus("read after ForceStatus off", st, acpi.StatusSuccess)
}

func TestSetFull(t *testing.T) {
	r := newRig(t)
	r.put(storetest.CPER(0x7, 128, 0))
	r.d.SetFull(true)
	r.unchanged("write of a new ID to a 'full' store", func() {
		r.wantStatus("new ID", r.put(storetest.CPER(0x8, 128, 0)), acpi.StatusNotEnoughSpace)
	})
	r.wantStatus("overwrite", r.put(storetest.CPER(0x7, 200, 1)), acpi.StatusSuccess)
	r.d.SetFull(false)
	r.wantStatus("new ID once not full", r.put(storetest.CPER(0x8, 128, 0)), acpi.StatusSuccess)
}

// After the store is closed, every operation reports
// HARDWARE_NOT_AVAILABLE, in exchange and in NVRAM mode alike. In NVRAM
// mode the range is the store's own memory: the buffer the OS mapped
// before the Close must not fault (SIGSEGV) on the next access.
func TestClosedStoreIsHardwareNotAvailable(t *testing.T) {
	for name, opts := range map[string][]sim.Option{"exchange": nil, "nvram": {sim.WithNVRAM()}} {
		t.Run(name, func(t *testing.T) {
			r := newRig(t, opts...)
			r.wantStatus("write before Close", r.put(storetest.CPER(0x8, 128, 0)), acpi.StatusSuccess)
			r.st.Close()
			r.wantStatus("write", r.put(storetest.CPER(0x9, 128, 0)), acpi.StatusHardwareNotAvailable)
			st, _ := r.get(0x8)
			r.wantStatus("read", st, acpi.StatusHardwareNotAvailable)
			r.wantStatus("clear", r.clear(0x8), acpi.StatusHardwareNotAvailable)
			if n := r.count(); n != 0 {
				t.Errorf("count %d", n)
			}
			if err := r.bus.Write64(r.erange, 0x1234); err != nil {
				t.Errorf("bus write to the range after Close: %v", err)
			}
			if _, err := r.bus.Read64(r.erange + 8); err != nil {
				t.Errorf("bus read of the range after Close: %v", err)
			}
		})
	}
}

// A power cut mid-write leaves the slot partly written and the map as it
// was; after "reboot" the record does not exist.
func TestTornWrite(t *testing.T) {
	r := newRig(t)
	a := storetest.CPER(0xA, 300, 0xAA)
	r.put(a)
	want := storetest.NewGolden(64*kib, 8*kib).Header(8192, 8192, 1).Map(1, 0xA).Slot(1, a)

	// A write failing QEMU's checks does not trigger the tear.
	r.d.TearNextWrite(store.Tear{SlotBytes: 1000})
	r.wantStatus("invalid write", r.put(storetest.CPER(0, 128, 0)), acpi.StatusFailed)
	r.checkFile("after the invalid write", want.B)

	b := storetest.CPER(0xB, 4000, 0xBB)
	copy(r.buf, b)
	r.run(acpi.BeginWriteOperation, 0)
	r.run(acpi.SetRecordOffset, 0)
	r.run(acpi.ExecuteOperation, 0) // the power goes during this write
	if _, err := r.runErr(acpi.CheckBusyStatus, 0); !errors.Is(err, sim.ErrPowerLost) {
		t.Fatalf("access after the power cut: %v, want ErrPowerLost", err)
	}
	if _, err := r.d.Map(r.erange, 16); !errors.Is(err, sim.ErrPowerLost) || !r.d.PowerLost() {
		t.Errorf("Map after the power cut: %v", err)
	}
	copy(want.B[2*8192:], b[:1000])
	r.checkFile("after the torn write", want.B)

	// Reboot: the file is reopened; b is not there.
	r.st.Close()
	st2, err := store.Open(r.path)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	r2 := rigOver(t, st2)
	r2.path = r.path
	if n := r2.count(); n != 1 {
		t.Errorf("count %d, want 1", n)
	}
	if st, _ := r2.get(0xB); st != acpi.StatusRecordNotFound {
		t.Errorf("read of the torn record: %v", st)
	}
	// The next write of b reuses the slot and completes it.
	r2.wantStatus("rewrite", r2.put(b), acpi.StatusSuccess)
	want.Count(2).Map(2, 0xB).Slot(2, b)
	r2.checkFile("after the rewrite", want.B)

	// Cut after record_count: GET_RECORD_COUNT says one more than the
	// iteration finds, the inconsistency Linux's erst_read_record copes with.
	r2.d.TearNextWrite(store.Tear{SlotBytes: 8192, CountUpdated: true})
	copy(r2.buf, storetest.CPER(0xC, 128, 0))
	r2.run(acpi.BeginWriteOperation, 0)
	r2.run(acpi.SetRecordOffset, 0)
	r2.run(acpi.ExecuteOperation, 0)
	r3 := rigOver(t, st2)
	if n := r3.count(); n != 3 {
		t.Errorf("count %d, want 3", n)
	}
	if a, b, end := r3.nextID(), r3.nextID(), r3.nextID(); a != 0xA || b != 0xB || end != none {
		t.Errorf("iteration %#x %#x %#x, want 0xa 0xb ~0", a, b, end)
	}
}

// The access hook sees every bus access: Linux's write, read and clear
// sequences over QEMU's table take 10, 12 and 10 accesses, plus two per
// busy poll.
func TestAccessHook(t *testing.T) {
	var n, failed atomic.Int64
	r := newRig(t, sim.WithAccessHook(func(a sim.Access) {
		n.Add(1)
		if a.Err != nil {
			failed.Add(1)
		}
	}))
	count := func(f func()) int64 {
		n.Store(0)
		f()
		return n.Load()
	}
	if got := count(func() { r.put(storetest.CPER(1, 128, 0)) }); got != 10 {
		t.Errorf("write: %d accesses, want 10", got)
	}
	if got := count(func() { r.get(1) }); got != 12 {
		t.Errorf("read: %d accesses, want 12", got)
	}
	if got := count(func() { r.clear(1) }); got != 10 {
		t.Errorf("clear: %d accesses, want 10", got)
	}
	if got := count(func() { r.count() }); got != 2 {
		t.Errorf("count: %d accesses, want 2", got)
	}
	r.d.SetBusy(sim.Busy{Polls: 3})
	if got := count(func() { r.put(storetest.CPER(1, 128, 0)) }); got != 16 {
		t.Errorf("slow write: %d accesses, want 16", got)
	}
	if _, err := r.bus.Read32(0); !errors.Is(err, hw.ErrUnmapped) || failed.Load() != 1 {
		t.Errorf("failed access: %v, hook saw %d failures", err, failed.Load())
	}
}
