package remote_test

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/pshed/pshedtest"
	"github.com/goerst/erst/erst/pshed/remote"
	"github.com/goerst/erst/erst/sim"
	"github.com/goerst/erst/erst/store"
)

// A Server plays the device end (in a guest, over a virtio-serial port;
// here over a pipe, on a simulated QEMU device with an in-memory store),
// and a Client on the other end makes the PSHED calls.
func Example() {
	im, _ := store.NewImage(store.DefaultSize, store.DefaultRecordSize)
	st, _ := store.New(im)
	dev, _ := sim.New(st)
	drv, err := erst.Open(dev.Table(), dev)
	if err != nil {
		fmt.Println(err)
		return
	}
	backend, err := remote.NewDeviceBackend(drv)
	if err != nil {
		fmt.Println(err)
		return
	}

	cli, srv := net.Pipe()
	done := make(chan error, 1)
	go func() { done <- (&remote.Server{Backend: backend}).Serve(srv) }()

	c := remote.NewClient(cli, 5*time.Second)
	ctx := context.Background()
	info, err := c.Info(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("range %d bytes, room for %d records\n", info.RangeLength, info.Capacity)

	st1, err := c.WriteErrorRecord(ctx, 0, pshedtest.NewRecord(256, 0x1234))
	fmt.Println("write:", st1, err)
	ids, err := c.IDs(ctx)
	fmt.Printf("ids: %#x %v\n", ids, err)

	fmt.Println("shutdown:", c.Shutdown(ctx))
	fmt.Println("server:", <-done)
	c.Close()
	// Output:
	// range 8192 bytes, room for 7 records
	// write: STATUS_SUCCESS <nil>
	// ids: [0x1234] <nil>
	// shutdown: <nil>
	// server: <nil>
}
