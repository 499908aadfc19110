package guestproto_test

import (
	"fmt"

	"github.com/goerst/erst/images/guestproto"
)

// The guest prints progress markers on its console; the host parses them
// to time the boot's stages.
func Example() {
	line := guestproto.Marker("run", 5.125, "erst table")
	stage, rest, ok := guestproto.ParseMarker("[    5.2] " + line)
	fmt.Println(line)
	fmt.Println(stage, "|", rest, "|", ok)

	port, ok := guestproto.ServePort("console=ttyS0 " + guestproto.ServeParam + "=erst0 quiet")
	fmt.Println(port, ok, guestproto.ServeArgs(port))
	// Output:
	// erstvm-guest: run at 5.12s: erst table
	// run | at 5.12s: erst table | true
	// erst0 true [serve -port erst0]
}
