package erst_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/sim"
)

// nvramBench is a driver in NVRAM mode over a 7-slot simulated store.
func nvramBench(t *testing.T) *bench {
	t.Helper()
	return newBench(t, 64<<10, sim.WithNVRAM())
}

// failNext makes the device's next operation fail without running.
func (b *bench) failNext() { b.dev.ForceStatus(acpi.StatusFailed, 1, false) }

// A failed write leaves a complete-looking record in its slot that the
// platform never stored: it must not hide the good records from Read(0).
func TestNVRAMFailedWriteIsNoRecord(t *testing.T) {
	b := nvramBench(t)
	b.failNext()
	if err := b.drv.Write(record(300, 5)); !errors.Is(err, erst.ErrFailed) {
		t.Fatalf("write the device fails: %v, want ErrFailed", err)
	}
	good := b.write(200, 6)
	got, err := b.drv.Read(0)
	if err != nil || !bytes.Equal(got, good) {
		t.Fatalf("Read(0) = %d bytes, %v; want the one stored record", len(got), err)
	}
	if _, err := b.drv.Read(5); !errors.Is(err, erst.ErrRecordNotFound) {
		t.Errorf("Read of the failed write's id: %v, want ErrRecordNotFound", err)
	}
}

// Failed writes do not leak slots: after 7 of them the 7-slot store still
// takes 7 records.
func TestNVRAMFailedWritesLeakNoSlot(t *testing.T) {
	b := nvramBench(t)
	for id := uint64(1); id <= 7; id++ {
		b.failNext()
		if err := b.drv.Write(record(200, 0x100+id)); err == nil {
			t.Fatal("forced failure reported success")
		}
	}
	for id := uint64(1); id <= 7; id++ {
		b.write(200, id)
	}
	if n := b.st.Count(); n != 7 {
		t.Errorf("store holds %d records, want 7", n)
	}
}

// A failed overwrite leaves the old version stored and readable.
func TestNVRAMFailedOverwriteKeepsOld(t *testing.T) {
	b := nvramBench(t)
	old := b.write(300, 9)
	b.failNext()
	if err := b.drv.Write(record(500, 9)); err == nil {
		t.Fatal("forced failure reported success")
	}
	if got, err := b.drv.Read(9); err != nil || !bytes.Equal(got, old) {
		t.Errorf("Read after a failed overwrite = %d bytes, %v; want the old %d-byte record", len(got), err, len(old))
	}
	if got, _ := b.st.Get(9); !bytes.Equal(got, old) {
		t.Errorf("the store holds %d bytes for the id, want the old record", len(got))
	}
	// A successful overwrite replaces it, and frees the old slot.
	newer := b.write(400, 9)
	if got, err := b.drv.Read(9); err != nil || !bytes.Equal(got, newer) {
		t.Errorf("Read after an overwrite = %d bytes, %v; want the new record", len(got), err)
	}
	for id := uint64(1); id <= 6; id++ {
		b.write(128, id)
	}
}

// A driver that crashed after copying records into the range but before
// EXECUTE left them there; a new driver on the same device goes by what
// the platform committed.
func TestNVRAMCrashBeforeExecute(t *testing.T) {
	b := nvramBench(t)
	stored := b.write(300, 2) // slot 0
	// The crashed driver's copies: a new record in slot 1, and an
	// overwrite of record 2 in slot 2, neither executed.
	rng, err := b.dev.Map(b.dev.Bar1(), 7*recordSize)
	if err != nil {
		t.Fatal(err)
	}
	copy(rng[recordSize:], record(200, 3))
	copy(rng[2*recordSize:], record(600, 2))
	drv, err := erst.Open(b.dev.Table(), b.dev, erst.WithClock(b.clock), erst.WithNVRAMSlotSize(recordSize))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := drv.Read(2); err != nil || !bytes.Equal(got, stored) {
		t.Errorf("Read(2) = %d bytes, %v; want the committed %d bytes", len(got), err, len(stored))
	}
	if _, err := drv.Read(3); !errors.Is(err, erst.ErrRecordNotFound) {
		t.Errorf("Read(3), never committed: %v, want ErrRecordNotFound", err)
	}
	for id := uint64(10); id < 16; id++ { // the six other slots
		if err := drv.Write(record(128, id)); err != nil {
			t.Fatalf("write %d: %v", id, err)
		}
	}
}
