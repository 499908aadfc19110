package sim_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"sync"
	"testing"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst/hw"
	"github.com/goerst/erst/erst/sim"
	"github.com/goerst/erst/erst/store"
	"github.com/goerst/erst/erst/store/storetest"
)

const none = ^uint64(0) // ERST "empty or end" record ID

// The qtest's checks (tests/qtest/erst-test.c), plus the timings.
func TestErrorLogAddressRange(t *testing.T) {
	r := newRig(t)
	bar1 := sim.DefaultBar1(sim.Q35Bar0, 8192)
	if r.erange != bar1 || r.erange == 0 || r.erange == none || r.erange == sim.Q35Bar0 {
		t.Errorf("range %#x, want BAR1 %#x", r.erange, bar1)
	}
	if bar1 != 0xfebd4000 {
		t.Errorf("DefaultBar1 = %#x, want 0xfebd4000 (8 KiB aligned, below BAR0)", bar1)
	}
	if r.erangeSize != 8192 {
		t.Errorf("length %d, want 8192", r.erangeSize)
	}
	if got := r.run(acpi.GetErrorLogAddressRangeAttributes, 0); got != 0 {
		t.Errorf("attributes %#x, want 0", got)
	}
	if got := r.run(acpi.GetExecuteOperationTimings, 0); got != 100<<32|10 {
		t.Errorf("timings %#x, want 100us max, 10us nominal", got)
	}

	r = newRigSize(t, 64*kib, 4096, sim.WithBARs(sim.PCBar0, 0xfe000000), sim.WithAttributes(0x6), sim.WithTimings(0))
	if r.erange != 0xfe000000 || r.erangeSize != 4096 {
		t.Errorf("range %#x+%d, want 0xfe000000+4096", r.erange, r.erangeSize)
	}
	if got := r.run(acpi.GetErrorLogAddressRangeAttributes, 0); got != 0x6 {
		t.Errorf("configured attributes %#x, want 0x6", got)
	}
	if got := r.run(acpi.GetExecuteOperationTimings, 0); got != 0 {
		t.Errorf("configured timings %#x, want 0", got)
	}
	r.d.SetAttributes(0x2)
	r.d.SetTimings(5<<32 | 1)
	if a, tm := r.run(acpi.GetErrorLogAddressRangeAttributes, 0), r.run(acpi.GetExecuteOperationTimings, 0); a != 2 || tm != 5<<32|1 {
		t.Errorf("after Set*: attributes %#x timings %#x", a, tm)
	}
}

// TestLinuxSession runs what a Linux guest does, checking the backing
// file after every step.
func TestLinuxSession(t *testing.T) {
	r := newRig(t)
	want := storetest.NewGolden(64*kib, 8*kib).Header(8192, 8192, 0)
	r.checkFile("fresh", want.B)

	// Empty store: count 0, no IDs, reads report STORE_EMPTY.
	if n := r.count(); n != 0 {
		t.Errorf("count %d, want 0", n)
	}
	if id := r.nextID(); id != none {
		t.Errorf("first ID of an empty store %#x, want ~0", id)
	}
	st, _ := r.get(0)
	r.wantStatus("read of an empty store", st, acpi.StatusRecordStoreEmpty)
	st, _ = r.get(0x1234)
	r.wantStatus("read of an empty store by ID", st, acpi.StatusRecordStoreEmpty)
	r.checkFile("after reads", want.B)

	a := storetest.CPER(0x6000000100000001, 300, 0xA1)
	r.wantStatus("write a", r.put(a), acpi.StatusSuccess)
	want.Count(1).Map(1, 0x6000000100000001).Slot(1, a)
	r.checkFile("after write a", want.B)

	b := storetest.CPER(0x6000000100000002, 7992, 0xB2) // pstore's biggest chunk for 8 KiB
	r.wantStatus("write b", r.put(b), acpi.StatusSuccess)
	want.Count(2).Map(2, 0x6000000100000002).Slot(2, b)
	r.checkFile("after write b", want.B)

	if n := r.count(); n != 2 {
		t.Errorf("count %d, want 2", n)
	}
	// Iteration: a, b, end; then it starts over.
	for i, w := range []uint64{0x6000000100000001, 0x6000000100000002, none, 0x6000000100000001} {
		if id := r.nextID(); id != w {
			t.Errorf("GET_RECORD_IDENTIFIER #%d = %#x, want %#x", i, id, w)
		}
	}
	r.d.Reset()

	st, got := r.get(0x6000000100000002)
	if st != acpi.StatusSuccess || !bytes.Equal(got, b) {
		t.Errorf("read b: %v, %d bytes", st, len(got))
	}
	a2 := storetest.CPER(0x6000000100000001, 128, 0xA2)
	r.wantStatus("overwrite a", r.put(a2), acpi.StatusSuccess)
	want.Slot(1, a2)
	r.checkFile("after overwrite a", want.B)

	r.wantStatus("clear b", r.clear(0x6000000100000002), acpi.StatusSuccess)
	want.Count(1).Map(2, 0)
	r.checkFile("after clear b", want.B)

	r.unchanged("clear of a missing ID", func() {
		r.wantStatus("clear b again", r.clear(0x6000000100000002), acpi.StatusRecordNotFound)
	})
	st, _ = r.get(0x6000000100000002)
	r.wantStatus("read of a cleared ID", st, acpi.StatusRecordNotFound)

	// Reboot: reopen the file.
	if err := r.st.Close(); err != nil {
		t.Fatal(err)
	}
	st2, err := store.Open(r.path)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	r2 := rigOver(t, st2)
	r2.path = r.path
	if n := r2.count(); n != 1 {
		t.Errorf("count after reopen %d, want 1", n)
	}
	if st, got := r2.get(0); st != acpi.StatusSuccess || !bytes.Equal(got, a2) {
		t.Errorf("read first after reopen: %v", st)
	}
	r2.checkFile("after reopen", want.B)
}

func TestWriteStatusPaths(t *testing.T) {
	r := newRig(t)
	rec := func(id uint64, n int) []byte { return storetest.CPER(id, n, 0x33) }
	for _, tc := range []struct {
		name   string
		offset uint64
		rec    []byte
		want   acpi.CommandStatus
	}{
		{"offset past size-128", 8192 - 127, rec(1, 128), acpi.StatusFailed},
		{"offset huge", 1 << 20, rec(1, 128), acpi.StatusFailed},
		{"record_length 127", 0, rec(1, 127), acpi.StatusFailed},
		{"record_length 0", 0, rec(1, 0), acpi.StatusFailed},
		{"record_length beyond the buffer", 4096, rec(1, 4097), acpi.StatusFailed},
		{"id 0", 0, rec(0, 128), acpi.StatusFailed},
		{"id ~0", 0, rec(none, 128), acpi.StatusFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clear(r.buf)
			if tc.offset < 8192 {
				copy(r.buf[tc.offset:], tc.rec)
			}
			r.unchanged(tc.name, func() {
				st, err := r.write(tc.offset)
				if err != nil {
					t.Fatal(err)
				}
				r.wantStatus(tc.name, st, tc.want)
			})
		})
	}

	// The largest offset that works: a 128-byte record at size-128. The
	// CPER signature is not checked.
	clear(r.buf)
	x := rec(0x77, 128)
	copy(x, "XXXX")
	copy(r.buf[8192-128:], x)
	if st, _ := r.write(8192 - 128); st != acpi.StatusSuccess {
		t.Fatalf("write at offset size-128: %v", st)
	}
	want := storetest.NewGolden(64*kib, 8*kib).Header(8192, 8192, 1).Map(1, 0x77).Slot(1, x)
	r.checkFile("record from offset 8064", want.B)

	// Fill the store: 6 more records, then NOT_ENOUGH_SPACE.
	for i := 2; i <= 7; i++ {
		r.wantStatus("fill", r.put(rec(uint64(i), 200)), acpi.StatusSuccess)
		want.Count(uint32(i)).Map(i, uint64(i)).Slot(i, rec(uint64(i), 200))
	}
	r.checkFile("full store", want.B)
	r.unchanged("write to a full store", func() {
		r.wantStatus("write to a full store", r.put(rec(8, 200)), acpi.StatusNotEnoughSpace)
	})
	// Overwriting an existing ID still works on a full store.
	r.wantStatus("overwrite in a full store", r.put(rec(0x77, 300)), acpi.StatusSuccess)
	want.Slot(1, rec(0x77, 300))
	r.checkFile("after overwrite", want.B)
}

func TestReadStatusPaths(t *testing.T) {
	r := newRig(t)
	a, b, c := storetest.CPER(0xA, 500, 0xAA), storetest.CPER(0xB, 4000, 0xBB), storetest.CPER(0xC, 128, 0xCC)
	for _, x := range [][]byte{a, b, c} {
		r.wantStatus("write", r.put(x), acpi.StatusSuccess)
	}
	r.unchanged("reads", func() {
		st, _ := r.get(none)
		r.wantStatus("read ~0", st, acpi.StatusFailed)

		st, err := r.read(0xA, 8192-127)
		if err != nil {
			t.Fatal(err)
		}
		r.wantStatus("read at a bad offset", st, acpi.StatusFailed)

		// b is 4000 bytes: at offset 4193 it no longer fits.
		st, _ = r.read(0xB, 8192-4000+1)
		r.wantStatus("read of a record too long for the offset", st, acpi.StatusFailed)
		st, _ = r.read(0xB, 8192-4000)
		r.wantStatus("read of a record that just fits", st, acpi.StatusSuccess)
		if !bytes.Equal(r.buf[8192-4000:], b) {
			t.Error("record b not at offset 4192")
		}

		// ID 0 reads the first record and latches its ID.
		clear(r.buf)
		st, got := r.get(0)
		if st != acpi.StatusSuccess || !bytes.Equal(got, a) {
			t.Errorf("read ID 0: %v", st)
		}
		if s := r.d.State(); s.RecordID != 0xA || s.NextIndex != 2 {
			t.Errorf("after read of ID 0: record ID %#x, cursor %d; want 0xA, 2", s.RecordID, s.NextIndex)
		}
		// Only record_length bytes are copied.
		if r.buf[500] != 0 {
			t.Error("read copied past record_length")
		}

		// A missing ID: NOT_FOUND, and the latched ID becomes the first
		// record's, the cursor just past it.
		r.run(acpi.GetRecordIdentifier, 0) // move the cursor somewhere else
		st, _ = r.get(0xDEAD)
		r.wantStatus("read of a missing ID", st, acpi.StatusRecordNotFound)
		if s := r.d.State(); s.RecordID != 0xA || s.NextIndex != 2 {
			t.Errorf("after NOT_FOUND: record ID %#x, cursor %d; want 0xA, 2", s.RecordID, s.NextIndex)
		}
		// So EXECUTE again, without setting the ID, reads the first record.
		clear(r.buf)
		r.run(acpi.BeginReadOperation, 0)
		st, err = r.execute()
		if err != nil || st != acpi.StatusSuccess || !bytes.Equal(r.buf[:500], a) {
			t.Errorf("re-execute after NOT_FOUND: %v %v", st, err)
		}
		// And the iteration continues after it.
		if id := r.nextID(); id != 0xB {
			t.Errorf("GET_RECORD_IDENTIFIER after the reset = %#x, want 0xB", id)
		}
	})

	// A stored record whose length field has gone bad reads as FAILED.
	im := r.st.Snapshot()
	binary.LittleEndian.PutUint32(im[3*8192+20:], 100) // slot 3 holds c
	st2, err := store.New(im)
	if err != nil {
		t.Fatal(err)
	}
	r2 := rigOver(t, st2)
	st, _ := r2.get(0xC)
	r2.wantStatus("read of a record with length 100", st, acpi.StatusFailed)
	binary.LittleEndian.PutUint32(im[3*8192+20:], 8193)
	st, _ = r2.get(0xC)
	r2.wantStatus("read of a record with length 8193", st, acpi.StatusFailed)
}

func TestClearStatusPaths(t *testing.T) {
	r := newRig(t)
	r.unchanged("clears of an empty store", func() {
		r.wantStatus("clear ID 0", r.clear(0), acpi.StatusFailed)
		r.wantStatus("clear ID ~0", r.clear(none), acpi.StatusFailed)
		r.wantStatus("clear missing", r.clear(5), acpi.StatusRecordNotFound)
	})
	r.put(storetest.CPER(5, 128, 0))
	r.put(storetest.CPER(6, 128, 0))
	r.unchanged("failed clears", func() {
		r.wantStatus("clear ID 0", r.clear(0), acpi.StatusFailed)
		r.wantStatus("clear missing", r.clear(7), acpi.StatusRecordNotFound)
	})
	r.wantStatus("clear 5", r.clear(5), acpi.StatusSuccess)
	want := storetest.NewGolden(64*kib, 8*kib).Header(8192, 8192, 1).
		Slot(1, storetest.CPER(5, 128, 0)). // the data stays
		Map(2, 6).Slot(2, storetest.CPER(6, 128, 0))
	r.checkFile("after clear", want.B)
}

// Register-level helpers: one bus access each, offsets into BAR0.
func (r *rig) w32(off, v uint64) {
	r.t.Helper()
	if err := r.bus.Write32(r.d.Bar0()+off, uint32(v)); err != nil {
		r.t.Fatal(err)
	}
}

func (r *rig) w64(off, v uint64) {
	r.t.Helper()
	if err := r.bus.Write64(r.d.Bar0()+off, v); err != nil {
		r.t.Fatal(err)
	}
}

func (r *rig) r32(off uint64) uint64 {
	r.t.Helper()
	v, err := r.bus.Read32(r.d.Bar0() + off)
	if err != nil {
		r.t.Fatal(err)
	}
	return uint64(v)
}

func (r *rig) r64(off uint64) uint64 {
	r.t.Helper()
	v, err := r.bus.Read64(r.d.Bar0() + off)
	if err != nil {
		r.t.Fatal(err)
	}
	return v
}

const (
	action = sim.ActionOffset
	value  = sim.ValueOffset
)

// EXECUTE_OPERATION does nothing unless VALUE's low byte is 0x9C.
func TestExecuteMagic(t *testing.T) {
	r := newRig(t)
	copy(r.buf, storetest.CPER(9, 128, 0))
	r.w32(action, uint64(acpi.BeginReadOperation)) // a read of an empty store would say STORE_EMPTY
	r.unchanged("EXECUTE without the magic", func() {
		for _, v := range []uint64{0, 0x9B, 0x9D, 0x9C00, 0x9C << 32} {
			r.w64(value, v)
			r.w32(action, uint64(acpi.ExecuteOperation))
			if s := r.d.State(); s.Status != acpi.StatusSuccess || s.Busy != 0 {
				t.Errorf("VALUE %#x: status %v busy %d, want the reset values", v, s.Status, s.Busy)
			}
		}
	})
	r.w64(value, 0xFFFFFF9C) // only the low byte counts
	r.w32(action, uint64(acpi.ExecuteOperation))
	if s := r.d.State(); s.Status != acpi.StatusRecordStoreEmpty {
		t.Errorf("VALUE 0xFFFFFF9C: status %v, want RECORD_STORE_EMPTY", s.Status)
	}
}

// The latched operation starts as 0, which is BEGIN_WRITE; END and the
// dummy write execute as SUCCESS.
func TestOperationLatch(t *testing.T) {
	r := newRig(t)
	rec := storetest.CPER(0x42, 128, 0)
	copy(r.buf, rec)
	r.w32(value, 0x9C)
	r.w32(action, uint64(acpi.ExecuteOperation)) // no BEGIN: a write
	if r.status() != acpi.StatusSuccess || r.st.Lookup(0x42) != 1 {
		t.Fatal("EXECUTE straight after reset did not write")
	}
	copy(r.buf, storetest.CPER(0x43, 128, 0))
	for _, op := range []acpi.Action{acpi.EndOperation, acpi.BeginDummyWriteOperation} {
		r.unchanged(op.String(), func() {
			r.run(op, 0)
			st, err := r.execute()
			if err != nil || st != acpi.StatusSuccess {
				t.Errorf("%v then EXECUTE: %v %v", op, st, err)
			}
		})
		if got := r.d.State().Operation; got != uint8(op) {
			t.Errorf("operation %#x, want %#x", got, uint8(op))
		}
	}
	// Values with the right low byte but more bits are not actions.
	r.w32(action, 0x100|uint64(acpi.BeginClearOperation))
	if got := r.d.State().Operation; got != uint8(acpi.BeginDummyWriteOperation) {
		t.Errorf("ACTION 0x102 changed the operation to %#x", got)
	}
	// Reserved actions do nothing at all.
	before := r.d.State()
	for _, a := range []uint64{0x0C, 0x11, 0xFF, 0xFFFFFFFF} {
		r.w32(action, a)
	}
	if after := r.d.State(); after != before {
		t.Errorf("reserved actions changed the state: %+v -> %+v", before, after)
	}
}

func TestRegisters(t *testing.T) {
	r := newRig(t)
	// VALUE: 64-bit, and 32-bit halves.
	r.w64(value, 0x1122334455667788)
	if got := r.r64(value); got != 0x1122334455667788 {
		t.Errorf("VALUE = %#x", got)
	}
	if lo, hi := r.r32(value), r.r32(value+4); lo != 0x55667788 || hi != 0x11223344 {
		t.Errorf("halves %#x %#x", lo, hi)
	}
	r.w32(value+4, 0xAABBCCDD)
	if got := r.r64(value); got != 0xAABBCCDD55667788 {
		t.Errorf("after writing the high half: %#x", got)
	}
	r.w32(value, 0x01020304)
	if got := r.r64(value); got != 0xAABBCCDD01020304 {
		t.Errorf("after writing the low half: %#x", got)
	}
	// Narrow accesses: a byte write replaces the whole 32-bit half
	// (erst_wr_reg64 treats every access below 8 bytes as 32-bit).
	if err := r.bus.Write8(r.d.Bar0()+value, 0x5A); err != nil {
		t.Fatal(err)
	}
	if got := r.r64(value); got != 0xAABBCCDD0000005A {
		t.Errorf("after an 8-bit write: %#x, want 0xaabbccdd0000005a", got)
	}
	if err := r.bus.Write16(r.d.Bar0()+value+4, 0x1234); err != nil {
		t.Fatal(err)
	}
	if got := r.r64(value); got != 0x000012340000005A {
		t.Errorf("after a 16-bit write to +12: %#x", got)
	}
	if v, _ := r.bus.Read8(r.d.Bar0() + value + 4); v != 0x34 {
		t.Errorf("8-bit read of +12 = %#x, want 0x34", v)
	}
	// Offsets QEMU does not decode: writes ignored, reads 0 — even the
	// second byte of VALUE, which erst_reg_read does not recognise.
	for _, off := range []uint64{action + 2, action + 4, action + 6, value + 2, value + 6} {
		if err := r.bus.Write16(r.d.Bar0()+off, 0xFFFF); err != nil {
			t.Fatal(err)
		}
	}
	if got := r.r64(value); got != 0x000012340000005A {
		t.Errorf("VALUE changed by writes QEMU ignores: %#x", got)
	}
	for _, off := range []uint64{action + 1, action + 4, value + 1, value + 2, value + 7} {
		if v, err := r.bus.Read8(r.d.Bar0() + off); v != 0 || err != nil {
			t.Errorf("8-bit read of +%#x = %#x, %v; want 0", off, v, err)
		}
	}
	// Reads of ACTION return reg_action, which is never written: 0.
	r.w32(action, uint64(acpi.GetRecordCount))
	if a, a64 := r.r32(action), r.r64(action); a != 0 || a64 != 0 {
		t.Errorf("ACTION reads %#x / %#x, want 0", a, a64)
	}
	// A 64-bit ACTION write is two 32-bit writes: the low half acts.
	r.w64(value, 0)
	r.w64(action, 0xFFFFFFFF_00000000|uint64(acpi.GetRecordCount))
	r.w64(value, 7)
	r.w64(action, 0xFFFFFFFF_00000000|uint64(acpi.GetCommandStatus))
	if got := r.r64(value); got != 0 {
		t.Errorf("64-bit ACTION write of GET_COMMAND_STATUS: VALUE %#x, want status 0", got)
	}
	// SET_RECORD_OFFSET takes VALUE's low 32 bits.
	r.w64(value, 1<<32|0x40)
	r.w32(action, uint64(acpi.SetRecordOffset))
	if got := r.d.State().RecordOffset; got != 0x40 {
		t.Errorf("record offset %#x, want 0x40", got)
	}
	// SET_RECORD_IDENTIFIER takes all 64 bits.
	r.w64(value, 0x8000000000000123)
	r.w32(action, uint64(acpi.SetRecordIdentifier))
	if got := r.d.State().RecordID; got != 0x8000000000000123 {
		t.Errorf("record ID %#x", got)
	}
	// CHECK_BUSY_STATUS on an idle device: VALUE = 0.
	r.w64(value, 0xFF)
	r.w32(action, uint64(acpi.CheckBusyStatus))
	if got := r.r64(value); got != 0 {
		t.Errorf("busy %#x, want 0", got)
	}
}

func TestBusDecode(t *testing.T) {
	r := newRig(t)
	bar0, bar1 := r.d.Bar0(), r.d.Bar1()
	for _, tc := range []struct {
		name string
		f    func() error
		want error
	}{
		{"below BAR0", func() error { _, err := r.bus.Read32(bar0 - 4); return err }, hw.ErrUnmapped},
		{"past BAR0", func() error { _, err := r.bus.Read32(bar0 + 16); return err }, hw.ErrUnmapped},
		{"straddling BAR0's end", func() error { return r.bus.Write64(bar0+12, 0) }, hw.ErrUnmapped},
		{"misaligned 32-bit", func() error { _, err := r.bus.Read32(bar0 + 2); return err }, hw.ErrWidth},
		{"misaligned 64-bit at VALUE+4", func() error { _, err := r.bus.Read64(bar0 + 12); return err }, hw.ErrUnmapped},
		{"misaligned 64-bit at +4", func() error { return r.bus.Write64(bar0+4, 0) }, hw.ErrWidth},
		{"past BAR1", func() error { _, err := r.bus.Read8(bar1 + 8192); return err }, hw.ErrUnmapped},
		{"straddling BAR1's end", func() error { _, err := r.bus.Read32(bar1 + 8190); return err }, hw.ErrUnmapped},
		{"map past BAR1", func() error { _, err := r.d.Map(bar1+1, 8192); return err }, hw.ErrUnmapped},
		{"map of BAR0", func() error { _, err := r.d.Map(bar0, 16); return err }, hw.ErrUnmapped},
		{"SystemIO", func() error { _, err := r.d.Bus(acpi.SystemIO); return err }, hw.ErrSpace},
		{"PCC", func() error { _, err := r.d.Bus(acpi.PCC); return err }, hw.ErrSpace},
	} {
		if err := tc.f(); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	// BAR1 is RAM: unaligned little-endian accesses, the same bytes as Map.
	if err := r.bus.Write32(bar1+4093, 0xA1B2C3D4); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(r.buf[4093:4097], []byte{0xD4, 0xC3, 0xB2, 0xA1}) {
		t.Errorf("exchange bytes % x", r.buf[4093:4097])
	}
	r.buf[8191] = 0x99
	if v, err := r.bus.Read8(bar1 + 8191); v != 0x99 || err != nil {
		t.Errorf("last exchange byte %#x %v", v, err)
	}
	if m, err := r.d.Map(bar1+8000, 192); err != nil || len(m) != 192 || m[191] != 0x99 {
		t.Errorf("Map of the buffer's end: %d bytes, %v", len(m), err)
	}
	if _, err := sim.New(r.st, sim.WithBARs(0x1000, 0x1008)); err == nil {
		t.Error("New accepted overlapping BARs")
	}
}

// GET_RECORD_IDENTIFIER walks the slots with a cursor, returns ~0 at the
// end and starts over, and always sets the command status to SUCCESS.
func TestRecordIdentifierCursor(t *testing.T) {
	r := newRig(t)
	for _, id := range []uint64{0x10, 0x20, 0x30} {
		r.put(storetest.CPER(id, 128, 0))
	}
	r.clear(0x20)
	r.put(storetest.CPER(0x40, 128, 0)) // reuses slot 2
	var got []uint64
	for range 9 {
		got = append(got, r.nextID())
	}
	want := []uint64{0x10, 0x40, 0x30, none, 0x10, 0x40, 0x30, none, 0x10}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("IDs %#x, want %#x", got, want)
		}
	}
	// A failed write, then GET_RECORD_IDENTIFIER: status back to SUCCESS.
	copy(r.buf, storetest.CPER(0, 128, 0))
	if st := func() acpi.CommandStatus { st, _ := r.write(0); return st }(); st != acpi.StatusFailed {
		t.Fatalf("write of ID 0: %v", st)
	}
	r.nextID()
	if st := r.status(); st != acpi.StatusSuccess {
		t.Errorf("status after GET_RECORD_IDENTIFIER %v, want SUCCESS", st)
	}
	// An ID of ~0 in the map (a corrupt file) is returned as it is.
	im := r.st.Snapshot()
	binary.LittleEndian.PutUint64(im[store.MapOffset(2):], none)
	st2, err := store.New(im)
	if err != nil {
		t.Fatal(err)
	}
	r2 := rigOver(t, st2)
	if a, b, c := r2.nextID(), r2.nextID(), r2.nextID(); a != 0x10 || b != none || c != 0x30 {
		t.Errorf("IDs around a ~0 map entry: %#x %#x %#x", a, b, c)
	}
}

func TestReset(t *testing.T) {
	r := newRig(t)
	r.put(storetest.CPER(0x10, 128, 0))
	r.put(storetest.CPER(0x20, 128, 0))
	r.nextID()
	r.run(acpi.BeginClearOperation, 0)
	r.run(acpi.SetRecordOffset, 0x80)
	r.run(acpi.SetRecordIdentifier, 0x99)
	r.execute() // RECORD_NOT_FOUND
	r.w64(value, 0xABCD)
	r.d.Reset()
	want := sim.State{Operation: 0, Busy: 0, Status: acpi.StatusSuccess, RecordOffset: 0, RegValue: 0xABCD, RecordID: 0, NextIndex: 1}
	if got := r.d.State(); got != want {
		t.Errorf("after Reset %+v, want %+v", got, want)
	}
	if r.buf[0] != 'C' {
		t.Error("Reset cleared the exchange buffer")
	}
}

// A 16 MiB store of 4 KiB records has 9 header slots; the map runs on
// into slots 1-8. Records go to slots 9, 10, ...; slot 509's ID is the
// first map entry of header slot 1.
func TestMapGrowthThroughDevice(t *testing.T) {
	r := newRigSize(t, 16*mib, 4096)
	want := storetest.NewGolden(16*mib, 4*kib).Header(4096, 9*4096, 0)
	r.checkFile("fresh 16 MiB store", want.B)
	if r.erangeSize != 4096 {
		t.Fatalf("range length %d", r.erangeSize)
	}
	const n = 510
	for i := range n {
		id := uint64(0x7000 + i)
		rec := storetest.CPER(id, 128+i*7, byte(i))
		r.wantStatus("write", r.put(rec), acpi.StatusSuccess)
		want.Map(9+i, id).Slot(9+i, rec)
	}
	want.Count(n)
	f := r.file()
	if d := storetest.Diff(f, want.B); d != "" {
		t.Fatalf("backing file after %d writes: %s", n, d)
	}
	if got := binary.LittleEndian.Uint64(f[4096:]); got != 0x7000+500 {
		t.Errorf("map entry at 0x1000 (slot 509) = %#x, want %#x", got, 0x7000+500)
	}
	if got := r.count(); got != n {
		t.Errorf("count %d", got)
	}
	if st, got := r.get(0x7000 + 505); st != acpi.StatusSuccess || len(got) != 128+505*7 {
		t.Errorf("read of slot 514: %v, %d bytes", st, len(got))
	}
}

// Register accesses and host-side store reads from many goroutines: the
// device must stay consistent (run with -race).
func TestConcurrentAccess(t *testing.T) {
	r := newRig(t)
	r.put(storetest.CPER(1, 128, 0))
	var wg sync.WaitGroup
	var seq sync.Mutex // Linux's erst_lock: operation sequences do not interleave
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				switch g % 3 {
				case 0:
					seq.Lock()
					r.run(acpi.GetRecordCount, 0)
					seq.Unlock()
				case 1:
					seq.Lock()
					id := uint64(g<<16 | i + 2)
					copy(r.buf, storetest.CPER(id, 128, 0))
					if st, err := r.write(0); err != nil || (st != acpi.StatusSuccess && st != acpi.StatusNotEnoughSpace) {
						t.Errorf("write: %v %v", st, err)
					}
					r.clear(id)
					seq.Unlock()
				case 2:
					_ = r.st.IDs()
					_, _ = r.st.Get(1)
					_ = r.d.State()
				}
			}
		}()
	}
	wg.Wait()
	if got := r.st.IDs(); len(got) != 1 || got[0] != 1 {
		t.Errorf("IDs after the storm %#x, want [1]", got)
	}
}
