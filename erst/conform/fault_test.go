package conform_test

import (
	"encoding/binary"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/conform"
	"github.com/goerst/erst/erst/cper"
	"github.com/goerst/erst/erst/hw"
	"github.com/goerst/erst/erst/pshed/pshedtest"
	"github.com/goerst/erst/erst/sim"
	"github.com/goerst/erst/erst/store"
)

// faulty is a platform over a simulated QEMU device with one behaviour
// broken by the test: exec runs before every EXECUTE_OPERATION reaches
// the device, with the operation, the latched record id and, for a write,
// the record in the exchange buffer (which exec may change); count is
// added to every GET_RECORD_COUNT the device answers.
type faulty struct {
	dev   *sim.Device
	exec  func(op acpi.Action, id uint64, rec []byte)
	count uint64
	last  uint64 // the last action written
}

func (f *faulty) Bus(space acpi.AddressSpace) (hw.Bus, error) {
	b, err := f.dev.Bus(space)
	if err != nil || space != acpi.SystemMemory {
		return b, err
	}
	return &faultyBus{Bus: b, f: f}, nil
}

func (f *faulty) Map(base, size uint64) ([]byte, error) { return f.dev.Map(base, size) }

func (f *faulty) action(v uint64) {
	f.last = v
	if v != uint64(acpi.ExecuteOperation) || f.exec == nil {
		return
	}
	st := f.dev.State()
	op := acpi.Action(st.Operation)
	var rec []byte
	if op == acpi.BeginWriteOperation {
		buf, err := f.dev.Map(f.dev.Bar1(), uint64(f.dev.Store().RecordSize()))
		if err == nil && int(st.RecordOffset)+cper.HeaderSize <= len(buf) {
			rec = buf[st.RecordOffset:]
		}
	}
	f.exec(op, st.RecordID, rec)
}

// faultyBus hands every access to the device, calling action first on a
// write to ACTION and adding count to VALUE's low half after
// GET_RECORD_COUNT.
type faultyBus struct {
	hw.Bus
	f *faulty
}

func (b *faultyBus) write(addr, v uint64) {
	if addr == b.f.dev.Bar0()+sim.ActionOffset {
		b.f.action(v)
	}
}

func (b *faultyBus) read(addr, v uint64) uint64 {
	if addr == b.f.dev.Bar0()+sim.ValueOffset && b.f.last == uint64(acpi.GetRecordCount) {
		return v + b.f.count
	}
	return v
}

func (b *faultyBus) Write8(a uint64, v uint8) error { b.write(a, uint64(v)); return b.Bus.Write8(a, v) }
func (b *faultyBus) Write16(a uint64, v uint16) error {
	b.write(a, uint64(v))
	return b.Bus.Write16(a, v)
}
func (b *faultyBus) Write32(a uint64, v uint32) error {
	b.write(a, uint64(v))
	return b.Bus.Write32(a, v)
}
func (b *faultyBus) Write64(a uint64, v uint64) error { b.write(a, v); return b.Bus.Write64(a, v) }

func (b *faultyBus) Read32(a uint64) (uint32, error) {
	v, err := b.Bus.Read32(a)
	return uint32(b.read(a, uint64(v))), err
}

func (b *faultyBus) Read64(a uint64) (uint64, error) {
	v, err := b.Bus.Read64(a)
	return b.read(a, v), err
}

// own is the id conform's n-th own record has (conform's own(n)).
func own(n int) uint64 { return pshedtest.IDBase + 1<<39 + uint64(n) }

// overwrite reports whether rec is the 400-byte record with which the
// Overwrite check replaces its 300-byte own(4): the fault's trigger, as
// other checks write own(4) too.
func overwrite(rec []byte) bool {
	return erst.RecordID(rec) == own(4) && len(rec) >= cper.HeaderSize && binary.LittleEndian.Uint32(rec[cper.OffRecordLength:]) == 400
}

// foreignRecord is the record that is in the store before each run.
func foreignRecord() []byte { return pshedtest.NewRecord(300, 0x42) }

// faultRun runs conform over a device broken by breakIt, on a fake clock
// (the driver's, the device's and the Timings check's), and returns the
// sorted names of the failed checks.
func faultRun(t *testing.T, breakIt func(f *faulty, st *store.Store, fc *hw.FakeClock), opts ...sim.Option) (*conform.Report, []string) {
	t.Helper()
	im, err := store.NewImage(128<<10, 8192)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.New(im)
	if err != nil {
		t.Fatal(err)
	}
	fc := hw.NewFakeClock()
	dev, err := sim.New(st, append([]sim.Option{sim.WithClock(fc)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	f := &faulty{dev: dev}
	d, err := erst.Open(dev.Table(), f, erst.WithClock(fc))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Write(foreignRecord()); err != nil {
		t.Fatal(err)
	}
	breakIt(f, st, fc)
	rep, err := conform.Run(d, conform.Options{Samples: 25, RecordLength: 8192, Free: st.Capacity() - int(st.Count()), FreeKnown: true, Clock: fc.Now})
	if err != nil {
		t.Fatal(err)
	}
	failed := rep.Failed()
	slices.Sort(failed)
	return rep, failed
}

// Each broken device fails exactly the checks named: the one meant to
// catch it, and the others its fault cannot help showing in.
func TestBrokenDevices(t *testing.T) {
	for _, tc := range []struct {
		name    string
		breakIt func(f *faulty, st *store.Store, fc *hw.FakeClock)
		opts    []sim.Option
		want    []string
		// says: for some failed checks, words their messages must hold
		says map[string]string
	}{
		{name: "healthy", breakIt: func(*faulty, *store.Store, *hw.FakeClock) {}},
		{
			// The first clear of a record that was overwritten reports
			// success and does nothing: only the sweep after the check
			// sees it.
			name: "clear-acknowledged-not-done",
			breakIt: func(f *faulty, _ *store.Store, _ *hw.FakeClock) {
				armed, done := false, false
				f.exec = func(op acpi.Action, id uint64, rec []byte) {
					armed = armed || op == acpi.BeginWriteOperation && overwrite(rec)
					if op == acpi.BeginClearOperation && id == own(4) && armed && !done {
						done = true
						f.dev.ForceStatus(acpi.StatusSuccess, 1, false)
					}
				}
			},
			want: []string{"NothingLeft"},
			says: map[string]string{"NothingLeft": "Overwrite left 1 records behind"},
		},
		{
			// The first two clears of a record that was overwritten
			// fail: the check's own and the sweep's.
			name: "clear-fails-twice",
			breakIt: func(f *faulty, _ *store.Store, _ *hw.FakeClock) {
				armed, n := false, 0
				f.exec = func(op acpi.Action, id uint64, rec []byte) {
					armed = armed || op == acpi.BeginWriteOperation && overwrite(rec)
					if op == acpi.BeginClearOperation && id == own(4) && armed && n < 2 {
						n++
						f.dev.ForceStatus(acpi.StatusFailed, 1, false)
					}
				}
			},
			want: []string{"NothingLeft", "Overwrite"},
			says: map[string]string{"NothingLeft": "the sweep after Overwrite could not clear record 0x707368e564000004"},
		},
		{
			// No clear of a record that was overwritten does anything,
			// though each reports success: the record is there to the
			// end, in the way of the PSHED checks.
			name: "record-outlives-the-run",
			breakIt: func(f *faulty, _ *store.Store, _ *hw.FakeClock) {
				armed := false
				f.exec = func(op acpi.Action, id uint64, rec []byte) {
					armed = armed || op == acpi.BeginWriteOperation && overwrite(rec)
					if op == acpi.BeginClearOperation && id == own(4) && armed {
						f.dev.ForceStatus(acpi.StatusSuccess, 1, false)
					}
				}
			},
			want: []string{"NothingLeft", "pshed/BufferTooSmall", "pshed/Clear", "pshed/ClearMissing", "pshed/DummyWrite", "pshed/Empty",
				"pshed/Iteration", "pshed/NotFound", "pshed/Overwrite", "pshed/RoundTrip", "pshed/Sizes", "pshed/StoreFull", "pshed/TooLong"},
			says: map[string]string{"NothingLeft": "record 0x707368e564000004, written by the run, is still in the store"},
		},
		{
			// While the run writes, one byte of the record already in
			// the store changes; its length and id stay.
			name: "foreign-record-changed",
			breakIt: func(f *faulty, st *store.Store, _ *hw.FakeClock) {
				done := false
				f.exec = func(op acpi.Action, _ uint64, rec []byte) {
					if op == acpi.BeginWriteOperation && overwrite(rec) && !done {
						done = true
						changed := foreignRecord()
						changed[250] ^= 0xff
						if _, err := st.Write(changed); err != nil {
							t.Errorf("changing the foreign record: %v", err)
						}
					}
				}
			},
			want: []string{"ForeignUntouched"},
		},
		{
			// Every operation takes 300 µs: within the driver's 1 ms
			// busy timeout, above the 100 µs maximum QEMU announces.
			name: "slower-than-announced",
			breakIt: func(f *faulty, _ *store.Store, fc *hw.FakeClock) {
				f.exec = func(acpi.Action, uint64, []byte) { fc.Advance(300 * time.Microsecond) }
			},
			want: []string{"Timings"},
		},
		{
			name:    "announced-maximum-0",
			breakIt: func(*faulty, *store.Store, *hw.FakeClock) {},
			opts:    []sim.Option{sim.WithTimings(0)},
			want:    []string{"Table"},
		},
		{
			// Once a record has been overwritten, GET_RECORD_COUNT
			// counts it twice.
			name: "overwrite-counted",
			breakIt: func(f *faulty, _ *store.Store, _ *hw.FakeClock) {
				f.exec = func(op acpi.Action, _ uint64, rec []byte) {
					if op == acpi.BeginWriteOperation && overwrite(rec) {
						f.count = 1
					}
				}
			},
			want: []string{"Overwrite"},
		},
		{
			// Every dummy write adds one to GET_RECORD_COUNT.
			name: "dummy-write-counted",
			breakIt: func(f *faulty, _ *store.Store, _ *hw.FakeClock) {
				f.exec = func(op acpi.Action, _ uint64, _ []byte) {
					if op == acpi.BeginDummyWriteOperation {
						f.count++
					}
				}
			},
			want: []string{"DummyWrite"},
		},
		{
			// The device stores records without the "ER" the OS stamps
			// at offset 108: every check that compares a record read
			// back with the one written sees it too.
			name: "persistence-signature-dropped",
			breakIt: func(f *faulty, _ *store.Store, _ *hw.FakeClock) {
				f.exec = func(op acpi.Action, _ uint64, rec []byte) {
					if op == acpi.BeginWriteOperation && rec != nil {
						rec[cper.OffPersistence], rec[cper.OffPersistence+1] = 0, 0
					}
				}
			},
			want: []string{"Overwrite", "PersistenceSignature", "WriteReadClear",
				"pshed/BufferTooSmall", "pshed/Clear", "pshed/ClearMissing", "pshed/DummyWrite", "pshed/Iteration",
				"pshed/NotFound", "pshed/Overwrite", "pshed/RoundTrip", "pshed/Sizes", "pshed/StoreFull", "pshed/TooLong"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, failed := faultRun(t, tc.breakIt, tc.opts...)
			if !slices.Equal(failed, tc.want) {
				var msgs []string
				for _, r := range rep.Results {
					if r.Outcome == pshedtest.Fail {
						msgs = append(msgs, r.Name+": "+r.Reason())
					}
				}
				t.Errorf("failed checks %q, want %q\n%s", failed, tc.want, strings.Join(msgs, "\n"))
			}
			for _, r := range rep.Results {
				if w, ok := tc.says[r.Name]; ok && !slices.ContainsFunc(r.Messages, func(m string) bool { return strings.Contains(m, w) }) {
					t.Errorf("%s: messages %q lack %q", r.Name, r.Messages, w)
				}
			}
		})
	}
}
