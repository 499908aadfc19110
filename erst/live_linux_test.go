//go:build linux

package erst_test

import (
	"testing"

	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/hw/linuxhw"
	"github.com/goerst/erst/internal/guesttest"
)

// In a vmtest guest (package vmtest boots them, with erst_disable and
// QEMU's acpi-erst device) the behavioural tests and the PSHED suite run
// on the real device too, as subtests named "qemu".
func init() {
	if guesttest.InGuest() {
		liveDevice = openLive
	}
}

// openLive opens the driver on the live table through linuxhw and empties
// the store, before and after the test, so that every test starts from
// nothing whatever the one before it left.
func openLive(t *testing.T) *dut {
	t.Helper()
	guesttest.RecordPass(t)
	tab := guesttest.LiveERST(t)
	p, err := linuxhw.Open(tab)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	open := func(opts ...erst.Option) (*erst.Device, error) { return erst.Open(tab, p, opts...) }
	drv, err := open()
	if err != nil {
		t.Fatal(err)
	}
	empty := func() {
		ids, err := drv.IDs()
		if err != nil {
			t.Fatalf("emptying the store: %v", err)
		}
		for _, id := range ids {
			if err := drv.Clear(id); err != nil {
				t.Fatalf("emptying the store: Clear(%#x): %v", id, err)
			}
		}
	}
	empty()
	t.Cleanup(empty)
	return &dut{t: t, drv: drv, open: open, capacity: guesttest.Capacity()}
}
