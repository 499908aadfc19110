// Package sim is a simulated QEMU acpi-erst device (hw/acpi/erst.c, QEMU
// 7.2) over a backing store in QEMU's file format (package store). It
// implements [hw.Platform], so the ERST interpreter runs against it on the
// host exactly as it would run in a QEMU guest, table and all (Table).
//
// The device has two PCI BARs, placed at configurable physical addresses:
//
//   - BAR0, 16 bytes of registers: ACTION at +0, whose writes trigger
//     everything, and VALUE at +8, 64 bits, also accessible as 32-bit
//     halves at +8 and +12.
//   - BAR1, the exchange buffer: one record's worth of RAM (the store's
//     record size), the Error Log Address Range, reached with Map or with
//     bus accesses.
//
// Behaviour follows QEMU's code (not its documentation where they differ);
// the doc comments name the QEMU function each part follows. On top, faults can be
// injected: a device that stays busy, forced command statuses, a full
// store, a torn write with power loss, and an access hook (see SetBusy,
// ForceStatus, SetFull, TearNextWrite, [WithAccessHook]).
//
// A [Device] is safe for concurrent use: every register access is atomic.
// As on the real device, interleaving two goroutines' operation sequences
// mixes them up; callers serialise sequences as Linux's erst_lock does.
package sim

import (
	"encoding/binary"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst/hw"
	"github.com/goerst/erst/erst/store"
)

// QEMU's fixed answers.
const (
	// DefaultAttributes is what QEMU returns for
	// GET_ERROR_LOG_ADDRESS_RANGE_ATTRIBUTES: 0, not NVRAM, not slow.
	DefaultAttributes uint64 = 0
	// DefaultTimings is what QEMU returns for
	// GET_EXECUTE_OPERATION_TIMINGS: "100us max time" in bits 63:32 and
	// "10us min time" in bits 31:0.
	DefaultTimings uint64 = 100<<32 | 10
)

// ErrPowerLost is returned by every access to a device after a torn write
// (TearNextWrite): the machine lost power. Make a new [Device] over the
// store (or reopen the file) to "reboot".
var ErrPowerLost = errors.New("simulated power loss: device is gone")

// Access describes one bus access, for [WithAccessHook].
type Access struct {
	Write bool
	Addr  uint64
	Size  int    // bytes: 1, 2, 4 or 8
	Value uint64 // written, or read (0 on error)
	Err   error
}

// Option configures [New].
type Option func(*Device)

// WithBARs places BAR0 (registers) and BAR1 (exchange buffer). The
// defaults are [Q35Bar0] and DefaultBar1(Q35Bar0, RecordSize).
func WithBARs(bar0, bar1 uint64) Option {
	return func(d *Device) { d.bar0, d.bar1, d.bar1Set = bar0, bar1, true }
}

// WithAttributes sets the value GET_ERROR_LOG_ADDRESS_RANGE_ATTRIBUTES
// returns (QEMU: 0). Bit 1 claims NVRAM mode and bit 2 a slow device; the
// device itself behaves the same whatever it claims.
func WithAttributes(v uint64) Option { return func(d *Device) { d.attrs = v } }

// WithTimings sets the value GET_EXECUTE_OPERATION_TIMINGS returns (QEMU:
// DefaultTimings).
func WithTimings(v uint64) Option { return func(d *Device) { d.timings = v } }

// WithNVRAM puts the device in NVRAM mode (ACPI 4.0a §17.5.2.4.1, the
// layout erst.Device documents): the Error Log Address Range is the
// store's record slots themselves, attribute bit 0x2 is set, and a write
// commits the record the OS placed at the record offset instead of
// copying it. QEMU has no such mode; it is here so that the driver's
// NVRAM path runs against a device.
func WithNVRAM() Option { return func(d *Device) { d.nvram = true } }

// WithClock sets the clock Busy.For is measured on (default
// [hw.SystemClock]).
func WithClock(c hw.Clock) Option { return func(d *Device) { d.clock = c } }

// WithAccessHook calls f after every bus access, successful or not, with
// the device unlocked (f may call the device; accesses from concurrent
// goroutines may then be reported out of order). Accesses through the
// slice Map returns are plain memory and are not seen.
func WithAccessHook(f func(Access)) Option { return func(d *Device) { d.hook = f } }

// DefaultBar1 is where [New] puts BAR1 when not told: the highest address,
// aligned to the buffer size as a PCI BAR must be, at which a buffer of
// size bytes ends at or below bar0 (0xfebd4000 for 8 KiB below [Q35Bar0]).
// QEMU's table does not record BAR1 (the guest asks
// GET_ERROR_LOG_ADDRESS_RANGE), so this is a plausible placement, not
// necessarily where QEMU's firmware puts it.
func DefaultBar1(bar0 uint64, size int) uint64 {
	s := uint64(size)
	if bar0 >= s {
		return (bar0 - s) &^ (s - 1)
	}
	return (bar0 + RegSize + s - 1) &^ (s - 1)
}

// Device is the simulated acpi-erst PCI device (ERSTDeviceState).
type Device struct {
	mu      sync.Mutex
	st      *store.Store
	bar0    uint64
	bar1    uint64
	bar1Set bool
	exch    []byte // BAR1, memory_region_init_ram: zeroed, never reset
	attrs   uint64
	timings uint64
	clock   hw.Clock
	hook    func(Access)
	nvram   bool // WithNVRAM: exch is the store's record slots

	// Interface state, as in ERSTDeviceState and its vmstate.
	operation    uint8
	busy         uint8
	status       acpi.CommandStatus
	recordOffset uint32
	regAction    uint64 // never written by QEMU: reads of ACTION give 0
	regValue     uint64
	recordID     uint64
	nextIndex    int // next_record_index: GET_RECORD_IDENTIFIER's cursor

	// Faults.
	busyFault Busy
	pending   *pendingOp
	force     forced
	full      bool
	tear      *store.Tear
	dead      bool
}

// New returns a device over st, reset as after power-on
// (erst_realizefn, then erst_reset). The exchange buffer is
// st.RecordSize() bytes.
func New(st *store.Store, opts ...Option) (*Device, error) {
	d := &Device{
		st:      st,
		bar0:    Q35Bar0,
		attrs:   DefaultAttributes,
		timings: DefaultTimings,
		clock:   hw.SystemClock{},
	}
	for _, o := range opts {
		o(d)
	}
	rs := st.RecordSize()
	if !d.bar1Set {
		d.bar1 = DefaultBar1(d.bar0, rs)
	}
	switch {
	case d.bar0+RegSize < d.bar0 || d.bar0 == 0:
		return nil, fmt.Errorf("sim: BAR0 at %#x: not a usable address", d.bar0)
	case d.bar1+uint64(rs) < d.bar1 || d.bar1 == 0:
		return nil, fmt.Errorf("sim: BAR1 at %#x: not a usable address for %d bytes", d.bar1, rs)
	case d.bar0 < d.bar1+uint64(rs) && d.bar1 < d.bar0+RegSize:
		return nil, fmt.Errorf("sim: BAR0 at %#x overlaps BAR1 at %#x+%#x", d.bar0, d.bar1, rs)
	}
	d.exch = make([]byte, rs)
	if d.nvram {
		d.exch = st.Records()
		d.attrs |= acpi.AttrNVRAM
	}
	d.reset()
	return d, nil
}

// Bar0 is the register block's physical address.
func (d *Device) Bar0() uint64 { return d.bar0 }

// Bar1 is the exchange buffer's physical address: the Error Log Address
// Range.
func (d *Device) Bar1() uint64 { return d.bar1 }

// Store is the backing store.
func (d *Device) Store() *store.Store { return d.st }

// Table is the ERST table QEMU would build for this device ([BuildTable]
// at Bar0).
func (d *Device) Table() *acpi.ERST { return BuildTable(d.bar0) }

// TableFromFile reads a QEMU-built ERST table from path and rebases it
// onto this device's BAR0 (see the package-level [TableFromFile]).
func (d *Device) TableFromFile(path string) (*acpi.ERST, error) { return TableFromFile(path, d.bar0) }

// State is the device's interface state: the fields QEMU migrates
// (vmstate "acpi-erst").
type State struct {
	Operation    uint8 // last BEGIN_*/END action written
	Busy         uint8
	Status       acpi.CommandStatus
	RecordOffset uint32
	RegAction    uint64
	RegValue     uint64
	RecordID     uint64 // latched by SET_RECORD_IDENTIFIER, moved by reads
	NextIndex    int    // GET_RECORD_IDENTIFIER cursor: a slot number
}

// State returns a snapshot of the interface state.
func (d *Device) State() State {
	d.mu.Lock()
	defer d.mu.Unlock()
	return State{d.operation, d.busy, d.status, d.recordOffset, d.regAction, d.regValue, d.recordID, d.nextIndex}
}

// Reset is a machine reset (erst_reset): operation 0 (which is
// BEGIN_WRITE), not busy, status SUCCESS, record ID 0, record offset 0,
// cursor rewound. VALUE and the exchange buffer keep their contents. An
// operation held back by a [Busy] fault is dropped; the faults themselves
// stay configured. A powered-off device stays off.
func (d *Device) Reset() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.reset()
}

func (d *Device) reset() {
	d.operation = 0
	d.busy = 0
	d.status = acpi.StatusSuccess
	d.recordID = store.UnspecifiedID
	d.recordOffset = 0
	d.nextIndex = d.st.FirstSlot()
	d.pending = nil
}

// Bus implements [hw.Platform]: SystemMemory is the device's own bus (both
// BARs); the device has no I/O BARs, so every other space is ErrSpace.
func (d *Device) Bus(space acpi.AddressSpace) (hw.Bus, error) {
	if space == acpi.SystemMemory {
		return d, nil
	}
	return nil, fmt.Errorf("sim: %v: %w", space, hw.ErrSpace)
}

// Map implements [hw.Platform]: a view of the exchange buffer (BAR1). Any
// range outside it is ErrUnmapped. The view is the device's RAM: writes
// through it are what EXECUTE_OPERATION reads. Accessing it while another
// goroutine runs a device operation is a data race, as with DMA.
func (d *Device) Map(base, size uint64) ([]byte, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.dead {
		return nil, ErrPowerLost
	}
	if !within(base, size, d.bar1, uint64(len(d.exch))) {
		return nil, fmt.Errorf("sim: map %#x+%#x: outside the exchange buffer at %#x+%#x: %w", base, size, d.bar1, len(d.exch), hw.ErrUnmapped)
	}
	off := base - d.bar1
	return d.exch[off : off+size : off+size], nil
}

// within reports whether [addr, addr+n) lies inside [base, base+size).
func within(addr, n, base, size uint64) bool {
	return addr >= base && n <= size && addr-base <= size-n
}

// Read8 implements [hw.Bus].
func (d *Device) Read8(addr uint64) (uint8, error) {
	v, err := d.access(false, addr, 1, 0)
	return uint8(v), err
}

// Read16 implements [hw.Bus].
func (d *Device) Read16(addr uint64) (uint16, error) {
	v, err := d.access(false, addr, 2, 0)
	return uint16(v), err
}

// Read32 implements [hw.Bus].
func (d *Device) Read32(addr uint64) (uint32, error) {
	v, err := d.access(false, addr, 4, 0)
	return uint32(v), err
}

// Read64 implements [hw.Bus].
func (d *Device) Read64(addr uint64) (uint64, error) { return d.access(false, addr, 8, 0) }

// Write8 implements [hw.Bus].
func (d *Device) Write8(addr uint64, v uint8) error {
	_, err := d.access(true, addr, 1, uint64(v))
	return err
}

// Write16 implements [hw.Bus].
func (d *Device) Write16(addr uint64, v uint16) error {
	_, err := d.access(true, addr, 2, uint64(v))
	return err
}

// Write32 implements [hw.Bus].
func (d *Device) Write32(addr uint64, v uint32) error {
	_, err := d.access(true, addr, 4, uint64(v))
	return err
}

// Write64 implements [hw.Bus].
func (d *Device) Write64(addr uint64, v uint64) error {
	_, err := d.access(true, addr, 8, v)
	return err
}

func (d *Device) access(write bool, addr uint64, size int, v uint64) (uint64, error) {
	d.mu.Lock()
	r, err := d.accessLocked(write, addr, size, v)
	d.mu.Unlock()
	if d.hook != nil {
		a := Access{Write: write, Addr: addr, Size: size, Value: r, Err: err}
		if write {
			a.Value = v
		}
		d.hook(a)
	}
	return r, err
}

// accessLocked decodes an access the way QEMU's memory core does for
// these regions.
//
// BAR0 is an I/O region with no access constraints declared
// (erst_reg_ops), so memory_region_access_valid accepts any naturally
// aligned access and rejects a misaligned one (MEMTX_DECODE_ERROR; the
// guest's write is dropped and its read returns 0 — here the access fails
// with hw.ErrWidth instead, to make the bug visible).
// access_with_adjusted_size then splits it into pieces of at most 4 bytes,
// the default impl.max_access_size: a 64-bit access reaches
// erst_reg_write/erst_reg_read as two 32-bit accesses, low half at the
// address, high half at address+4.
//
// BAR1 is RAM: any access inside it, aligned or not, little-endian.
func (d *Device) accessLocked(write bool, addr uint64, size int, v uint64) (uint64, error) {
	if d.dead {
		return 0, ErrPowerLost
	}
	n := uint64(size)
	switch {
	case within(addr, n, d.bar0, RegSize):
		off := addr - d.bar0
		if off%n != 0 {
			return 0, fmt.Errorf("sim: %d-byte access at %#x (BAR0+%#x) is misaligned; QEMU rejects it: %w", size, addr, off, hw.ErrWidth)
		}
		step := min(n, 4)
		mask := uint64(1)<<(8*step) - 1
		var r uint64
		for i := uint64(0); i < n; i += step {
			if write {
				d.regWrite(off+i, (v>>(8*i))&mask, int(step))
			} else {
				r |= (d.regRead(off+i, int(step)) & mask) << (8 * i)
			}
		}
		return r, nil
	case within(addr, n, d.bar1, uint64(len(d.exch))):
		if d.nvram {
			return d.nvramAccess(write, addr-d.bar1, n, v)
		}
		return ramAccess(d.exch[addr-d.bar1:][:n], write, v), nil
	}
	return 0, fmt.Errorf("sim: %d-byte access at %#x: %w", size, addr, hw.ErrUnmapped)
}

// halfMask is erst_rd_reg64/erst_wr_reg64's choice: a 64-bit access
// takes the whole register; anything smaller takes the 32-bit half that
// bit 2 of the address selects.
func halfMask(addr uint64, size int) (mask uint64, shift uint) {
	if size == 8 {
		return ^uint64(0), 0
	}
	if addr&4 != 0 {
		return 0xFFFFFFFF, 32
	}
	return 0xFFFFFFFF, 0
}

// rdReg64 is erst_rd_reg64.
func rdReg64(addr, reg uint64, size int) uint64 {
	mask, shift := halfMask(addr, size)
	return (reg >> shift) & mask
}

// wrReg64 is erst_wr_reg64. Note that a 1- or 2-byte write replaces the
// whole 32-bit half, zero-extending the value.
func wrReg64(addr, reg, val uint64, size int) uint64 {
	mask, shift := halfMask(addr, size)
	val &= mask
	return reg&^(mask<<shift) | val<<shift
}

// regRead is erst_reg_read: ACTION (+0, +4) reads reg_action, which
// nothing ever writes, so 0; VALUE (+8, +12) reads reg_value; any other
// offset reads 0.
func (d *Device) regRead(addr uint64, size int) uint64 {
	switch addr {
	case ActionOffset, ActionOffset + 4:
		return rdReg64(addr, d.regAction, size)
	case ValueOffset, ValueOffset + 4:
		return rdReg64(addr, d.regValue, size)
	}
	return 0
}

// regWrite is erst_reg_write: VALUE (+8, +12) is stored; a write to
// ACTION (+0) performs the action; anything else is ignored, including
// ACTION+4.
func (d *Device) regWrite(addr, val uint64, size int) {
	switch addr {
	case ValueOffset, ValueOffset + 4:
		d.regValue = wrReg64(addr, d.regValue, val, size)
	case ActionOffset:
		d.action(val)
	}
}

// action is the ACTION switch in erst_reg_write. Unknown actions (0x0C,
// 0x11 and up) do nothing.
func (d *Device) action(val uint64) {
	const (
		beginWrite = uint64(acpi.BeginWriteOperation)
		beginRead  = uint64(acpi.BeginReadOperation)
		beginClear = uint64(acpi.BeginClearOperation)
		end        = uint64(acpi.EndOperation)
		setOffset  = uint64(acpi.SetRecordOffset)
		execute    = uint64(acpi.ExecuteOperation)
		checkBusy  = uint64(acpi.CheckBusyStatus)
		getStatus  = uint64(acpi.GetCommandStatus)
		getID      = uint64(acpi.GetRecordIdentifier)
		setID      = uint64(acpi.SetRecordIdentifier)
		getCount   = uint64(acpi.GetRecordCount)
		beginDummy = uint64(acpi.BeginDummyWriteOperation)
		getRange   = uint64(acpi.GetErrorLogAddressRange)
		getLength  = uint64(acpi.GetErrorLogAddressLength)
		getAttrs   = uint64(acpi.GetErrorLogAddressRangeAttributes)
		getTimings = uint64(acpi.GetExecuteOperationTimings)
	)
	switch val { // the whole value written, not its low byte
	case beginWrite, beginRead, beginClear, beginDummy, end:
		d.operation = uint8(val)
	case setOffset:
		d.recordOffset = uint32(d.regValue) // the low 32 bits only
	case execute:
		if uint8(d.regValue) == ExecuteMagic { // the low byte only
			d.execute()
		}
	case checkBusy:
		d.checkBusy()
		d.regValue = uint64(d.busy)
	case getStatus:
		d.regValue = uint64(d.status)
	case getID:
		d.status = d.nextRecordID(&d.regValue, false)
	case setID:
		d.recordID = d.regValue
	case getCount:
		d.regValue = uint64(d.st.Count())
	case getRange:
		d.regValue = d.bar1
	case getLength:
		d.regValue = uint64(d.st.Header().RecordSize) // read live from the header
		if d.nvram {
			d.regValue = uint64(len(d.exch))
		}
	case getAttrs:
		d.regValue = d.attrs
	case getTimings:
		d.regValue = d.timings
	}
}

// ramAccess reads or writes the little-endian value in b (1 to 8 bytes).
func ramAccess(b []byte, write bool, v uint64) uint64 {
	var w [8]byte
	if write {
		binary.LittleEndian.PutUint64(w[:], v)
		copy(b, w[:len(b)])
		return 0
	}
	copy(w[:], b)
	return binary.LittleEndian.Uint64(w[:])
}

// nvramAccess is ramAccess on the store's own mapping (NVRAM mode), where
// a page the disk cannot back faults: that is an error of the access, not
// a crash (store.ErrIO).
func (d *Device) nvramAccess(write bool, off, n, v uint64) (r uint64, err error) {
	defer func() {
		if p := recover(); p != nil {
			if _, ok := p.(interface{ Addr() uintptr }); !ok {
				panic(p)
			}
			r, err = 0, fmt.Errorf("sim: access at BAR1+%#x: %w: memory fault on the store's mapping", off, store.ErrIO)
		}
	}()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	return ramAccess(d.exch[off:][:n], write, v), nil
}
