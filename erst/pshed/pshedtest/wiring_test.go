package pshedtest_test

import (
	"path/filepath"
	"testing"

	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/pshed"
	"github.com/goerst/erst/erst/pshed/pshedtest"
	"github.com/goerst/erst/erst/sim"
	"github.com/goerst/erst/erst/store"
)

// From a store file to the whole suite in three calls (the device, the
// driver, the PSHED callbacks), with no geometry written down: the
// Adapter reports the range length and capacity the store has.
func TestStoreFileInThreeCalls(t *testing.T) {
	pshedtest.TestPersistence(t, func(t *testing.T) pshedtest.Target {
		path := filepath.Join(t.TempDir(), "erst.backing")
		st, err := store.Create(path, 128<<10, 16<<10) // not QEMU's defaults: 7 records of 16 KiB
		if err != nil {
			t.Fatal(err)
		}
		st.Close()

		dev, err := sim.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { dev.Close() })
		drv, err := erst.Open(dev.Table(), dev)
		if err != nil {
			t.Fatal(err)
		}
		return pshedtest.Target{Persistence: pshed.NewAdapter(drv)}
	})
}
