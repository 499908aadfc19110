package sim_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/goerst/erst/erst/sim"
)

// testdata/hostile.dat, the README's example of a table erst refuses on
// the live device (QEMU's table with its registers moved to 16 MiB, in
// System RAM), is sim.BuildTable(16 << 20).
func TestHostileTableFile(t *testing.T) {
	got, err := os.ReadFile("testdata/hostile.dat")
	if err != nil {
		t.Fatal(err)
	}
	if want := sim.BuildTable(16 << 20).Encode(); !bytes.Equal(got, want) {
		t.Errorf("testdata/hostile.dat is not sim.BuildTable(16 << 20).Encode(); write that to it")
	}
}
