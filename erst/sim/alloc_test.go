package sim_test

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst/hw"
	"github.com/goerst/erst/erst/sim"
	"github.com/goerst/erst/erst/store"
	"github.com/goerst/erst/erst/store/storetest"
)

// raw drives a device through its table without allocating: each
// action's entries are gathered once (acpi.ERST.Action allocates), so
// what a benchmark or AllocsPerRun measures is the device alone.
type raw struct {
	tb   testing.TB
	bus  hw.Bus
	acts [acpi.GetExecuteOperationTimings + 1][]acpi.Entry
	buf  []byte // the error log address range
}

func newRaw(tb testing.TB, nvram bool) (*raw, *store.Store) {
	tb.Helper()
	st, err := store.Create(filepath.Join(tb.TempDir(), "s.img"), 64*kib, 8192)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	var opts []sim.Option
	if nvram {
		opts = append(opts, sim.WithNVRAM())
	}
	d, err := sim.New(st, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	r := &raw{tb: tb}
	if r.bus, err = d.Bus(acpi.SystemMemory); err != nil {
		tb.Fatal(err)
	}
	for _, e := range d.Table().Entries {
		if int(e.Action) < len(r.acts) {
			r.acts[e.Action] = append(r.acts[e.Action], e)
		}
	}
	base, n := r.run(acpi.GetErrorLogAddressRange, 0), r.run(acpi.GetErrorLogAddressLength, 0)
	if r.buf, err = d.Map(base, n); err != nil {
		tb.Fatal(err)
	}
	return r, st
}

// run executes one action with Linux's semantics for QEMU's four
// instructions and returns the value.
func (r *raw) run(a acpi.Action, val uint64) uint64 {
	v, err := runEntries(r.bus, r.acts[a], val)
	if err != nil {
		r.tb.Fatal(err)
	}
	return v
}

// op is one operation: begin, [offset], [id], execute, poll, status, end.
func (r *raw) op(begin acpi.Action, offset, id uint64, setID bool) acpi.CommandStatus {
	r.run(begin, 0)
	r.run(acpi.SetRecordOffset, offset)
	if setID {
		r.run(acpi.SetRecordIdentifier, id)
	}
	r.run(acpi.ExecuteOperation, 0)
	for r.run(acpi.CheckBusyStatus, 0) != 0 {
	}
	st := acpi.CommandStatus(r.run(acpi.GetCommandStatus, 0))
	r.run(acpi.EndOperation, 0)
	return st
}

// cycle writes rec at offset, reads it back by id, and counts: the
// steady state of a fuzzer or a torture run.
func (r *raw) cycle(rec []byte, offset, id uint64) {
	copy(r.buf[offset:], rec)
	if st := r.op(acpi.BeginWriteOperation, offset, 0, false); st != 0 {
		r.tb.Fatalf("write: status %v", st)
	}
	if st := r.op(acpi.BeginReadOperation, offset, id, true); st != 0 {
		r.tb.Fatalf("read: status %v", st)
	}
	if r.run(acpi.GetRecordCount, 0) != 1 {
		r.tb.Fatal("count")
	}
}

// The device's hot paths (register accesses, write, read, count; exchange
// and NVRAM mode) and the store's (Write, ReadInto, Clear) allocate
// nothing in steady state.
func TestHotPathsDoNotAllocate(t *testing.T) {
	rec := storetest.CPER(0x1234, 8192, 0x5A)
	for _, nvram := range []bool{false, true} {
		r, _ := newRaw(t, nvram)
		r.cycle(rec, 0, 0x1234)
		if n := testing.AllocsPerRun(50, func() { r.cycle(rec, 0, 0x1234) }); n != 0 {
			t.Errorf("nvram=%v: %v allocations per write+read+count cycle, want 0", nvram, n)
		}
		if !bytes.Equal(r.buf[:len(rec)], rec) {
			t.Errorf("nvram=%v: the range does not hold the record read back", nvram)
		}
	}
	_, st := newRaw(t, false)
	dst := make([]byte, st.RecordSize())
	if n := testing.AllocsPerRun(50, func() {
		if _, err := st.Write(rec); err != nil {
			t.Fatal(err)
		}
		if _, err := st.ReadInto(0x1234, dst); err != nil {
			t.Fatal(err)
		}
		if err := st.Clear(0x1234); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("store: %v allocations per Write+ReadInto+Clear, want 0", n)
	}
}

// BenchmarkDevice measures one write+read+count cycle of an 8 KiB record
// at the register level, in each mode.
//
//	go test -run '^$' -bench Device -benchmem ./erst/sim/
func BenchmarkDevice(b *testing.B) {
	rec := storetest.CPER(0x1234, 8192, 0x5A)
	for _, mode := range []struct {
		name  string
		nvram bool
	}{{"exchange", false}, {"nvram", true}} {
		b.Run(mode.name, func(b *testing.B) {
			r, _ := newRaw(b, mode.nvram)
			b.ReportAllocs()
			b.SetBytes(int64(2 * len(rec)))
			for b.Loop() {
				r.cycle(rec, 0, 0x1234)
			}
		})
	}
}

// BenchmarkRegister is one VALUE register read and write: the floor of
// every action.
func BenchmarkRegister(b *testing.B) {
	r, _ := newRaw(b, false)
	b.ReportAllocs()
	for b.Loop() {
		r.run(acpi.SetRecordIdentifier, 7)
		r.run(acpi.GetRecordCount, 0)
	}
}
