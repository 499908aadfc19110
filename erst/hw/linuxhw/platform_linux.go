//go:build linux

package linuxhw

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"unsafe"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst/hw"
	"golang.org/x/sys/unix"
)

// Platform is hw.Platform on a live Linux system, limited to what one ERST
// table names. It is safe for concurrent use. Close it to release the
// mappings; views returned by Map are invalid after Close.
type Platform struct {
	cfg     config
	iomem   IOMem
	bars    []BAR
	page    uint64
	regs    []Register
	skipped []Skipped

	mu       sync.RWMutex // write-held by Close and Map; read-held by accesses
	closed   bool
	mem      map[uint64]memRegister // SystemMemory registers by address
	io       map[uint64]Register    // SystemIO registers by port
	port     *os.File               // /dev/port, when an 8-bit port register exists
	mappings [][]byte               // everything mmap'd, for Close
	logBase  uint64                 // the error log range, once Map succeeded
	logView  []byte
}

// memRegister is a SystemMemory register and where its first byte is
// mapped.
type memRegister struct {
	Register
	ptr unsafe.Pointer
}

var _ hw.Platform = (*Platform)(nil)

// Open prepares register access for the ERST table t: it reads /proc/iomem
// and the PCI BARs, refuses registers in System RAM or claimed by the
// kernel's ERST driver, maps every SystemMemory register page, opens
// /dev/port for 8-bit SystemIO registers and grants the process the I/O
// ports of wider ones.
//
// Errors wrap hw.ErrRefused (a register in System RAM or straddling a PCI
// BAR), ErrKernelDriver (the kernel's ERST driver holds the registers),
// ErrNotRoot, or the system call's error.
func Open(t *acpi.ERST, opts ...Option) (*Platform, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	p := &Platform{
		cfg:  cfg,
		page: uint64(unix.Getpagesize()),
		mem:  map[uint64]memRegister{},
		io:   map[uint64]Register{},
	}
	p.regs, p.skipped = Registers(t)
	var err error
	if p.iomem, err = ReadIOMem(cfg.iomem); err != nil {
		return nil, permission(err)
	}
	if p.bars, err = ReadBARs(cfg.pciDevices); err != nil {
		return nil, permission(err)
	}
	if err := p.mapRegisters(); err != nil {
		p.Close()
		return nil, err
	}
	if err := p.openPorts(); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

// Registers returns the registers the platform allows, as Registers(t)
// computed them.
func (p *Platform) Registers() []Register { return p.regs }

// Bus implements hw.Platform.
func (p *Platform) Bus(space acpi.AddressSpace) (hw.Bus, error) {
	switch space {
	case acpi.SystemMemory:
		return memBus{p}, nil
	case acpi.SystemIO:
		return ioBus{p}, nil
	}
	return nil, fmt.Errorf("%v: %w", space, hw.ErrSpace)
}

// Close unmaps everything and closes /dev/port.
func (p *Platform) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	var first error
	for _, m := range p.mappings {
		if err := unix.Munmap(m); err != nil && first == nil {
			first = err
		}
	}
	p.mappings, p.logView, p.mem = nil, nil, nil
	if p.port != nil {
		if err := p.port.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// checkRange refuses [start, end] when it touches System RAM, and reports
// the kernel's ERST driver when it claims the range.
func (p *Platform) checkRange(what string, start, end uint64) error {
	if r, ok := p.iomem.Find(SystemRAM, start, end); ok {
		return fmt.Errorf("%s [%#x-%#x] lies in System RAM (%s: %v): %w", what, start, end, p.cfg.iomem, r, hw.ErrRefused)
	}
	if r, ok := p.iomem.Find(APEIERST, start, end); ok {
		return fmt.Errorf("%s [%#x-%#x] is claimed by the kernel (%s: %v): %w", what, start, end, p.cfg.iomem, r, ErrKernelDriver)
	}
	return nil
}

// source returns the file that maps physical [start, end] and the file
// offset of the page holding start: a PCI BAR's resourceN when a BAR holds
// the range, /dev/mem when none touches it.
func (p *Platform) source(what string, start, end uint64) (path string, off uint64, err error) {
	for _, b := range p.bars {
		switch {
		case b.Contains(start, end):
			// resourceN's offset 0 is the page holding the BAR's start.
			return b.Path, p.pageDown(start) - p.pageDown(b.Start), nil
		case b.Start <= end && start <= b.End:
			return "", 0, fmt.Errorf("%s [%#x-%#x] straddles PCI %s BAR%d [%#x-%#x]: %w", what, start, end, b.Device, b.Index, b.Start, b.End, hw.ErrRefused)
		}
	}
	return p.cfg.devMem, p.pageDown(start), nil
}

func (p *Platform) pageDown(a uint64) uint64 { return a &^ (p.page - 1) }

// mapRegisters maps the pages of every SystemMemory register, one mapping
// per distinct page run of each file.
func (p *Platform) mapRegisters() error {
	type window struct {
		path string
		off  uint64
	}
	lengths := map[window]uint64{}
	where := map[uint64]window{}
	for _, r := range p.regs {
		if r.Space != acpi.SystemMemory {
			continue
		}
		end := r.Addr + r.Size() - 1
		what := fmt.Sprintf("register %v of entries %v", r, r.Entries)
		if err := p.checkRange(what, r.Addr, end); err != nil {
			return err
		}
		path, off, err := p.source(what, r.Addr, end)
		if err != nil {
			return err
		}
		w := window{path, off}
		n := p.pageDown(end) - p.pageDown(r.Addr) + p.page
		lengths[w] = max(lengths[w], n)
		where[r.Addr] = w
	}
	views := map[window][]byte{}
	for w, n := range lengths {
		b, err := p.mmap(w.path, w.off, n)
		if err != nil {
			return err
		}
		views[w] = b
	}
	for _, r := range p.regs {
		if r.Space != acpi.SystemMemory {
			continue
		}
		b := views[where[r.Addr]]
		p.mem[r.Addr] = memRegister{Register: r, ptr: unsafe.Pointer(&b[r.Addr&(p.page-1)])}
	}
	return nil
}

// mmap maps n bytes of path at the page-aligned offset off, read-write and
// shared, and records the mapping for Close. The file is closed again:
// the mapping holds its own reference.
func (p *Platform) mmap(path string, off, n uint64) ([]byte, error) {
	// O_SYNC: /dev/mem maps the range uncached, as registers need.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_SYNC, 0)
	if err != nil {
		return nil, permission(err)
	}
	defer f.Close()
	b, err := unix.Mmap(int(f.Fd()), int64(off), int(n), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	switch {
	case errors.Is(err, unix.EPERM) || errors.Is(err, unix.EINVAL):
		// CONFIG_IO_STRICT_DEVMEM refuses /dev/mem (EPERM) and
		// pci_mmap_resource refuses resourceN (EINVAL) for ranges a
		// driver claimed exclusively; the ERST driver's "APEI ERST"
		// claims are such ranges.
		return nil, fmt.Errorf("mmap %s at %#x: %w: %w (or, if it is not loaded, a locked-down kernel forbids the mapping)", path, off, err, ErrKernelDriver)
	case err != nil:
		return nil, fmt.Errorf("mmap %s at %#x: %w", path, off, permission(err))
	}
	p.mappings = append(p.mappings, b)
	return b, nil
}

// permission adds ErrNotRoot to a permission error of a process that is
// not root.
func permission(err error) error {
	if errors.Is(err, fs.ErrPermission) && os.Geteuid() != 0 {
		return fmt.Errorf("%w: %w", err, ErrNotRoot)
	}
	return err
}

// openPorts opens /dev/port for 8-bit port registers and asks for the
// ports of 16- and 32-bit ones.
func (p *Platform) openPorts() error {
	var need8 bool
	for _, r := range p.regs {
		if r.Space != acpi.SystemIO {
			continue
		}
		p.io[r.Addr] = r
		if r.Allows(8) {
			need8 = true
		}
		if r.Widths&^widthBit(8) != 0 {
			if err := ioperm(r.Addr, r.Size()); err != nil {
				return fmt.Errorf("register %v of entries %v: %w", r, r.Entries, permission(err))
			}
		}
	}
	if need8 {
		f, err := os.OpenFile(p.cfg.devPort, os.O_RDWR, 0)
		if err != nil {
			return permission(err)
		}
		p.port = f
	}
	return nil
}

// Map implements hw.Platform: it maps the error log address range
// [base, base+size). The platform maps one range; later calls for a part
// of it return that part, any other range is refused.
func (p *Platform) Map(base, size uint64) ([]byte, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, ErrClosed
	}
	end := base + size - 1
	switch {
	case size == 0:
		return nil, fmt.Errorf("error log range at %#x has size 0: %w", base, hw.ErrRefused)
	case size > MaxMapSize:
		return nil, fmt.Errorf("error log range at %#x has size %#x, more than the %#x this platform maps: %w", base, size, MaxMapSize, hw.ErrRefused)
	case end < base:
		return nil, fmt.Errorf("error log range at %#x size %#x wraps around: %w", base, size, hw.ErrRefused)
	}
	if p.logView != nil {
		if base >= p.logBase && end <= p.logBase+uint64(len(p.logView))-1 {
			off := base - p.logBase
			return p.logView[off : off+size : off+size], nil
		}
		return nil, fmt.Errorf("error log range [%#x-%#x] differs from the one already mapped [%#x-%#x]: %w",
			base, end, p.logBase, p.logBase+uint64(len(p.logView))-1, hw.ErrRefused)
	}
	what := "error log range"
	if err := p.checkRange(what, base, end); err != nil {
		return nil, err
	}
	for _, r := range p.regs {
		if r.Space == acpi.SystemMemory && r.Addr <= end && base <= r.Addr+r.Size()-1 {
			return nil, fmt.Errorf("error log range [%#x-%#x] overlaps register %v: %w", base, end, r, hw.ErrRefused)
		}
	}
	path, off, err := p.source(what, base, end)
	if err != nil {
		return nil, err
	}
	n := p.pageDown(end) - p.pageDown(base) + p.page
	b, err := p.mmap(path, off, n)
	if err != nil {
		return nil, err
	}
	in := base & (p.page - 1)
	p.logBase, p.logView = base, b[in:in+size:in+size]
	return p.logView, nil
}

// memRegister finds the SystemMemory register at addr and checks the
// width. On success the read lock is held; the caller releases it.
func (p *Platform) memRegister(addr uint64, width int) (unsafe.Pointer, error) {
	p.mu.RLock()
	if p.closed {
		p.mu.RUnlock()
		return nil, ErrClosed
	}
	r, ok := p.mem[addr]
	if !ok {
		p.mu.RUnlock()
		return nil, p.refuse(acpi.SystemMemory, addr, width)
	}
	if !r.Allows(width) {
		p.mu.RUnlock()
		return nil, fmt.Errorf("%d-bit access to register %v: %w", width, r, hw.ErrRefused)
	}
	return r.ptr, nil
}

// refuse explains why addr is not an allowed register.
func (p *Platform) refuse(space acpi.AddressSpace, addr uint64, width int) error {
	for _, s := range p.skipped {
		if s.Reg.Space == space && s.Reg.Address == addr {
			return fmt.Errorf("%d-bit access to %v[%#x]: entry %d's register is unusable (%s): %w", width, space, addr, s.Entry, s.Reason, hw.ErrRefused)
		}
	}
	return fmt.Errorf("%d-bit access to %v[%#x]: not a register the ERST table names: %w", width, space, addr, hw.ErrRefused)
}

// memBus is the SystemMemory bus: one load or store on the mapping.
type memBus struct{ p *Platform }

func (b memBus) Read8(a uint64) (uint8, error) {
	ptr, err := b.p.memRegister(a, 8)
	if err != nil {
		return 0, err
	}
	defer b.p.mu.RUnlock()
	return load8(ptr), nil
}

func (b memBus) Read16(a uint64) (uint16, error) {
	ptr, err := b.p.memRegister(a, 16)
	if err != nil {
		return 0, err
	}
	defer b.p.mu.RUnlock()
	return load16(ptr), nil
}

func (b memBus) Read32(a uint64) (uint32, error) {
	ptr, err := b.p.memRegister(a, 32)
	if err != nil {
		return 0, err
	}
	defer b.p.mu.RUnlock()
	return load32(ptr), nil
}

func (b memBus) Read64(a uint64) (uint64, error) {
	ptr, err := b.p.memRegister(a, 64)
	if err != nil {
		return 0, err
	}
	defer b.p.mu.RUnlock()
	return load64(ptr), nil
}

func (b memBus) Write8(a uint64, v uint8) error {
	ptr, err := b.p.memRegister(a, 8)
	if err != nil {
		return err
	}
	defer b.p.mu.RUnlock()
	store8(ptr, v)
	return nil
}

func (b memBus) Write16(a uint64, v uint16) error {
	ptr, err := b.p.memRegister(a, 16)
	if err != nil {
		return err
	}
	defer b.p.mu.RUnlock()
	store16(ptr, v)
	return nil
}

func (b memBus) Write32(a uint64, v uint32) error {
	ptr, err := b.p.memRegister(a, 32)
	if err != nil {
		return err
	}
	defer b.p.mu.RUnlock()
	store32(ptr, v)
	return nil
}

func (b memBus) Write64(a uint64, v uint64) error {
	ptr, err := b.p.memRegister(a, 64)
	if err != nil {
		return err
	}
	defer b.p.mu.RUnlock()
	store64(ptr, v)
	return nil
}

// ioBus is the SystemIO bus.
type ioBus struct{ p *Platform }

// ioRegister checks the port access; on success the read lock is held.
func (p *Platform) ioRegister(port uint64, width int) error {
	p.mu.RLock()
	if p.closed {
		p.mu.RUnlock()
		return ErrClosed
	}
	r, ok := p.io[port]
	if !ok {
		p.mu.RUnlock()
		return p.refuse(acpi.SystemIO, port, width)
	}
	if !r.Allows(width) {
		p.mu.RUnlock()
		return fmt.Errorf("%d-bit access to register %v: %w", width, r, hw.ErrRefused)
	}
	return nil
}

func (b ioBus) Read8(a uint64) (uint8, error) {
	if err := b.p.ioRegister(a, 8); err != nil {
		return 0, err
	}
	defer b.p.mu.RUnlock()
	var buf [1]byte
	if _, err := b.p.port.ReadAt(buf[:], int64(a)); err != nil {
		return 0, fmt.Errorf("inb %#x: %w", a, err)
	}
	return buf[0], nil
}

func (b ioBus) Write8(a uint64, v uint8) error {
	if err := b.p.ioRegister(a, 8); err != nil {
		return err
	}
	defer b.p.mu.RUnlock()
	if _, err := b.p.port.WriteAt([]byte{v}, int64(a)); err != nil {
		return fmt.Errorf("outb %#x: %w", a, err)
	}
	return nil
}

func (b ioBus) Read16(a uint64) (uint16, error) {
	if err := b.p.ioRegister(a, 16); err != nil {
		return 0, err
	}
	defer b.p.mu.RUnlock()
	v, err := portIn(16, a)
	return uint16(v), err
}

func (b ioBus) Write16(a uint64, v uint16) error {
	if err := b.p.ioRegister(a, 16); err != nil {
		return err
	}
	defer b.p.mu.RUnlock()
	return portOut(16, a, uint32(v))
}

func (b ioBus) Read32(a uint64) (uint32, error) {
	if err := b.p.ioRegister(a, 32); err != nil {
		return 0, err
	}
	defer b.p.mu.RUnlock()
	return portIn(32, a)
}

func (b ioBus) Write32(a uint64, v uint32) error {
	if err := b.p.ioRegister(a, 32); err != nil {
		return err
	}
	defer b.p.mu.RUnlock()
	return portOut(32, a, v)
}

// Read64 fails: x86 has no 64-bit port accesses.
func (b ioBus) Read64(a uint64) (uint64, error) {
	return 0, fmt.Errorf("64-bit read of port %#x: %w", a, hw.ErrWidth)
}

// Write64 fails: x86 has no 64-bit port accesses.
func (b ioBus) Write64(a uint64, _ uint64) error {
	return fmt.Errorf("64-bit write of port %#x: %w", a, hw.ErrWidth)
}
