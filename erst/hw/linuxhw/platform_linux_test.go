//go:build linux

package linuxhw

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst/hw"
)

// fakeIOMem is the physical memory map of the fake system: RAM with the
// kernel in it, a reserved region with firmware registers reached through
// /dev/mem, and a PCI device 00:02.0 with BAR1 (an 8 KiB buffer at
// 0xf00000) and BAR0 (16 bytes of registers at 0xf02010, not page
// aligned).
const fakeIOMem = `00000000-00000fff : Reserved
00001000-0009ffff : System RAM
00100000-00dfffff : System RAM
  00200000-002fffff : Kernel code
00e00000-00efffff : Reserved
00f00000-00ffffff : PCI Bus 0000:00
  00f00000-00f01fff : 0000:00:02.0
  00f02010-00f0201f : 0000:00:02.0
`

const (
	fakeFirmwareRegs = 0xe00010 // in Reserved: through /dev/mem
	fakeBAR0         = 0xf02010
	fakeBAR1         = 0xf00000
	fakeBAR1Size     = 0x2000
	fakeMemSize      = 16 << 20
)

// fakeSystem stands in for /proc/iomem, /dev/mem, /dev/port and
// /sys/bus/pci/devices, with temporary files.
type fakeSystem struct {
	iomem, devMem, devPort, pci string
	resource                    [2]string // 00:02.0 resource0 and resource1
}

func newFakeSystem(t *testing.T, iomem string) *fakeSystem {
	t.Helper()
	dir := t.TempDir()
	f := &fakeSystem{
		iomem:   filepath.Join(dir, "iomem"),
		devMem:  filepath.Join(dir, "mem"),
		devPort: filepath.Join(dir, "port"),
		pci:     filepath.Join(dir, "devices"),
	}
	must(t, os.WriteFile(f.iomem, []byte(iomem), 0o644))
	must(t, os.WriteFile(f.devMem, nil, 0o600))
	must(t, os.Truncate(f.devMem, fakeMemSize)) // sparse
	must(t, os.WriteFile(f.devPort, make([]byte, 0x10000), 0o600))
	dev := filepath.Join(f.pci, "0000:00:02.0")
	must(t, os.MkdirAll(dev, 0o755))
	res := fmt.Sprintf("0x%016x 0x%016x 0x%016x\n", fakeBAR0, fakeBAR0+0xf, 0x40200) +
		fmt.Sprintf("0x%016x 0x%016x 0x%016x\n", fakeBAR1, fakeBAR1+fakeBAR1Size-1, 0x40200) +
		strings.Repeat(fmt.Sprintf("0x%016x 0x%016x 0x%016x\n", 0, 0, 0), 5)
	must(t, os.WriteFile(filepath.Join(dev, "resource"), []byte(res), 0o644))
	for i, size := range []int{os.Getpagesize(), fakeBAR1Size} {
		f.resource[i] = filepath.Join(dev, fmt.Sprintf("resource%d", i))
		must(t, os.WriteFile(f.resource[i], make([]byte, size), 0o600))
	}
	return f
}

func (f *fakeSystem) opts() []Option {
	return []Option{WithIOMem(f.iomem), WithDevMem(f.devMem), WithDevPort(f.devPort), WithPCIDevices(f.pci)}
}

func (f *fakeSystem) open(t *testing.T, tab *acpi.ERST) *Platform {
	t.Helper()
	p, err := Open(tab, f.opts()...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// bytesAt reads n bytes of a fake file at off.
func bytesAt(t *testing.T, path string, off int64, n int) []byte {
	t.Helper()
	f, err := os.Open(path)
	must(t, err)
	defer f.Close()
	b := make([]byte, n)
	_, err = f.ReadAt(b, off)
	must(t, err)
	return b
}

func putAt(t *testing.T, path string, off int64, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	must(t, err)
	defer f.Close()
	_, err = f.WriteAt(b, off)
	must(t, err)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
func le64(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }

// Registers outside any PCI BAR are reached through /dev/mem, at the file
// offset that is their physical address.
func TestDevMemRegisters(t *testing.T) {
	f := newFakeSystem(t, fakeIOMem)
	p := f.open(t, qemuTable(fakeFirmwareRegs))
	bus, err := p.Bus(acpi.SystemMemory)
	must(t, err)

	must(t, bus.Write32(fakeFirmwareRegs, uint32(acpi.GetErrorLogAddressRange)))
	if got := bytesAt(t, f.devMem, fakeFirmwareRegs, 4); !bytes.Equal(got, le32(0x0d)) {
		t.Errorf("ACTION in /dev/mem = % x, want % x", got, le32(0x0d))
	}
	putAt(t, f.devMem, fakeFirmwareRegs+8, le64(0x1122334455667788))
	if v, err := bus.Read64(fakeFirmwareRegs + 8); err != nil || v != 0x1122334455667788 {
		t.Errorf("Read64(VALUE) = %#x, %v; want 0x1122334455667788", v, err)
	}
	if v, err := bus.Read32(fakeFirmwareRegs + 8); err != nil || v != 0x55667788 {
		t.Errorf("Read32(VALUE) = %#x, %v; want 0x55667788", v, err)
	}
	// Nothing else was written.
	if got := bytesAt(t, f.devMem, fakeFirmwareRegs-16, 16); !bytes.Equal(got, make([]byte, 16)) {
		t.Errorf("bytes before ACTION changed: % x", got)
	}
}

// Registers in a PCI BAR are reached through the BAR's resourceN file,
// whose offset 0 is the page holding the BAR's start, even when the BAR
// itself starts within the page.
func TestBARRegisters(t *testing.T) {
	f := newFakeSystem(t, fakeIOMem)
	p := f.open(t, qemuTable(fakeBAR0))
	bus, err := p.Bus(acpi.SystemMemory)
	must(t, err)
	must(t, bus.Write32(fakeBAR0, 0xd))
	must(t, bus.Write64(fakeBAR0+8, 0xcafe))
	off := int64(fakeBAR0 % uint64(os.Getpagesize()))
	if got := bytesAt(t, f.resource[0], off, 16); !bytes.Equal(got, append(le32(0xd), 0, 0, 0, 0, 0xfe, 0xca, 0, 0, 0, 0, 0, 0)) {
		t.Errorf("resource0 at %#x = % x", off, got)
	}
	if got := bytesAt(t, f.devMem, fakeBAR0, 16); !bytes.Equal(got, make([]byte, 16)) {
		t.Errorf("/dev/mem was written for a BAR register: % x", got)
	}
}

// The error log range is mapped once, through BAR1's resource file.
func TestMapBAR(t *testing.T) {
	f := newFakeSystem(t, fakeIOMem)
	p := f.open(t, qemuTable(fakeBAR0))
	b, err := p.Map(fakeBAR1, fakeBAR1Size)
	must(t, err)
	if len(b) != fakeBAR1Size || cap(b) != fakeBAR1Size {
		t.Fatalf("Map gave len %d cap %d, want %d", len(b), cap(b), fakeBAR1Size)
	}
	copy(b[0x100:], "CPER")
	if got := bytesAt(t, f.resource[1], 0x100, 4); string(got) != "CPER" {
		t.Errorf("resource1 at 0x100 = %q, want CPER", got)
	}
	// A part of the mapped range is the same memory.
	sub, err := p.Map(fakeBAR1+0x100, 4)
	must(t, err)
	if string(sub) != "CPER" || cap(sub) != 4 {
		t.Errorf("Map of a sub-range = %q (cap %d), want CPER (cap 4)", sub, cap(sub))
	}
	// Any other range is refused: the platform maps one error log range.
	if _, err := p.Map(fakeFirmwareRegs+0x100, 0x100); !errors.Is(err, hw.ErrRefused) {
		t.Errorf("second Map of another range: %v, want ErrRefused", err)
	}
}

func TestMapDevMem(t *testing.T) {
	f := newFakeSystem(t, fakeIOMem)
	p := f.open(t, qemuTable(fakeFirmwareRegs))
	base := uint64(0xe01ff0) // crosses a page boundary
	b, err := p.Map(base, 0x20)
	must(t, err)
	copy(b, "0123456789abcdef0123456789ABCDEF")
	if got := bytesAt(t, f.devMem, int64(base), 0x20); string(got) != "0123456789abcdef0123456789ABCDEF" {
		t.Errorf("/dev/mem at %#x = %q", base, got)
	}
}

func TestMapRefused(t *testing.T) {
	for _, tc := range []struct {
		name       string
		base, size uint64
		want       error
	}{
		{"in RAM", 0x200000, 0x1000, hw.ErrRefused},
		{"kernel code", 0x250000, 0x10, hw.ErrRefused},
		{"over the end of RAM", 0xdff000, 0x2000, hw.ErrRefused},
		{"low RAM", 0x9f000, 0x1000, hw.ErrRefused},
		{"size 0", 0xe08000, 0, hw.ErrRefused},
		{"too large", 0xe08000, MaxMapSize + 1, hw.ErrRefused},
		{"wraps", ^uint64(0xfff), 0x2000, hw.ErrRefused},
		{"straddles a BAR", fakeBAR1 + fakeBAR1Size - 0x10, 0x20, hw.ErrRefused},
		{"overlaps the registers", fakeFirmwareRegs - 4, 8, hw.ErrRefused},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeSystem(t, fakeIOMem)
			p := f.open(t, qemuTable(fakeFirmwareRegs))
			if _, err := p.Map(tc.base, tc.size); !errors.Is(err, tc.want) {
				t.Errorf("Map(%#x, %#x): %v, want %v", tc.base, tc.size, err, tc.want)
			}
		})
	}
}

// Only the registers the table names, with the widths their entries
// allow, can be accessed.
func TestAccessRefused(t *testing.T) {
	f := newFakeSystem(t, fakeIOMem)
	tab := qemuTable(fakeFirmwareRegs)
	tab.Entries = append(tab.Entries,
		entry(acpi.GetRecordCount, acpi.ReadRegister, acpi.GAS{Space: acpi.SystemMemory, BitWidth: 32, AccessSize: 3}, 0))
	p := f.open(t, tab)
	bus, err := p.Bus(acpi.SystemMemory)
	must(t, err)
	for _, tc := range []struct {
		name string
		do   func() error
		want string
	}{
		{"unnamed address", func() error { return bus.Write32(fakeFirmwareRegs+4, 1) }, "not a register the ERST table names"},
		{"unnamed address near RAM", func() error { _, err := bus.Read8(0x200000); return err }, "not a register"},
		{"ACTION is 32-bit", func() error { return bus.Write64(fakeFirmwareRegs, 1) }, "64-bit access"},
		{"ACTION byte", func() error { _, err := bus.Read8(fakeFirmwareRegs); return err }, "8-bit access"},
		{"VALUE 16-bit", func() error { _, err := bus.Read16(fakeFirmwareRegs + 8); return err }, "16-bit access"},
		{"unusable entry", func() error { _, err := bus.Read32(0); return err }, "address 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.do()
			if !errors.Is(err, hw.ErrRefused) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want ErrRefused saying %q", err, tc.want)
			}
		})
	}
	if got := bytesAt(t, f.devMem, fakeFirmwareRegs, 16); !bytes.Equal(got, make([]byte, 16)) {
		t.Errorf("a refused access wrote: % x", got)
	}
	if _, err := p.Bus(acpi.PCIConfig); !errors.Is(err, hw.ErrSpace) {
		t.Errorf("Bus(PCIConfig): %v, want ErrSpace", err)
	}
}

// A table whose registers lie in System RAM is refused as a whole, before
// anything is mapped or written.
func TestOpenRefusesRAMRegisters(t *testing.T) {
	for _, addr := range []uint64{0x200000, 0x100000, 0xdffffc, 0x1000} {
		t.Run(fmt.Sprintf("%#x", addr), func(t *testing.T) {
			f := newFakeSystem(t, fakeIOMem)
			p, err := Open(qemuTable(addr), f.opts()...)
			if !errors.Is(err, hw.ErrRefused) || !strings.Contains(err.Error(), "System RAM") {
				t.Fatalf("Open: %v, %v; want ErrRefused for System RAM", p, err)
			}
		})
	}
	// A register that straddles a BAR is refused too.
	f := newFakeSystem(t, fakeIOMem)
	if _, err := Open(qemuTable(fakeBAR0+4), f.opts()...); !errors.Is(err, hw.ErrRefused) {
		t.Errorf("Open with VALUE straddling BAR0: %v, want ErrRefused", err)
	}
}

// When the kernel's ERST driver claims the registers, Open says so and
// names the fix.
func TestOpenKernelDriver(t *testing.T) {
	iomem := strings.Replace(fakeIOMem, "  00f02010-00f0201f : 0000:00:02.0\n",
		"  00f02010-00f0201f : 0000:00:02.0\n    00f02010-00f0201f : APEI ERST\n", 1)
	f := newFakeSystem(t, iomem)
	_, err := Open(qemuTable(fakeBAR0), f.opts()...)
	if !errors.Is(err, ErrKernelDriver) || !strings.Contains(err.Error(), "erst_disable") {
		t.Errorf("Open with APEI ERST claimed: %v, want ErrKernelDriver naming erst_disable", err)
	}
}

func TestOpenNotRoot(t *testing.T) {
	f := newFakeSystem(t, "00000000-00000000 : Reserved\n00000000-00000000 : System RAM\n")
	if _, err := Open(qemuTable(fakeBAR0), f.opts()...); !errors.Is(err, ErrNotRoot) {
		t.Errorf("Open with a redacted iomem: %v, want ErrNotRoot", err)
	}
}

// 8-bit SystemIO registers go through /dev/port at the port's offset;
// there are no 64-bit port accesses.
func TestPortRegisters(t *testing.T) {
	f := newFakeSystem(t, fakeIOMem)
	port8 := acpi.GAS{Space: acpi.SystemIO, BitWidth: 8, AccessSize: 1, Address: 0xb2}
	port64 := acpi.GAS{Space: acpi.SystemIO, BitWidth: 8, AccessSize: 1, Address: 0xb3}
	tab := &acpi.ERST{Entries: []acpi.Entry{
		entry(acpi.ExecuteOperation, acpi.WriteRegisterValue, port8, 0x9c),
		entry(acpi.GetCommandStatus, acpi.ReadRegister, port64, 0),
	}}
	p := f.open(t, tab)
	bus, err := p.Bus(acpi.SystemIO)
	must(t, err)
	must(t, bus.Write8(0xb2, 0x9c))
	if got := bytesAt(t, f.devPort, 0xb2, 1); got[0] != 0x9c {
		t.Errorf("port 0xb2 = %#x, want 0x9c", got[0])
	}
	putAt(t, f.devPort, 0xb3, []byte{0x42})
	if v, err := bus.Read8(0xb3); err != nil || v != 0x42 {
		t.Errorf("Read8(0xb3) = %#x, %v; want 0x42", v, err)
	}
	if _, err := bus.Read64(0xb2); !errors.Is(err, hw.ErrWidth) {
		t.Errorf("Read64 of a port: %v, want ErrWidth", err)
	}
	if err := bus.Write8(0xb4, 1); !errors.Is(err, hw.ErrRefused) {
		t.Errorf("Write8 of an unnamed port: %v, want ErrRefused", err)
	}
}

func TestClosed(t *testing.T) {
	f := newFakeSystem(t, fakeIOMem)
	p, err := Open(qemuTable(fakeBAR0), f.opts()...)
	must(t, err)
	bus, err := p.Bus(acpi.SystemMemory)
	must(t, err)
	must(t, p.Close())
	if _, err := bus.Read32(fakeBAR0); !errors.Is(err, ErrClosed) {
		t.Errorf("Read32 after Close: %v, want ErrClosed", err)
	}
	if _, err := p.Map(fakeBAR1, 0x10); !errors.Is(err, ErrClosed) {
		t.Errorf("Map after Close: %v, want ErrClosed", err)
	}
	must(t, p.Close())
}

// Without a PCI directory everything goes through /dev/mem.
func TestNoPCI(t *testing.T) {
	f := newFakeSystem(t, fakeIOMem)
	p, err := Open(qemuTable(fakeBAR0), append(f.opts(), WithPCIDevices(""))...)
	must(t, err)
	defer p.Close()
	bus, _ := p.Bus(acpi.SystemMemory)
	must(t, bus.Write32(fakeBAR0, 7))
	if got := bytesAt(t, f.devMem, fakeBAR0, 4); !bytes.Equal(got, le32(7)) {
		t.Errorf("/dev/mem at BAR0 = % x, want % x", got, le32(7))
	}
}
