package torture_test

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/sim"
	"github.com/goerst/erst/erst/store"
	"github.com/goerst/erst/erst/torture"
)

// Torture fills a simulated QEMU store (7 slots of 8 KiB) three times
// over, clearing only its own oldest records; Verify then needs nothing
// but the seed to check every byte of what is left.
func Example() {
	im, _ := store.NewImage(64<<10, 8192)
	st, _ := store.New(im)
	dev, _ := sim.New(st)
	d, err := erst.Open(dev.Table(), dev)
	if err != nil {
		fmt.Println(err)
		return
	}
	g, _ := torture.New(42, d.Range().Length)
	s, err := g.Torture(d, torture.Options{N: 21})
	fmt.Printf("acknowledged %d, cleared %d to make room, last %#x, %v\n", s.Written, s.Cleared, s.Last, err)

	rep, err := g.Verify(d)
	fmt.Printf("intact %d, faults %d, %v\n", len(rep.Intact), len(rep.Faults), err)

	// A record damaged in the store is named, with the byte.
	im[st.Lookup(s.Last)*8192+150] ^= 1
	rep, _ = g.Verify(d)
	fmt.Println(rep.Faults[0].Err)
	// Output:
	// acknowledged 21, cleared 14 to make room, last 0x7e96fb8e00000015, <nil>
	// intact 7, faults 0, <nil>
	// record 0x7e96fb8e00000015: section descriptor byte 150 is 0x56, want 0x57: torture record corrupt
}

// A run's log and summary as erst torture prints them, and the verdict on
// a store that lost an acknowledged record, as erst verify prints it.
func ExampleReport_WriteText() {
	im, _ := store.NewImage(64<<10, 8192)
	st, _ := store.New(im)
	dev, _ := sim.New(st)
	d, _ := erst.Open(dev.Table(), dev)
	g, _ := torture.New(42, d.Range().Length)

	var out bytes.Buffer
	log := torture.Log{W: io.MultiWriter(os.Stdout, &out)}
	s, _ := g.Torture(d, torture.Options{N: 3, Ack: log.Ack, Clearing: log.Clear})
	_ = s.WriteText(os.Stdout, "simulated store")

	acked, _ := torture.ReadAcks(&out)
	_ = d.Clear(s.Last) // lost
	rep, _ := g.VerifyAcked(d, acked)
	_ = rep.WriteText(os.Stdout, "run.log")
	fmt.Println(rep.Err())
	// Output:
	// ack 0x7e96fb8e00000001
	// ack 0x7e96fb8e00000002
	// ack 0x7e96fb8e00000003
	// torture: seed 0x2a: 3 records acknowledged (0x7e96fb8e00000001 to 0x7e96fb8e00000003), 0 of its own cleared to make room, on the simulated store
	// missing 0x7e96fb8e00000003: acknowledged in run.log and not cleared since, not in the store
	// verify: seed 0x2a: 2 records intact, 0 failed, 1 missing; 0 torture records of other seeds and 0 other records left alone
	// 0 of 2 records of seed 0x2a failed verification, 1 missing: [0x7e96fb8e00000003]
}
