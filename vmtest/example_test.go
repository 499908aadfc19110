package vmtest_test

import (
	"bytes"
	"context"
	"fmt"
	"log"

	"github.com/goerst/erst/erst/pshed"
	"github.com/goerst/erst/erst/pshed/pshedtest"
	"github.com/goerst/erst/vmtest"
)

// Play the OS: write an error record through the guest's PSHED
// callbacks, pull the plug, boot again and read it back. (It boots QEMU,
// so go test compiles it but does not run it.)
func Example() {
	ctx := context.Background()
	g, err := vmtest.Start(ctx, vmtest.Options{Store: "nvram.img"})
	if err != nil {
		log.Fatal(err)
	}
	defer g.Close()

	p := g.PSHED()
	rec := pshedtest.NewRecord(512, 0x1234) // any CPER record
	if st := p.WriteErrorRecord(0, rec); st != pshed.StatusSuccess {
		log.Fatalf("write: %v: %v", st, g.Err())
	}
	if err := g.Kill(); err != nil { // a power cut: QEMU gets SIGKILL
		log.Fatal(err)
	}
	if err := g.Restart(ctx); err != nil { // a new QEMU on nvram.img
		log.Fatal(err)
	}
	buf := make([]byte, 8192)
	_, n, st := p.ReadErrorRecord(0, 0x1234, buf)
	fmt.Println(st, bytes.Equal(buf[:n], rec))
}
