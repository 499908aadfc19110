package erst_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/cper"
	"github.com/goerst/erst/erst/hw"
	"github.com/goerst/erst/erst/pshed"
	"github.com/goerst/erst/erst/pshed/pshedtest"
	"github.com/goerst/erst/erst/sim"
	"github.com/goerst/erst/erst/sim/simtest"
	"github.com/goerst/erst/erst/store"
)

const recordSize = 8192

// bench is a driver opened on QEMU's own table over a simulated device.
type bench struct {
	t     *testing.T
	st    *store.Store
	dev   *sim.Device
	drv   *erst.Device
	clock *hw.FakeClock
}

// newSim returns a simulated device over a new, empty in-memory store of
// size bytes in recordSize slots, on a fake clock.
func newSim(tb testing.TB, size int, opts ...sim.Option) (*store.Store, *sim.Device, *hw.FakeClock) {
	tb.Helper()
	return newSimRS(tb, size, recordSize, opts...)
}

// newSimRS is newSim with rs-byte records.
func newSimRS(tb testing.TB, size, rs int, opts ...sim.Option) (*store.Store, *sim.Device, *hw.FakeClock) {
	tb.Helper()
	im, err := store.NewImage(size, uint32(rs))
	if err != nil {
		tb.Fatal(err)
	}
	st, err := store.New(im)
	if err != nil {
		tb.Fatal(err)
	}
	clock := hw.NewFakeClock()
	dev, err := sim.New(st, append([]sim.Option{sim.WithClock(clock)}, opts...)...)
	if err != nil {
		tb.Fatal(err)
	}
	return st, dev, clock
}

func newBench(t *testing.T, size int, opts ...sim.Option) *bench {
	t.Helper()
	return newBenchRS(t, size, recordSize, opts...)
}

// newBenchRS is newBench with a store of rs-byte records.
func newBenchRS(t *testing.T, size, rs int, opts ...sim.Option) *bench {
	t.Helper()
	clock := hw.NewFakeClock()
	r := simtest.New(t, size, simtest.WithRecordSize(rs), simtest.WithClock(clock), simtest.WithSim(opts...),
		simtest.WithDriver(erst.WithNVRAMSlotSize(recordSize)))
	return &bench{t: t, st: r.Store, dev: r.Sim, drv: r.Driver, clock: clock}
}

// record builds a CPER record of n bytes with the given id and "ER" in
// its persistence info, as the driver stamps it.
func record(n int, id uint64) []byte {
	return pshedtest.NewRecord(n, id)
}

func (b *bench) write(n int, id uint64) []byte {
	b.t.Helper()
	rec := record(n, id)
	if err := b.drv.Write(rec); err != nil {
		b.t.Fatalf("Write(%#x): %v", id, err)
	}
	return rec
}

// dut is a driver under test over one device: the simulator (on the
// host and in guests) or, inside a vmtest guest, QEMU's real acpi-erst
// device (live_linux_test.go). Tests that need nothing but the driver's
// API run on every device with forEachDevice.
type dut struct {
	t   *testing.T
	drv *erst.Device
	// open opens another driver on the same device with opts.
	open func(opts ...erst.Option) (*erst.Device, error)
	// capacity is how many recordSize records the store holds; 0: unknown.
	capacity int
	// snapshot returns the backing store's bytes; nil on a real device.
	snapshot func() []byte
}

// liveDevice opens QEMU's acpi-erst in a vmtest guest, with an empty
// store; nil when the test binary cannot (see live_linux_test.go).
var liveDevice func(t *testing.T) *dut

func simDUT(t *testing.T) *dut {
	b := newBench(t, 64<<10)
	return &dut{
		t:        t,
		drv:      b.drv,
		open:     func(opts ...erst.Option) (*erst.Device, error) { return erst.Open(b.dev.Table(), b.dev, opts...) },
		capacity: 7,
		snapshot: func() []byte { return append([]byte(nil), b.st.Snapshot()...) },
	}
}

// deviceKind names a kind of device and opens a driver on a new, empty one.
type deviceKind struct {
	name string
	open func(t *testing.T) *dut
}

// deviceKinds returns the simulator and, in a vmtest guest, QEMU's device.
func deviceKinds() []deviceKind {
	kinds := []deviceKind{{"sim", simDUT}}
	if liveDevice != nil {
		kinds = append(kinds, deviceKind{"qemu", liveDevice})
	}
	return kinds
}

// forEachDevice runs f as a subtest on each kind of device.
func forEachDevice(t *testing.T, f func(t *testing.T, d *dut)) {
	for _, k := range deviceKinds() {
		t.Run(k.name, func(t *testing.T) { f(t, k.open(t)) })
	}
}

func (d *dut) write(n int, id uint64) []byte {
	d.t.Helper()
	rec := record(n, id)
	if err := d.drv.Write(rec); err != nil {
		d.t.Fatalf("Write(%#x): %v", id, err)
	}
	return rec
}

// contents reads every record back through the driver, in store order.
func (d *dut) contents() [][]byte {
	d.t.Helper()
	ids, err := d.drv.IDs()
	if err != nil {
		d.t.Fatal(err)
	}
	recs := make([][]byte, len(ids))
	for i, id := range ids {
		if recs[i], err = d.drv.Read(id); err != nil {
			d.t.Fatalf("Read(%#x): %v", id, err)
		}
	}
	return recs
}

// unchanged checks that f leaves the store as it was: every record read
// back the same, and on the simulator every byte of the backing file.
func (d *dut) unchanged(what string, f func()) {
	d.t.Helper()
	before := d.contents()
	var raw []byte
	if d.snapshot != nil {
		raw = d.snapshot()
	}
	f()
	if after := d.contents(); !slices.EqualFunc(before, after, bytes.Equal) {
		d.t.Errorf("%s changed the records: %d before, %d after", what, len(before), len(after))
	}
	if d.snapshot != nil && !bytes.Equal(raw, d.snapshot()) {
		d.t.Errorf("%s changed the backing store", what)
	}
}

func TestOpenReadsQEMURange(t *testing.T) {
	b := newBench(t, 64<<10)
	r := b.drv.Range()
	if r.Base != b.dev.Bar1() || r.Length != recordSize || r.Attributes != 0 || !r.HasTimings || uint64(r.Timings) != sim.DefaultTimings {
		t.Errorf("range = %+v; want base %#x, length %d, attributes 0, timings %#x", r, b.dev.Bar1(), recordSize, sim.DefaultTimings)
	}
	if b.drv.Timeout() != erst.DefaultTimeout {
		t.Errorf("timeout %v: QEMU's 100 µs maximum is below Linux's 1 ms floor", b.drv.Timeout())
	}
}

func TestTimeoutFromTimings(t *testing.T) {
	for _, tc := range []struct {
		name    string
		attrs   uint64
		timings uint64
		want    time.Duration
	}{
		{"max 5000 µs", 0, 5000 << 32, 5 * time.Millisecond},
		{"slow range: Linux reads milliseconds", acpi.AttrSlow, 200 << 32, 200 * time.Millisecond},
		{"clamped to MaxTimeout", acpi.AttrSlow, 100000 << 32, erst.MaxTimeout},
		{"zero maximum", 0, 10, erst.DefaultTimeout},
	} {
		b := newBench(t, 64<<10, sim.WithAttributes(tc.attrs), sim.WithTimings(tc.timings))
		if got := b.drv.Timeout(); got != tc.want {
			t.Errorf("%s: timeout %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestWriteReadClearRoundTrip(t *testing.T) {
	forEachDevice(t, func(t *testing.T, d *dut) {
		a := d.write(200, 0x1000)
		c := d.write(recordSize, 0x2000)
		for _, want := range [][]byte{a, c} {
			got, err := d.drv.Read(erst.RecordID(want))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("record %#x read back differs", erst.RecordID(want))
			}
		}
		first, err := d.drv.Read(0)
		if err != nil || erst.RecordID(first) != 0x1000 {
			t.Errorf("Read(0) = id %#x, %v; want the first record 0x1000", erst.RecordID(first), err)
		}
		if n, err := d.drv.Count(); n != 2 || err != nil {
			t.Errorf("Count = %d, %v; want 2", n, err)
		}
		if err := d.drv.Clear(0x1000); err != nil {
			t.Fatal(err)
		}
		if _, err := d.drv.Read(0x1000); !errors.Is(err, erst.ErrRecordNotFound) {
			t.Errorf("read after clear: %v, want ErrRecordNotFound", err)
		}
		if ids, err := d.drv.IDs(); err != nil || len(ids) != 1 || ids[0] != 0x2000 {
			t.Errorf("IDs = %#x, %v; want [0x2000]", ids, err)
		}
	})
}

func TestWriteStampsPersistenceSignature(t *testing.T) {
	forEachDevice(t, func(t *testing.T, d *dut) {
		rec := record(256, 7)
		rec[108], rec[109] = 0, 0
		if err := d.drv.Write(rec); err != nil {
			t.Fatal(err)
		}
		got, err := d.drv.Read(7)
		if err != nil {
			t.Fatal(err)
		}
		if string(got[108:110]) != "ER" {
			t.Errorf("stored persistence signature %q, want \"ER\" (Linux erst_write)", got[108:110])
		}
	})
}

func TestOverwriteKeepsOneRecord(t *testing.T) {
	forEachDevice(t, func(t *testing.T, d *dut) {
		d.write(300, 5)
		newer := d.write(400, 5)
		got, err := d.drv.Read(5)
		if err != nil || !bytes.Equal(got, newer) {
			t.Fatalf("read back %d bytes, %v; want the 400-byte overwrite", len(got), err)
		}
		if n, _ := d.drv.Count(); n != 1 {
			t.Errorf("count %d after overwrite, want 1", n)
		}
	})
}

func TestIDsSurviveAStaleCursor(t *testing.T) {
	forEachDevice(t, func(t *testing.T, d *dut) {
		for id := uint64(1); id <= 5; id++ {
			d.write(128, id)
		}
		// Another reader left the device's cursor after the second record.
		for range 2 {
			if _, err := d.drv.NextID(); err != nil {
				t.Fatal(err)
			}
		}
		ids, err := d.drv.IDs()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ids, []uint64{1, 2, 3, 4, 5}) {
			t.Errorf("IDs = %v, want all five in store order", ids)
		}
		// QEMU's read of id 0 moves the cursor too (read_erst_record).
		if _, err := d.drv.Read(0); err != nil {
			t.Fatal(err)
		}
		if ids, _ := d.drv.IDs(); !slices.Equal(ids, []uint64{1, 2, 3, 4, 5}) {
			t.Errorf("IDs after Read(0) = %v, want store order", ids)
		}
	})
}

func TestIDsOverMaxRecordsFailLoudly(t *testing.T) {
	b := newBench(t, 1<<20)
	for id := uint64(1); id <= 10; id++ {
		b.write(128, id)
	}
	drv, err := erst.Open(b.dev.Table(), b.dev, erst.WithClock(b.clock), erst.WithMaxRecords(4))
	if err != nil {
		t.Fatal(err)
	}
	if ids, err := drv.IDs(); !errors.Is(err, erst.ErrTooManyRecords) {
		t.Errorf("IDs with 10 records and MaxRecords 4 = %d ids, %v; want ErrTooManyRecords", len(ids), err)
	}
}

// fill stores n records of 128 bytes with ids 1..n directly in b's
// store.
func (b *bench) fill(n int) {
	b.t.Helper()
	for i := range n {
		if _, err := b.st.Write(record(128, uint64(i+1))); err != nil {
			b.t.Fatal(err)
		}
	}
}

// Linux caps its id cache at 1024; the driver once did so silently.
func TestIDsBeyond1024(t *testing.T) {
	for _, n := range []int{1025, 1100} {
		b := newBenchRS(t, (n+4)*4096, 4096)
		b.fill(n)
		// A stale cursor: another reader stopped after 700 records.
		for range 700 {
			if _, err := b.drv.NextID(); err != nil {
				t.Fatal(err)
			}
		}
		ids, err := b.drv.IDs()
		if err != nil {
			t.Fatal(err)
		}
		if len(ids) != n {
			t.Fatalf("%d records: IDs returned %d", n, len(ids))
		}
		for i, id := range ids {
			if id != uint64(i+1) {
				t.Fatalf("ids[%d] = %d, want store order", i, id)
			}
		}
	}
}

// countingPlatform counts bus accesses.
type countingPlatform struct {
	hw.Platform
	n *int
}

func (p countingPlatform) Bus(s acpi.AddressSpace) (hw.Bus, error) {
	b, err := p.Platform.Bus(s)
	if err != nil {
		return nil, err
	}
	return countingBus{b, p.n}, nil
}

type countingBus struct {
	hw.Bus
	n *int
}

func (b countingBus) Read32(a uint64) (uint32, error)  { *b.n++; return b.Bus.Read32(a) }
func (b countingBus) Read64(a uint64) (uint64, error)  { *b.n++; return b.Bus.Read64(a) }
func (b countingBus) Write32(a uint64, v uint32) error { *b.n++; return b.Bus.Write32(a, v) }
func (b countingBus) Write64(a uint64, v uint64) error { *b.n++; return b.Bus.Write64(a, v) }

// Enumeration costs the same register accesses per record at 100 and at
// 2000 records: 2 per record, 2 for the end and 2 for the check that no
// record precedes the first pass (linear, not quadratic).
func TestIDsLinear(t *testing.T) {
	for _, n := range []int{0, 100, 2000} {
		b := newBenchRS(t, (n+4)*4096, 4096)
		b.fill(n)
		accesses := 0
		drv, err := erst.Open(b.dev.Table(), countingPlatform{b.dev, &accesses}, erst.WithClock(b.clock))
		if err != nil {
			t.Fatal(err)
		}
		accesses = 0
		ids, err := drv.IDs()
		if err != nil || len(ids) != n {
			t.Fatalf("IDs: %d ids, %v", len(ids), err)
		}
		if want := 2*n + 4; accesses != want {
			t.Errorf("%d records: %d register accesses, want %d", n, accesses, want)
		}
	}
}

// The statuses a real device gives on its own.
func TestMissingRecordStatuses(t *testing.T) {
	forEachDevice(t, func(t *testing.T, d *dut) {
		if _, err := d.drv.Read(9); !errors.Is(err, erst.ErrStoreEmpty) {
			t.Errorf("read of an empty store: %v, want ErrStoreEmpty", err)
		}
		d.write(128, 1)
		if _, err := d.drv.Read(9); !errors.Is(err, erst.ErrRecordNotFound) {
			t.Errorf("read of a missing id: %v, want ErrRecordNotFound", err)
		}
		if err := d.drv.Clear(9); !errors.Is(err, erst.ErrRecordNotFound) {
			t.Errorf("clear of a missing id: %v, want ErrRecordNotFound", err)
		}
	})
}

// Every status, forced on the simulator.
func TestStatusesMapToSentinels(t *testing.T) {
	b := newBench(t, 64<<10)
	b.write(128, 1)
	for st, want := range map[acpi.CommandStatus]error{
		1:    erst.ErrNotEnoughSpace,
		2:    erst.ErrHardwareNotAvailable,
		3:    erst.ErrFailed,
		4:    erst.ErrStoreEmpty,
		5:    erst.ErrRecordNotFound,
		6:    erst.ErrReservedStatus,
		0xff: erst.ErrReservedStatus,
	} {
		b.dev.ForceStatus(st, 1, false)
		err := b.drv.Write(record(128, 2))
		if !errors.Is(err, want) {
			t.Errorf("forced status %d: %v, want %v", st, err, want)
		}
		if s, ok := erst.StatusOf(err); ok != (st <= 5) || (ok && s != acpi.CommandStatus(st)) {
			t.Errorf("StatusOf(status %d error) = %v, %v", st, s, ok)
		}
	}
	if ids := b.st.IDs(); len(ids) != 1 {
		t.Errorf("writes refused by the device stored records: %v", ids)
	}
}

func TestFullStore(t *testing.T) {
	forEachDevice(t, func(t *testing.T, d *dut) {
		if d.capacity == 0 {
			t.Skip("the store's capacity is unknown")
		}
		for id := 1; id <= d.capacity; id++ {
			d.write(recordSize, uint64(id))
		}
		d.unchanged("a write into a full store", func() {
			if err := d.drv.Write(record(128, uint64(d.capacity+1))); !errors.Is(err, erst.ErrNotEnoughSpace) {
				t.Errorf("write into a full store: %v, want ErrNotEnoughSpace", err)
			}
		})
	})
}

func TestBadRecordsRefusedBeforeTheDevice(t *testing.T) {
	b := newBench(t, 64<<10)
	var accesses int
	dev, _ := sim.New(b.st, sim.WithAccessHook(func(sim.Access) { accesses++ }))
	drv, err := erst.Open(dev.Table(), dev)
	if err != nil {
		t.Fatal(err)
	}
	opened := accesses
	wrongLen := record(256, 3)
	binary.LittleEndian.PutUint32(wrongLen[20:], 300)
	notCPER := record(256, 3)
	copy(notCPER, "XPER")
	for name, tc := range map[string]struct {
		rec  []byte
		want error
	}{
		"length field disagrees": {wrongLen, erst.ErrBadRecord},
		"not CPER":               {notCPER, erst.ErrBadRecord},
		"shorter than a header":  {record(128, 3)[:100], erst.ErrBadRecord},
		"longer than the range":  {record(recordSize+1, 3), erst.ErrBadRecord},
		"id 0":                   {record(128, 0), erst.ErrInvalidID},
		"id ~0":                  {record(128, erst.InvalidID), erst.ErrInvalidID},
	} {
		if err := drv.Write(tc.rec); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", name, err, tc.want)
		}
	}
	if accesses != opened {
		t.Errorf("%d register accesses for refused records, want none", accesses-opened)
	}
}

// Write's inlined check (recordOK) passes exactly the records CheckRecord
// passes: good ones at both ends of the sizes and ids, and each way a
// record can be bad.
func TestRecordOKIsCheckRecord(t *testing.T) {
	b := newBench(t, 64<<10)
	recs := map[string][]byte{
		"128 bytes":           record(128, 1),
		"the range's length":  record(recordSize, 2),
		"id ~0 - 1":           record(256, erst.InvalidID-1),
		"shorter than header": record(128, 3)[:127],
		"empty":               nil,
		"longer than range":   record(recordSize+1, 3),
		"id 0":                record(256, 0),
		"id ~0":               record(256, erst.InvalidID),
	}
	for bit := range 32 {
		r := record(256, 3)
		r[bit/8] ^= 1 << (bit % 8) // "BPER", "APER", ...
		recs[fmt.Sprintf("signature bit %d", bit)] = r
	}
	for _, n := range []uint32{0, 255, 257, 1 << 31} {
		r := record(256, 3)
		binary.LittleEndian.PutUint32(r[20:], n)
		recs[fmt.Sprintf("length field %d", n)] = r
	}
	for name, rec := range recs {
		err := b.drv.CheckRecord(rec)
		if ok := erst.RecordOK(b.drv, rec); ok != (err == nil) {
			t.Errorf("%s: recordOK %v, CheckRecord %v", name, ok, err)
		}
	}
}

func TestBusyForeverTimesOut(t *testing.T) {
	b := newBench(t, 64<<10)
	b.dev.SetBusy(sim.Busy{Forever: true})
	start := b.clock.Now()
	err := b.drv.Write(record(128, 1))
	if !errors.Is(err, erst.ErrTimeout) {
		t.Fatalf("write to a device that stays busy: %v, want ErrTimeout", err)
	}
	if waited := b.clock.Now().Sub(start); waited < erst.DefaultTimeout || waited > erst.DefaultTimeout+erst.SpinUnit {
		t.Errorf("gave up after %v, want %v", waited, erst.DefaultTimeout)
	}
}

// preemptedClock is the driver's clock in a process that loses the CPU
// right after a busy poll: its second reading jumps past the timeout.
type preemptedClock struct {
	*hw.FakeClock
	reads int
}

func (c *preemptedClock) Now() time.Time {
	c.reads++
	if c.reads == 2 {
		c.Advance(2 * erst.DefaultTimeout)
	}
	return c.FakeClock.Now()
}

// A driver preempted between a busy answer and its clock read polls once
// more before it reports a timeout: the device finished meanwhile, and
// the write succeeded. (It reported ErrTimeout for a stored record.)
func TestPreemptedPollIsNoTimeout(t *testing.T) {
	st, dev, fake := newSim(t, 64<<10)
	drv, err := erst.Open(dev.Table(), dev, erst.WithClock(&preemptedClock{FakeClock: fake}))
	if err != nil {
		t.Fatal(err)
	}
	dev.SetBusy(sim.Busy{Polls: 1})
	if err := drv.Write(record(128, 1)); err != nil {
		t.Fatalf("write answered busy once, then done: %v", err)
	}
	if ids := st.IDs(); len(ids) != 1 || ids[0] != 1 {
		t.Errorf("store holds %v, want [0x1]", ids)
	}
}

func TestSlowDeviceWithinTimeout(t *testing.T) {
	b := newBench(t, 64<<10)
	b.dev.SetBusy(sim.Busy{For: 500 * time.Microsecond})
	if err := b.drv.Write(record(128, 1)); err != nil {
		t.Fatalf("a device busy for 500 µs (timeout 1 ms): %v", err)
	}
	b.dev.SetBusy(sim.Busy{Polls: 3})
	if err := b.drv.Clear(1); err != nil {
		t.Fatalf("busy for 3 polls: %v", err)
	}
	b.dev.SetBusy(sim.Busy{For: 2 * time.Millisecond})
	if err := b.drv.Write(record(128, 1)); !errors.Is(err, erst.ErrTimeout) {
		t.Fatalf("busy for 2 ms with a 1 ms timeout: %v, want ErrTimeout", err)
	}
}

func TestTornWrite(t *testing.T) {
	b := newBench(t, 64<<10)
	b.write(128, 1)
	b.dev.TearNextWrite(store.Tear{SlotBytes: 100})
	if err := b.drv.Write(record(512, 2)); err == nil {
		t.Fatal("a write cut by power loss reported success")
	}
	if ids := b.st.IDs(); len(ids) != 1 || ids[0] != 1 {
		t.Errorf("after a torn write the store lists %v, want only [1]", ids)
	}
	if _, err := b.drv.Count(); err == nil {
		t.Error("a device that lost power still answers")
	}
}

func TestDummyWrite(t *testing.T) {
	forEachDevice(t, func(t *testing.T, d *dut) {
		d.write(300, 0x44)
		d.unchanged("a dummy write", func() {
			if err := d.drv.DummyWrite(); err != nil {
				t.Fatal(err)
			}
		})
	})
}

func TestTraceNamesActions(t *testing.T) {
	forEachDevice(t, func(t *testing.T, d *dut) {
		var events []erst.TraceEvent
		drv, err := d.open(erst.WithTrace(func(e erst.TraceEvent) { events = append(events, e) }))
		if err != nil {
			t.Fatal(err)
		}
		events = nil
		if _, err := drv.Count(); err != nil {
			t.Fatal(err)
		}
		// QEMU's GET_RECORD_COUNT: write the action code, read VALUE.
		if len(events) != 2 || !events[0].Write || events[0].Raw != 0xa || events[1].Write {
			t.Errorf("trace of GET_RECORD_COUNT = %+v", events)
		}
	})
}

func TestNVRAMModeRoundTrip(t *testing.T) {
	b := newBench(t, 64<<10, sim.WithNVRAM())
	r := b.drv.Range()
	if !r.NVRAM() || r.Length != 7*recordSize {
		t.Fatalf("range %+v: want NVRAM, 7 slots long", r)
	}
	a := b.write(300, 0x10)
	c := b.write(recordSize, 0x20)
	for _, want := range [][]byte{a, c} {
		got, err := b.drv.Read(erst.RecordID(want))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("record %#x: %v", erst.RecordID(want), err)
		}
	}
	if err := b.drv.Clear(0x10); err != nil {
		t.Fatal(err)
	}
	d := b.write(200, 0x30) // reuses the cleared slot
	if got, _ := b.st.Get(0x30); !bytes.Equal(got, d) {
		t.Error("record written in place is not what the store holds")
	}
	if ids := b.st.IDs(); len(ids) != 2 || ids[0] != 0x30 {
		t.Errorf("store ids %#x, want [0x30 0x20]", ids)
	}
}

// The PSHED conformance suite, on every kind of device: each check gets a
// new, empty one.
func TestConformanceExchangeBuffer(t *testing.T) {
	for _, k := range deviceKinds() {
		t.Run(k.name, func(t *testing.T) {
			pshedtest.TestPersistence(t, func(t *testing.T) pshedtest.Target {
				d := k.open(t)
				a := pshed.NewAdapter(d.drv)
				g := a.Geometry()
				if !g.CapacityKnown {
					g.Capacity, g.CapacityKnown = d.capacity, true // a real device cannot tell; the test knows its store
				}
				return pshedtest.Target{Persistence: a, RangeLength: g.RangeLength, Capacity: g.Capacity, CapacityKnown: true}
			})
		})
	}
}

func TestConformanceNVRAM(t *testing.T) {
	pshedtest.TestPersistence(t, func(t *testing.T) pshedtest.Target {
		a := pshed.NewAdapter(newBench(t, 64<<10, sim.WithNVRAM()).drv)
		g := a.Geometry()
		return pshedtest.Target{Persistence: a, RangeLength: g.RangeLength, Capacity: g.Capacity, CapacityKnown: g.CapacityKnown}
	})
}

// Linux enumerates with GET_RECORD_IDENTIFIER alone; a table without
// GET_RECORD_COUNT still lists, reads and clears every record.
func TestIDsWithoutRecordCount(t *testing.T) {
	b := newBench(t, 64<<10)
	for id := uint64(1); id <= 5; id++ {
		b.write(128, id)
	}
	tab := b.dev.Table()
	tab.Entries = slices.DeleteFunc(tab.Entries, func(e acpi.Entry) bool { return e.Action == acpi.GetRecordCount })
	tab.Finalize()
	drv, err := erst.Open(tab, b.dev, erst.WithClock(b.clock))
	if err != nil {
		t.Fatal(err)
	}
	// A stale cursor too: another reader stopped after record 3.
	for range 3 {
		if _, err := drv.NextID(); err != nil {
			t.Fatal(err)
		}
	}
	ids, err := drv.IDs()
	if err != nil || !slices.Equal(ids, []uint64{1, 2, 3, 4, 5}) {
		t.Errorf("IDs without GET_RECORD_COUNT = %v, %v; want [1 2 3 4 5]", ids, err)
	}
	if _, err := drv.Count(); !errors.Is(err, erst.ErrMissingAction) {
		t.Errorf("Count without the action: %v, want ErrMissingAction", err)
	}
}

// lengthLiar is a simulated device whose every register read, once length
// is set, overwrites the RecordLength of the record in the error log
// address range: a read's record as a broken device would return it.
type lengthLiar struct {
	*sim.Device
	rng    []byte
	length uint32
}

func (p *lengthLiar) Map(base, size uint64) ([]byte, error) {
	b, err := p.Device.Map(base, size)
	p.rng = b
	return b, err
}

func (p *lengthLiar) Bus(s acpi.AddressSpace) (hw.Bus, error) {
	b, err := p.Device.Bus(s)
	return liarBus{b, p}, err
}

type liarBus struct {
	hw.Bus
	p *lengthLiar
}

func (b liarBus) lie() {
	if b.p.length != 0 {
		binary.LittleEndian.PutUint32(b.p.rng[cper.OffRecordLength:], b.p.length)
	}
}

func (b liarBus) Read32(a uint64) (uint32, error) { defer b.lie(); return b.Bus.Read32(a) }
func (b liarBus) Read64(a uint64) (uint64, error) { defer b.lie(); return b.Bus.Read64(a) }

// A record whose length the device reports outside [128, the range's
// length] is ErrBadRecord from Read and ReadInto; the edges are records.
func TestReadRefusesABadLength(t *testing.T) {
	_, dev, clock := newSim(t, 64<<10)
	p := &lengthLiar{Device: dev}
	drv, err := erst.Open(dev.Table(), p, erst.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	if err := drv.Write(record(1024, 7)); err != nil {
		t.Fatal(err)
	}
	rangeLen := uint32(drv.Range().Length)
	buf := make([]byte, rangeLen)
	for _, tc := range []struct {
		length uint32
		bad    bool
	}{{127, true}, {0x80, false}, {rangeLen, false}, {rangeLen + 1, true}, {1 << 31, true}} {
		p.length = tc.length
		n, err := drv.ReadInto(7, buf)
		if tc.bad != errors.Is(err, erst.ErrBadRecord) || !tc.bad && n != int(tc.length) {
			t.Errorf("ReadInto of a record of length %d: %d, %v; want ErrBadRecord: %v", tc.length, n, err, tc.bad)
		}
		rec, err := drv.Read(7)
		if tc.bad != errors.Is(err, erst.ErrBadRecord) || !tc.bad && len(rec) != int(tc.length) {
			t.Errorf("Read of a record of length %d: %d bytes, %v; want ErrBadRecord: %v", tc.length, len(rec), err, tc.bad)
		}
	}
}
