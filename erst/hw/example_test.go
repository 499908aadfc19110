package hw_test

import (
	"fmt"
	"time"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst/hw"
)

// A FakePlatform stands in for the machine in tests: registers in plain
// memory, read and written at the widths a GAS gives, and a clock that
// moves only when told.
func Example() {
	p := hw.NewFakePlatform()
	regs := p.Mem.AddRegion(0xfebc0000, 16)

	bus, err := p.Bus(acpi.SystemMemory)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := hw.Write(bus, 32, 0xfebc0004, 0xdeadbeef); err != nil {
		fmt.Println(err)
		return
	}
	v, _ := hw.Read(bus, 16, 0xfebc0006)
	fmt.Printf("%#x % x\n", v, regs[4:8])

	_, err = p.Bus(acpi.PCIConfig)
	fmt.Println(err)

	clock := hw.NewFakeClock()
	start := clock.Now()
	clock.Sleep(3 * time.Millisecond)
	fmt.Println(clock.Now().Sub(start))
	// Output:
	// 0xdead ef be ad de
	// PCIConfig: unsupported address space
	// 3ms
}
