//go:build linux && vmtest

package linuxhw_test

// These tests run inside a QEMU guest with the acpi-erst device, started
// by vmtest/ (go test -tags vmtest ./vmtest/, or make vmtest), which builds
// this package's tests with the vmtest tag. A plain `go test ./...` on the
// host does not build them, so it reports no skipped test for them; with
// the tag on the host they still skip, saying why.

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst/hw"
	"github.com/goerst/erst/erst/hw/linuxhw"
	"github.com/goerst/erst/internal/guesttest"
	"github.com/hugelgupf/vmtest/guest"
)

// erstDevice is QEMU's acpi-erst PCI device: its address and its BARs.
type erstDevice struct {
	addr       string
	bar0, bar1 [2]uint64 // inclusive start and end
}

// findERSTDevice finds the PCI device 1b36:0012 (QEMU's acpi-erst) in sysfs.
func findERSTDevice(t *testing.T) erstDevice {
	t.Helper()
	devs, err := filepath.Glob("/sys/bus/pci/devices/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range devs {
		if readHex(t, d+"/vendor") != 0x1b36 || readHex(t, d+"/device") != 0x0012 {
			continue
		}
		b, err := os.ReadFile(d + "/resource")
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(b), "\n")
		dev := erstDevice{addr: filepath.Base(d)}
		for i, bar := range []*[2]uint64{&dev.bar0, &dev.bar1} {
			f := strings.Fields(lines[i])
			bar[0], _ = strconv.ParseUint(f[0], 0, 64)
			bar[1], _ = strconv.ParseUint(f[1], 0, 64)
		}
		return dev
	}
	t.Fatal("no PCI device 1b36:0012 (QEMU acpi-erst) in the guest")
	return erstDevice{}
}

func readHex(t *testing.T, path string) uint64 {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	v, err := strconv.ParseUint(strings.TrimSpace(string(b)), 0, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func kernelOwnsERST(t *testing.T) bool {
	b, err := os.ReadFile("/proc/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	return !strings.Contains(" "+string(b)+" ", " erst_disable ")
}

// registers returns the ACTION and VALUE registers of an action the way
// QEMU builds it: WRITE_REGISTER_VALUE of the action code to ACTION, then
// READ_REGISTER of VALUE.
func registers(t *testing.T, tab *acpi.ERST, a acpi.Action) (action, value acpi.Entry) {
	t.Helper()
	es := tab.Action(a)
	if len(es) != 2 || es[0].Instruction != acpi.WriteRegisterValue || es[1].Instruction != acpi.ReadRegister {
		t.Fatalf("%v: entries %+v, want WRITE_REGISTER_VALUE then READ_REGISTER", a, es)
	}
	return es[0], es[1]
}

// TestGuestRegisters reads the error log address range through the live
// table's registers: a write of GET_ERROR_LOG_ADDRESS_RANGE (0x0D) to
// ACTION, then a 64-bit read of VALUE, must give BAR1's address. Then it
// maps the range and checks it is the device's memory.
func TestGuestRegisters(t *testing.T) {
	guest.SkipIfNotInVM(t)
	guesttest.RecordPass(t)
	tab := guesttest.LiveERST(t)
	dev := findERSTDevice(t)
	t.Logf("acpi-erst at %s: BAR0 %#x-%#x, BAR1 %#x-%#x", dev.addr, dev.bar0[0], dev.bar0[1], dev.bar1[0], dev.bar1[1])
	for i, e := range tab.Entries {
		if e.Register.Address < dev.bar0[0] || e.Register.Address > dev.bar0[1] {
			t.Errorf("entry %d register %v is outside BAR0", i, e.Register)
		}
	}
	owns, ok := guesttest.KernelERST()
	if !ok {
		t.Fatalf("%s is not set: the host must say whether the kernel owns ERST on this boot, so that the branch taken is checked", guesttest.KernelERSTVar)
	}
	if got := kernelOwnsERST(t); got != owns {
		t.Fatalf("the kernel owns ERST: %v (kernel command line), the host booted it expecting %v", got, owns)
	}
	if owns {
		_, err := linuxhw.Open(tab)
		if !errors.Is(err, linuxhw.ErrKernelDriver) || !strings.Contains(err.Error(), "erst_disable") {
			t.Fatalf("Open while the kernel's ERST driver runs: %v, want ErrKernelDriver naming erst_disable", err)
		}
		t.Logf("Open: %v", err)
		return
	}

	p, err := linuxhw.Open(tab)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	bus, err := p.Bus(acpi.SystemMemory)
	if err != nil {
		t.Fatal(err)
	}
	action, value := registers(t, tab, acpi.GetErrorLogAddressRange)
	if action.Value != 0x0d || action.Register.AccessSize.Bits() != 32 || value.Register.AccessSize.Bits() != 64 {
		t.Fatalf("GET_ERROR_LOG_ADDRESS_RANGE entries %+v %+v: want a 32-bit write of 0x0D and a 64-bit read", action, value)
	}
	if err := bus.Write32(action.Register.Address, 0x0d); err != nil {
		t.Fatal(err)
	}
	base, err := bus.Read64(value.Register.Address)
	if err != nil {
		t.Fatal(err)
	}
	if base != dev.bar1[0] {
		t.Fatalf("error log address range = %#x, want BAR1 %#x", base, dev.bar1[0])
	}
	action, value = registers(t, tab, acpi.GetErrorLogAddressLength)
	if err := hw.Write(bus, action.Register.AccessSize.Bits(), action.Register.Address, action.Value); err != nil {
		t.Fatal(err)
	}
	size, err := hw.Read(bus, value.Register.AccessSize.Bits(), value.Register.Address)
	if err != nil {
		t.Fatal(err)
	}
	if size != dev.bar1[1]-dev.bar1[0]+1 {
		t.Fatalf("error log address length = %#x, want BAR1's size %#x", size, dev.bar1[1]-dev.bar1[0]+1)
	}

	// Map the range and leave a pattern in it.
	buf, err := p.Map(base, size)
	if err != nil {
		t.Fatal(err)
	}
	pattern := []byte(fmt.Sprintf("linuxhw guest test %x", base))
	copy(buf[len(buf)-len(pattern):], pattern)

	// Refusals on the live system.
	if _, err := bus.Read32(base); !errors.Is(err, hw.ErrRefused) {
		t.Errorf("Read32 of the buffer as a register: %v, want ErrRefused", err)
	}
	{
		ram := firstRAM(t)
		if _, err := p.Map(ram, 0x1000); !errors.Is(err, hw.ErrRefused) {
			t.Errorf("Map of System RAM at %#x: %v, want ErrRefused", ram, err)
		}
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}

	// A new platform maps the same device memory: the pattern is there.
	p2, err := linuxhw.Open(tab)
	if err != nil {
		t.Fatal(err)
	}
	defer p2.Close()
	buf, err = p2.Map(base, size)
	if err != nil {
		t.Fatal(err)
	}
	if got := buf[len(buf)-len(pattern):]; !bytes.Equal(got, pattern) {
		t.Errorf("after reopening, the buffer ends in %q, want %q", got, pattern)
	}
}

// TestGuestRefusesSystemRAM: the live table with one register moved into
// System RAM, as a broken or hostile firmware might publish it, is refused
// by Open, which maps nothing then; so is a register straddling the end of
// the device's BAR0.
func TestGuestRefusesSystemRAM(t *testing.T) {
	guest.SkipIfNotInVM(t)
	if kernelOwnsERST(t) {
		t.Skip("the kernel's ERST driver holds the device (booted without erst_disable)")
	}
	guesttest.RecordPass(t)
	ram := firstRAM(t)
	dev := findERSTDevice(t)
	for _, tc := range []struct {
		name string
		addr uint64
		want string
	}{
		{"System RAM", ram + 0x2000, "System RAM"},
		{"straddling BAR0's end", dev.bar0[1] - 3, "straddles"},
	} {
		tab := guesttest.LiveERST(t)
		e := &tab.Entries[len(tab.Entries)/2]
		e.Register.Address = tc.addr
		p, err := linuxhw.Open(tab)
		if err == nil {
			p.Close()
			t.Errorf("%s: Open of a table with %v register at %#x succeeded", tc.name, e.Action, tc.addr)
			continue
		}
		if !errors.Is(err, hw.ErrRefused) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Open = %v; want hw.ErrRefused saying %q", tc.name, err, tc.want)
		}
	}
}

// firstRAM returns the start of the first System RAM range above 1 MiB.
func firstRAM(t *testing.T) uint64 {
	m, err := linuxhw.ReadIOMem(linuxhw.DefaultIOMem)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range m {
		if r.Name == linuxhw.SystemRAM && r.Start >= 1<<20 {
			return r.Start
		}
	}
	t.Fatal("no System RAM above 1 MiB in /proc/iomem")
	return 0
}

// TestGuestPorts checks SystemIO access with a table of its own that
// names the PCI configuration mechanism #1 ports: a 32-bit write of
// 0x80000000 to 0xCF8 selects 00:00.0's vendor/device dword, which 0xCFC
// then returns, as 32, 16 (ioperm and in/out) and 8 bits (/dev/port).
func TestGuestPorts(t *testing.T) {
	guest.SkipIfNotInVM(t)
	guesttest.RecordPass(t)
	port := func(addr uint64, size uint8) acpi.GAS {
		return acpi.GAS{Space: acpi.SystemIO, BitWidth: 8 << (size - 1), AccessSize: acpi.AccessSize(size), Address: addr}
	}
	tab := &acpi.ERST{Entries: []acpi.Entry{
		{Action: acpi.GetRecordCount, Instruction: acpi.WriteRegister, Register: port(0xcf8, 3)},
		{Action: acpi.GetRecordCount, Instruction: acpi.ReadRegister, Register: port(0xcfc, 3)},
		{Action: acpi.GetRecordCount, Instruction: acpi.ReadRegister, Register: port(0xcfc, 2)},
		{Action: acpi.GetRecordCount, Instruction: acpi.ReadRegister, Register: port(0xcfc, 1)},
	}}
	p, err := linuxhw.Open(tab)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	bus, err := p.Bus(acpi.SystemIO)
	if err != nil {
		t.Fatal(err)
	}
	vendor := readHex(t, "/sys/bus/pci/devices/0000:00:00.0/vendor")
	device := readHex(t, "/sys/bus/pci/devices/0000:00:00.0/device")
	if err := bus.Write32(0xcf8, 0x80000000); err != nil {
		t.Fatal(err)
	}
	if v, err := bus.Read32(0xcfc); err != nil || uint64(v) != device<<16|vendor {
		t.Errorf("Read32(0xcfc) = %#x, %v; want %#x", v, err, device<<16|vendor)
	}
	if v, err := bus.Read16(0xcfc); err != nil || uint64(v) != vendor {
		t.Errorf("Read16(0xcfc) = %#x, %v; want %#x", v, err, vendor)
	}
	if v, err := bus.Read8(0xcfc); err != nil || uint64(v) != vendor&0xff {
		t.Errorf("Read8(0xcfc) = %#x, %v; want %#x", v, err, vendor&0xff)
	}
	if _, err := bus.Read32(0xcf8 + 4 + 4); !errors.Is(err, hw.ErrRefused) {
		t.Errorf("Read32 of an unnamed port: %v, want ErrRefused", err)
	}
}
