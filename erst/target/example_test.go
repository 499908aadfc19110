package target_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/goerst/erst/erst/store/storetest"
	"github.com/goerst/erst/erst/target"
)

// Open a simulated device over a new store file, as erst -store FILE
// write does, and write a record through the driver.
func ExampleOpen() {
	dir, err := os.MkdirTemp("", "target")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	o := target.Options{Store: filepath.Join(dir, "erst.backing")}

	d, err := target.Open(o, target.Create)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer d.Close()
	if err := d.Fault(d.Write(storetest.CPER(0x42, 300, 1))); err != nil {
		fmt.Println(err)
		return
	}
	n, _ := d.Count()
	fmt.Printf("%d record slots of %d bytes, %d record(s), findings: %v\n", d.Store.Capacity(), d.Store.RecordSize(), n, d.Findings())
	// Output: 7 record slots of 8192 bytes, 1 record(s), findings: <nil>
}
