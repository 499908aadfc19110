package erst_test

import (
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/cper"
	"github.com/goerst/erst/erst/sim"
	"github.com/goerst/erst/erst/store"
)

// The driver on QEMU's own ERST table, over a simulated acpi-erst device
// with an in-memory store: write a CPER record, list, read it back into a
// buffer, clear it. On a real machine the table comes from the firmware
// and the platform from linuxhw.
func Example() {
	im, err := store.NewImage(64<<10, 8192) // QEMU's default: 7 records of 8 KiB
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

	r, err := cper.NewPstoreRecord(0x6b01, cper.SectionTypeDmesg, []byte("Kernel panic - not syncing"), time.Unix(1e9, 0))
	if err != nil {
		log.Fatal(err)
	}
	rec, err := r.Marshal()
	if err != nil {
		log.Fatal(err)
	}
	if err := drv.Write(rec); err != nil {
		log.Fatal(err)
	}
	ids, err := drv.IDs()
	fmt.Printf("ids %#x, %v\n", ids, err)

	buf := make([]byte, drv.MaxRecordSize())
	n, err := drv.ReadInto(0x6b01, buf)
	fmt.Printf("read %d bytes (%v), same as written: %v\n", n, err, string(buf[:n]) == string(rec))

	fmt.Println("clear:", drv.Clear(0x6b01))
	_, err = drv.Read(0x6b01)
	fmt.Println("read after clear is ErrStoreEmpty:", errors.Is(err, erst.ErrStoreEmpty))
	// Output:
	// ids [0x6b01], <nil>
	// read 226 bytes (<nil>), same as written: true
	// clear: <nil>
	// read after clear is ErrStoreEmpty: true
}
