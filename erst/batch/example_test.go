package batch_test

import (
	"bytes"
	"fmt"

	"github.com/goerst/erst/erst/batch"
	"github.com/goerst/erst/erst/cper"
)

// Records are read from streams in two steps: each header as it is added,
// then, once the error log address range is known, the bodies.
func ExampleInput() {
	var in batch.Input
	for _, id := range []uint64{0x10, 0x20} {
		rec, err := cper.Single{ID: id, Type: cper.SectionTypeDmesg, Body: []byte("hello\n")}.Bytes()
		if err != nil {
			fmt.Println(err)
			return
		}
		if err := in.Add(fmt.Sprintf("%#x.bin", id), bytes.NewReader(rec)); err != nil {
			fmt.Println(err)
			return
		}
	}
	recs, err := in.Records(8192) // the device's error log address range
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range recs {
		fmt.Printf("%s: id %#x, %d bytes\n", r.Name, r.ID, len(r.Data))
	}
	fmt.Println(in.Add("again", bytes.NewReader(recs[0].Data)))
	// Output:
	// 0x10.bin: id 0x10, 206 bytes
	// 0x20.bin: id 0x20, 206 bytes
	// again: record id 0x10 is also the id of 0x10.bin; one write stores each id once, nothing written
}
