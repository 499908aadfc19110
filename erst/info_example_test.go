package erst_test

import (
	"log"
	"os"

	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/sim"
	"github.com/goerst/erst/erst/store"
)

// What the driver learns of a simulated acpi-erst device from its table,
// printed as erst info prints it.
func ExampleDevice_Info() {
	im, err := store.NewImage(64<<10, 8192)
	if err != nil {
		log.Fatal(err)
	}
	st, err := store.New(im)
	if err != nil {
		log.Fatal(err)
	}
	dev, err := sim.New(st)
	if err != nil {
		log.Fatal(err)
	}
	drv, err := erst.Open(dev.Table(), dev)
	if err != nil {
		log.Fatal(err)
	}
	info, err := drv.Info()
	if err != nil {
		log.Fatal(err)
	}
	info.Device = "simulated store"
	info.Store = &erst.StoreGeometry{Capacity: st.Capacity(), RecordSize: st.RecordSize(), Size: st.Size()}
	info.WriteText(os.Stdout)
	// Output:
	// device:          simulated store
	// error log range: 0xfebd4000, 8192 bytes
	// attributes:      0x0 []
	// execute timings: 0x640000000a (max 100, nominal 10; µs per ACPI)
	// busy timeout:    1ms
	// records:         0
	// capacity:        7 records of up to 8192 bytes (65536-byte store)
}
