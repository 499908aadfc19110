package erst_test

// Benchmarks of the driver's hot paths over the simulated QEMU device.
//
//	go test -run '^$' -bench . ./erst/
//
// Besides ns/op (and MB/s where bytes move), each reports accesses/op:
// the register accesses the driver makes per operation. That number does
// not depend on the machine, and it is what costs on real hardware, where
// every access to the device's registers is a VM exit. Benchmarks assert
// nothing about time.

import (
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/hw"
	"github.com/goerst/erst/erst/pshed/pshedtest"
	"github.com/goerst/erst/erst/sim"
	"github.com/goerst/erst/erst/store"
)

// accessCounter counts the bus accesses made through the platforms it
// wraps.
type accessCounter struct{ n int64 }

// platform wraps p so that every access on its buses is counted. The
// error log address range (Map) is plain memory and is not counted, as
// on hardware, where it costs no exit.
func (c *accessCounter) platform(p hw.Platform) hw.Platform { return countedPlatform{p, c} }

// report adds accesses/op to b's results: the accesses since the last
// reset, per iteration.
func (c *accessCounter) report(b *testing.B) {
	b.ReportAllocs()
	b.ReportMetric(float64(c.n)/float64(b.N), "accesses/op")
}

type countedPlatform struct {
	hw.Platform
	c *accessCounter
}

func (p countedPlatform) Bus(s acpi.AddressSpace) (hw.Bus, error) {
	bus, err := p.Platform.Bus(s)
	if err != nil {
		return nil, err
	}
	return countedBus{bus, p.c}, nil
}

type countedBus struct {
	hw.Bus
	c *accessCounter
}

func (b countedBus) Read8(a uint64) (uint8, error)   { b.c.n++; return b.Bus.Read8(a) }
func (b countedBus) Read16(a uint64) (uint16, error) { b.c.n++; return b.Bus.Read16(a) }
func (b countedBus) Read32(a uint64) (uint32, error) { b.c.n++; return b.Bus.Read32(a) }
func (b countedBus) Read64(a uint64) (uint64, error) { b.c.n++; return b.Bus.Read64(a) }
func (b countedBus) Write8(a uint64, v uint8) error  { b.c.n++; return b.Bus.Write8(a, v) }
func (b countedBus) Write16(a uint64, v uint16) error {
	b.c.n++
	return b.Bus.Write16(a, v)
}
func (b countedBus) Write32(a uint64, v uint32) error {
	b.c.n++
	return b.Bus.Write32(a, v)
}
func (b countedBus) Write64(a uint64, v uint64) error {
	b.c.n++
	return b.Bus.Write64(a, v)
}

// benchDevice is a driver on QEMU's table over a simulated device, with
// its register accesses counted.
type benchDevice struct {
	drv *erst.Device
	st  *store.Store
	acc *accessCounter
}

// newBenchDevice returns a driver over a new, empty simulated store of
// storeSize bytes, in NVRAM mode when nvram is set.
func newBenchDevice(b *testing.B, storeSize int, nvram bool) *benchDevice {
	b.Helper()
	var opts []sim.Option
	if nvram {
		opts = append(opts, sim.WithNVRAM())
	}
	st, dev, clock := newSim(b, storeSize, opts...)
	acc := &accessCounter{}
	drv, err := erst.Open(dev.Table(), acc.platform(dev), erst.WithClock(clock), erst.WithNVRAMSlotSize(recordSize))
	if err != nil {
		b.Fatal(err)
	}
	return &benchDevice{drv: drv, st: st, acc: acc}
}

// benchModes are the two ways the error log address range is used.
var benchModes = []struct {
	name  string
	nvram bool
}{{"exchange", false}, {"nvram", true}}

// benchSizes are a small record (a short pstore dmesg chunk) and a
// full-size one.
var benchSizes = []struct {
	name string
	n    int
}{{"256B", 256}, {"8KiB", recordSize}}

// forEachModeAndSize runs f as a sub-benchmark for every mode and record
// size, on a fresh 64 KiB store (QEMU's default size, 7 records).
func forEachModeAndSize(b *testing.B, f func(b *testing.B, d *benchDevice, size int)) {
	for _, m := range benchModes {
		for _, s := range benchSizes {
			b.Run(m.name+"/"+s.name, func(b *testing.B) {
				f(b, newBenchDevice(b, 64<<10, m.nvram), s.n)
			})
		}
	}
}

const benchID = 0x6265_6e63_6800_0000 // "bench"

// BenchmarkWrite writes the same record over and over: after the first
// iteration each write replaces the stored record in place (QEMU
// overwrites a record with the same id).
func BenchmarkWrite(b *testing.B) {
	forEachModeAndSize(b, func(b *testing.B, d *benchDevice, size int) {
		rec := pshedtest.NewRecord(size, benchID)
		b.SetBytes(int64(size))
		d.acc.n = 0
		for b.Loop() {
			if err := d.drv.Write(rec); err != nil {
				b.Fatal(err)
			}
		}
		d.acc.report(b)
	})
}

// BenchmarkRead reads one stored record into the caller's buffer
// (ReadInto: the hot path, allocation-free).
func BenchmarkRead(b *testing.B) {
	forEachModeAndSize(b, func(b *testing.B, d *benchDevice, size int) {
		if err := d.drv.Write(pshedtest.NewRecord(size, benchID)); err != nil {
			b.Fatal(err)
		}
		buf := make([]byte, size)
		b.SetBytes(int64(size))
		d.acc.n = 0
		for b.Loop() {
			if _, err := d.drv.ReadInto(benchID, buf); err != nil {
				b.Fatal(err)
			}
		}
		d.acc.report(b)
	})
}

// BenchmarkReadAlloc is Read, the convenient form that returns a new
// slice: one allocation of the record's size.
func BenchmarkReadAlloc(b *testing.B) {
	d := newBenchDevice(b, 64<<10, false)
	if err := d.drv.Write(pshedtest.NewRecord(recordSize, benchID)); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(recordSize)
	d.acc.n = 0
	for b.Loop() {
		if _, err := d.drv.Read(benchID); err != nil {
			b.Fatal(err)
		}
	}
	d.acc.report(b)
}

// BenchmarkClear clears a record; the write that puts it back before each
// iteration is neither timed nor counted.
func BenchmarkClear(b *testing.B) {
	forEachModeAndSize(b, func(b *testing.B, d *benchDevice, size int) {
		rec := pshedtest.NewRecord(size, benchID)
		var n int64
		for b.Loop() {
			b.StopTimer()
			if err := d.drv.Write(rec); err != nil {
				b.Fatal(err)
			}
			d.acc.n = n
			b.StartTimer()
			if err := d.drv.Clear(benchID); err != nil {
				b.Fatal(err)
			}
			n = d.acc.n
		}
		d.acc.report(b)
	})
}

// BenchmarkCount is GET_RECORD_COUNT.
func BenchmarkCount(b *testing.B) {
	d := newBenchDevice(b, 64<<10, false)
	d.acc.n = 0
	for b.Loop() {
		if _, err := d.drv.Count(); err != nil {
			b.Fatal(err)
		}
	}
	d.acc.report(b)
}

// BenchmarkDummyWrite is the write sequence under
// BEGIN_DUMMY_WRITE_OPERATION.
func BenchmarkDummyWrite(b *testing.B) {
	d := newBenchDevice(b, 64<<10, false)
	d.acc.n = 0
	for b.Loop() {
		if err := d.drv.DummyWrite(); err != nil {
			b.Fatal(err)
		}
	}
	d.acc.report(b)
}

// BenchmarkIDs enumerates a store holding N records (what erst ls and
// Linux's pstore do at boot). Besides accesses/op it reports
// accesses/record; the cost per record stays flat from 100 to 5000
// records (linear enumeration).
func BenchmarkIDs(b *testing.B) {
	for _, n := range []int{1, 10, 100, 1000, 5000} {
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
			// Spare slots for the header and the map.
			d := newBenchDevice(b, (n+n/1000+4)*recordSize, false)
			for i := range n {
				if _, err := d.st.Write(pshedtest.NewRecord(256, benchID+uint64(i))); err != nil {
					b.Fatal(err)
				}
			}
			if ids, err := d.drv.IDs(); err != nil || len(ids) != n {
				b.Fatalf("IDs = %d ids, %v; want %d", len(ids), err, n)
			}
			var ids []uint64 // reused: the enumeration's cost, not the slice's growth
			d.acc.n = 0
			for b.Loop() {
				var err error
				if ids, err = d.drv.AppendIDs(ids[:0]); err != nil {
					b.Fatal(err)
				}
			}
			d.acc.report(b)
			b.ReportMetric(float64(d.acc.n)/float64(b.N)/float64(n), "accesses/record")
		})
	}
}

// BenchmarkMachineRun runs one action per iteration: the interpreter's
// cost per action. Over the simulated device ("sim") it runs every action
// of QEMU's table; EXECUTE_OPERATION then runs a dummy write
// (BEGIN_DUMMY_WRITE_OPERATION is run once before each action's loop), so
// nothing is stored. Over plain memory ("memory"), where the bus costs
// next to nothing so the time is the interpreter's own, it runs one
// action of each shape in QEMU's table: a lone WRITE_REGISTER_VALUE, one
// followed by a 64-bit READ_REGISTER, a WRITE_REGISTER followed by a
// WRITE_REGISTER_VALUE, and a READ_REGISTER_VALUE comparison.
func BenchmarkMachineRun(b *testing.B) {
	shapes := []acpi.Action{acpi.BeginWriteOperation, acpi.GetRecordIdentifier, acpi.SetRecordIdentifier, acpi.CheckBusyStatus}
	platforms := []struct {
		name    string
		open    func(b *testing.B) (*erst.Device, *accessCounter)
		actions []acpi.Action // nil: every action in the table
	}{
		{"sim", func(b *testing.B) (*erst.Device, *accessCounter) {
			d := newBenchDevice(b, 64<<10, false)
			return d.drv, d.acc
		}, nil},
		{"memory", openOnMemory, shapes},
	}
	for _, p := range platforms {
		drv, acc := p.open(b)
		m := drv.Machine()
		actions := p.actions
		if actions == nil {
			for a := range acpi.Action(acpi.NumActions) {
				if m.Has(a) {
					actions = append(actions, a)
				}
			}
		}
		for _, a := range actions {
			b.Run(p.name+"/"+a.String(), func(b *testing.B) {
				var r erst.Regs
				if err := m.Run(acpi.BeginDummyWriteOperation, &r); err != nil {
					b.Fatal(err)
				}
				acc.n = 0
				for b.Loop() {
					if err := m.Run(a, &r); err != nil {
						b.Fatal(err)
					}
				}
				acc.report(b)
			})
		}
	}
}

// openOnMemory opens a driver on QEMU's table over plain memory: every
// register reads back what was last written to it. VALUE is preset to
// 0x10000, so the four range queries at Open, which only write ACTION and
// read VALUE, find a 64 KiB range at 0x10000 with attributes and timings
// that ask for nothing special.
func openOnMemory(b *testing.B) (*erst.Device, *accessCounter) {
	b.Helper()
	const rangeBase = 0x10000
	p := hw.NewFakePlatform()
	regs := p.Mem.AddRegion(sim.Q35Bar0, sim.RegSize)
	regs[sim.ValueOffset+2] = rangeBase >> 16 // VALUE = 0x10000, little-endian
	p.Mem.AddRegion(rangeBase, rangeBase)
	acc := &accessCounter{}
	drv, err := erst.Open(sim.BuildTable(sim.Q35Bar0), acc.platform(p), erst.WithClock(hw.NewFakeClock()))
	if err != nil {
		b.Fatal(err)
	}
	if r := drv.Range(); r.Base != rangeBase || r.Length != rangeBase || r.NVRAM() {
		b.Fatalf("range on plain memory = %+v; want base and length %#x, no NVRAM", r, rangeBase)
	}
	return drv, acc
}

// BenchmarkDriverVsFloor is erst bench's floor_ratio on the host: a write
// and a read of a 1 KiB record by the driver ("driver") against the same
// register accesses replayed raw ("floor", Device.Replay), over registers
// that cost next to nothing (regFile), so that the difference between the
// two is the driver's own work per operation: what the guest's floor_ratio
// measures under TCG, where every instruction and every call costs.
func BenchmarkDriverVsFloor(b *testing.B) {
	d, err := erst.Open(sim.BuildTable(sim.Q35Bar0), newRegFile(8192), erst.WithClock(hw.NewFakeClock()))
	if err != nil {
		b.Fatal(err)
	}
	rec := pshedtest.NewRecord(1024, benchID)
	buf := make([]byte, len(rec))
	write := func() error { return d.Write(rec) }
	read := func() error { _, err := d.ReadInto(benchID, buf); return err }
	for _, op := range []struct {
		name    string
		f       func() error
		in, out []byte
	}{{"write", write, rec, nil}, {"read", read, nil, buf}} {
		var acc []erst.RecordedAccess
		if err := d.Record(&acc, op.f); err != nil {
			b.Fatal(err)
		}
		b.Run(op.name+"/driver", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := op.f(); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(op.name+"/floor", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := d.Replay(acc, op.in, op.out); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// regFile is QEMU's two registers (ACTION, VALUE) at sim.Q35Bar0 as plain
// memory, with just enough of the device behind them for the driver: an
// ACTION write of a range query sets VALUE to the answer (a range at
// 0x10000 of the given length, no attributes, no timings); CHECK_BUSY_STATUS
// and GET_COMMAND_STATUS set it to 0 (never busy, SUCCESS). It stores
// nothing: a read finds in the range what the last write left there.
type regFile struct {
	regs [sim.RegSize]byte
	rng  []byte
}

func newRegFile(rangeLen int) *regFile { return &regFile{rng: make([]byte, rangeLen)} }

func (f *regFile) Bus(acpi.AddressSpace) (hw.Bus, error) { return f, nil }
func (f *regFile) Map(_, _ uint64) ([]byte, error)       { return f.rng, nil }

func (f *regFile) reg(a, n uint64) []byte { return f.regs[a-sim.Q35Bar0:][:n] }

// action answers an ACTION write of v.
func (f *regFile) action(a, v uint64) {
	if a != sim.Q35Bar0+sim.ActionOffset {
		return
	}
	var value uint64
	switch acpi.Action(v) {
	case acpi.GetErrorLogAddressRange:
		value = 0x10000
	case acpi.GetErrorLogAddressLength:
		value = uint64(len(f.rng))
	case acpi.GetErrorLogAddressRangeAttributes, acpi.GetExecuteOperationTimings,
		acpi.CheckBusyStatus, acpi.GetCommandStatus:
	default:
		return
	}
	binary.LittleEndian.PutUint64(f.regs[sim.ValueOffset:], value)
}

func (f *regFile) Read8(a uint64) (uint8, error) { return f.reg(a, 1)[0], nil }
func (f *regFile) Read16(a uint64) (uint16, error) {
	return binary.LittleEndian.Uint16(f.reg(a, 2)), nil
}
func (f *regFile) Read32(a uint64) (uint32, error) {
	return binary.LittleEndian.Uint32(f.reg(a, 4)), nil
}
func (f *regFile) Read64(a uint64) (uint64, error) {
	return binary.LittleEndian.Uint64(f.reg(a, 8)), nil
}
func (f *regFile) Write8(a uint64, v uint8) error {
	f.reg(a, 1)[0] = v
	f.action(a, uint64(v))
	return nil
}
func (f *regFile) Write16(a uint64, v uint16) error {
	binary.LittleEndian.PutUint16(f.reg(a, 2), v)
	f.action(a, uint64(v))
	return nil
}
func (f *regFile) Write32(a uint64, v uint32) error {
	binary.LittleEndian.PutUint32(f.reg(a, 4), v)
	f.action(a, uint64(v))
	return nil
}
func (f *regFile) Write64(a uint64, v uint64) error {
	binary.LittleEndian.PutUint64(f.reg(a, 8), v)
	f.action(a, v)
	return nil
}
