package storetest_test

import (
	"fmt"

	"github.com/goerst/erst/erst/store"
	"github.com/goerst/erst/erst/store/storetest"
)

// A Golden image is written field by field from QEMU's hw/acpi/erst.c, not
// by package store, so a test can compare the store's bytes with what QEMU
// would have left in the file.
func Example() {
	im, _ := store.NewImage(64<<10, 8192)
	st, _ := store.New(im)
	rec := storetest.CPER(0x42, 300, 0xAB)
	if _, err := st.Write(rec); err != nil {
		fmt.Println(err)
		return
	}
	want := storetest.NewGolden(64<<10, 8192).
		Header(8192, 8192, 1).
		Map(1, 0x42). // map[] indexes slots from the file start
		Slot(1, rec)  // slot 0 holds the header and map
	fmt.Printf("diff: %q\n", storetest.Diff(st.Snapshot(), want.Bytes()))
	// Output:
	// diff: ""
}
