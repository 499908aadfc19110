package simdriver_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/hw"
	"github.com/goerst/erst/erst/sim"
	"github.com/goerst/erst/erst/sim/simdriver"
	"github.com/goerst/erst/erst/store"
	"github.com/goerst/erst/erst/store/storetest"
)

func newStore(t *testing.T) *store.Store {
	t.Helper()
	im, err := store.NewImage(64<<10, store.DefaultRecordSize)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.New(im)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// Open wires the store, the simulator and the driver: a write lands in
// the store, on QEMU's table, and the options reach each part.
func TestOpen(t *testing.T) {
	st := newStore(t)
	traced := 0
	d, err := simdriver.Open(st, simdriver.WithDriver(erst.WithTrace(func(erst.TraceEvent) { traced++ })))
	if err != nil {
		t.Fatal(err)
	}
	if d.Store != st || d.Sim.Store() != st || d.Table.Entries[0].Register.Address == 0 {
		t.Errorf("Open: store %p, sim's %p, want %p; table %+v", d.Store, d.Sim.Store(), st, d.Table.Entries[0])
	}
	if err := d.Write(storetest.CPER(0x42, 300, 1)); err != nil {
		t.Fatal(err)
	}
	if st.Lookup(0x42) < 0 || traced == 0 {
		t.Errorf("after a write: in the store %v, %d accesses traced; want stored and traced", st.Lookup(0x42) >= 0, traced)
	}

	var faults sim.Faults
	if err := faults.Set("status=3"); err != nil {
		t.Fatal(err)
	}
	clock := hw.NewFakeClock()
	d, err = simdriver.Open(newStore(t), simdriver.WithFaults(faults), simdriver.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Write(storetest.CPER(0x43, 300, 1)); !errors.Is(err, erst.ErrFailed) {
		t.Errorf("write with status=3 injected: %v, want ErrFailed", err)
	}
}

// A table file that cannot be used is a *TableError, with the file's
// error as its message.
func TestOpenTableFile(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "erst.bin")
	if err := os.WriteFile(bad, []byte("not a table"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := simdriver.Open(newStore(t), simdriver.WithTableFile(bad))
	var te *simdriver.TableError
	if !errors.As(err, &te) || te.Error() != te.Err.Error() {
		t.Fatalf("Open with a bad table file: %v, want a *TableError", err)
	}
	_, err = simdriver.Open(newStore(t), simdriver.WithTableFile(filepath.Join(t.TempDir(), "missing")))
	if !errors.As(err, &te) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open with a missing table file: %v, want a *TableError wrapping ErrNotExist", err)
	}
}
