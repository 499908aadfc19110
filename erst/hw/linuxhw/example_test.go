package linuxhw_test

import (
	"fmt"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/hw/linuxhw"
)

// The live device: the ERST from sysfs, its registers through /dev/mem
// and /dev/port (as root, with the kernel's ERST driver not holding them:
// boot with erst_disable), and the driver on top. It needs the hardware,
// so it is compiled, not run.
func Example() {
	b, err := acpi.ReadLiveTable([4]byte{'E', 'R', 'S', 'T'})
	if err != nil {
		fmt.Println(err)
		return
	}
	t, err := acpi.DecodeERST(b)
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := linuxhw.Open(t)
	if err != nil {
		fmt.Println(err) // wraps linuxhw.ErrNotRoot, ErrKernelDriver, hw.ErrRefused
		return
	}
	defer p.Close()
	d, err := erst.Open(t, p)
	if err != nil {
		fmt.Println(err)
		return
	}
	n, err := d.Count()
	fmt.Println(n, err)
}
