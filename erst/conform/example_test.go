package conform_test

import (
	"fmt"
	"os"

	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/conform"
	"github.com/goerst/erst/erst/hw"
	"github.com/goerst/erst/erst/pshed/pshedtest"
	"github.com/goerst/erst/erst/sim"
	"github.com/goerst/erst/erst/store"
)

// A conformance run on a simulated QEMU device that already holds a
// record: every check passes and the record stays. A device that answers
// every write with NOT_ENOUGH_SPACE fails the checks that write.
func Example() {
	im, _ := store.NewImage(64<<10, 8192)
	st, _ := store.New(im)
	dev, _ := sim.New(st)
	d, err := erst.Open(dev.Table(), dev)
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = d.Write(pshedtest.NewRecord(300, 0x42)) // someone else's record

	// A clock that stands still (hw.NewFakeClock) keeps the Timings
	// check's verdict independent of the machine running the example; on
	// a platform, leave Clock nil for the system clock.
	clock := hw.NewFakeClock().Now
	rep, err := conform.Run(d, conform.Options{Free: 6, FreeKnown: true, Samples: 25, Clock: clock})
	fmt.Println(len(rep.Results), "checks,", len(rep.Failed()), "failed,", err)
	fmt.Printf("ids left: %#x\n", st.IDs())

	dev.SetFull(true)
	rep, _ = conform.Run(d, conform.Options{Free: 6, FreeKnown: true, Samples: 25, Clock: clock})
	fmt.Println(rep.Failed()[:3])
	// Output:
	// 23 checks, 0 failed, <nil>
	// ids left: [0x42]
	// [FullStore WriteReadClear PersistenceSignature]
}

// A report as a person reads it: the room, a table of the checks and the
// counts; JSON gives the same as the document erst conform -json prints.
func ExampleReport_WriteText() {
	rep := &conform.Report{RecordLength: 8192, Free: 5, FreeKnown: true, Results: []pshedtest.Result{
		{Name: "WriteReadClear", Outcome: pshedtest.Pass, Messages: []string{"log: wrote, read and cleared 3 records"}},
		{Name: "Timings", Outcome: pshedtest.Skip, Messages: []string{"skip: the table announces no timings"}},
	}}
	_ = rep.WriteText(os.Stdout)
	j := rep.JSON("store erst.backing")
	fmt.Println(j.Passed, *j.Room, j.Checks[1].Result, rep.Err())
	// Output:
	// conform: room for 5 records; 0 other records in the store, left alone
	//
	// CHECK                      RESULT REASON
	// WriteReadClear             pass   wrote, read and cleared 3 records
	// Timings                    skip   the table announces no timings
	//
	// conform: 2 checks: 1 pass, 0 fail, 1 skip
	// true 5 skip <nil>
}
