package pshed_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/pshed"
	"github.com/goerst/erst/erst/pshed/pshedtest"
	"github.com/goerst/erst/erst/sim"
	"github.com/goerst/erst/erst/store"
)

// From a store file in QEMU's format (one erst -store or QEMU made) to the
// PSHED persistence callbacks in three calls: the simulated device over
// the file, the driver on QEMU's table, the adapter. The adapter reports
// the geometry the conformance suite (pshedtest) needs.
func Example() {
	dir, err := os.MkdirTemp("", "pshed-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "erst.backing")
	st, err := store.Create(path, 64<<10, 8192) // QEMU's default store
	if err != nil {
		log.Fatal(err)
	}
	st.Close()

	dev, err := sim.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer dev.Close()
	drv, err := erst.Open(dev.Table(), dev)
	if err != nil {
		log.Fatal(err)
	}
	p := pshed.NewAdapter(drv)

	fmt.Printf("%+v\n", p.Geometry())
	rec := pshedtest.NewRecord(300, 0x1234)
	fmt.Println("write:", p.WriteErrorRecord(0, rec))
	buf := make([]byte, p.Geometry().RangeLength)
	next, n, status := p.ReadErrorRecord(0, 0, buf)
	fmt.Printf("read: %v, %d bytes, next %#x\n", status, n, next)
	_, _, status = p.ReadErrorRecord(0, 0x9999, buf)
	fmt.Println("read of an id not stored:", status)
	fmt.Println("clear:", p.ClearErrorRecord(0, 0x1234))
	// Output:
	// {RangeLength:8192 Capacity:7 CapacityKnown:true}
	// write: STATUS_SUCCESS
	// read: STATUS_SUCCESS, 300 bytes, next 0x1234
	// read of an id not stored: STATUS_NOT_FOUND
	// clear: STATUS_SUCCESS
}
