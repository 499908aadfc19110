package sim_test

import (
	"fmt"
	"log"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/cper"
	"github.com/goerst/erst/erst/sim"
	"github.com/goerst/erst/erst/store"
)

// The simulated acpi-erst device over an in-memory store, driven by the
// ERST interpreter through the table QEMU would build for it: the whole
// stack of a QEMU guest, on the host.
func Example() {
	im, err := store.NewImage(64<<10, store.DefaultRecordSize)
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
	d, err := erst.Open(dev.Table(), dev)
	if err != nil {
		log.Fatal(err)
	}

	rec, _ := (&cper.Builder{RecordID: 0x100, NoTimestamp: true, Sections: []cper.SectionSpec{{Body: []byte("hello")}}}).Bytes()
	if err := d.Write(rec); err != nil {
		log.Fatal(err)
	}
	n, _ := d.Count()
	back, _ := d.Read(0x100)
	fmt.Printf("count %d; read %d bytes; the store's map says %#x\n", n, len(back), st.IDs())
	// Output: count 1; read 205 bytes; the store's map says [0x100]
}

// Faults are injected into the device; the driver sees what a guest
// would see.
func ExampleDevice_ForceStatus() {
	im, _ := store.NewImage(64<<10, store.DefaultRecordSize)
	st, _ := store.New(im)
	dev, _ := sim.New(st)
	d, _ := erst.Open(dev.Table(), dev)

	dev.ForceStatus(acpi.StatusHardwareNotAvailable, 1, false)
	rec, _ := (&cper.Builder{RecordID: 0x100, NoTimestamp: true, Sections: []cper.SectionSpec{{Body: []byte("x")}}}).Bytes()
	fmt.Println(d.Write(rec) != nil, st.Count())
	// Output: true 0
}

// The device's registers, reached through the bus as the table's
// instructions reach them.
func ExampleDevice_Bus() {
	im, _ := store.NewImage(64<<10, store.DefaultRecordSize)
	st, _ := store.New(im)
	dev, _ := sim.New(st)
	bus, _ := dev.Bus(acpi.SystemMemory)
	bus.Write32(dev.Bar0()+sim.ActionOffset, uint32(acpi.GetErrorLogAddressLength))
	n, _ := bus.Read64(dev.Bar0() + sim.ValueOffset)
	fmt.Println(n)
	// Output: 8192
}
