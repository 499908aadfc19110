package erst_test

import (
	"bytes"
	"testing"

	"github.com/goerst/erst/erst"
)

// A recorded operation replayed raw does to the device what the driver
// did: a write's accesses store the record again, a read's bring it back.
func TestRecordReplay(t *testing.T) {
	b := newBench(t, 64<<10)
	rec := record(1024, 0x51)
	var wr, rd []erst.RecordedAccess
	a0 := b.drv.Accesses()
	if err := b.drv.Record(&wr, func() error { return b.drv.Write(rec) }); err != nil {
		t.Fatal(err)
	}
	if n := b.drv.Accesses() - a0; n != uint64(len(wr)) {
		t.Errorf("Accesses counted %d accesses of a write, Record %d", n, len(wr))
	}
	if least, _ := b.drv.MinAccesses(erst.OpWrite); len(wr) != least {
		t.Errorf("recorded %d accesses of a write, want %d", len(wr), least)
	}
	if err := b.drv.Clear(0x51); err != nil {
		t.Fatal(err)
	}
	a0 = b.drv.Accesses()
	if err := b.drv.Replay(wr, rec, nil); err != nil {
		t.Fatal(err)
	}
	if n := b.drv.Accesses() - a0; n != 0 {
		t.Errorf("Accesses counted %d accesses of a replay, want 0", n)
	}
	if got, err := b.st.Get(0x51); err != nil || !bytes.Equal(got[:96], rec[:96]) {
		t.Fatalf("after replaying the write the store holds %d bytes, %v", len(got), err)
	}
	buf := make([]byte, 1024)
	if err := b.drv.Record(&rd, func() error { _, err := b.drv.ReadInto(0x51, buf); return err }); err != nil {
		t.Fatal(err)
	}
	out := make([]byte, 1024)
	if err := b.drv.Replay(rd, nil, out); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, buf) {
		t.Error("replaying the read brought back other bytes")
	}
}

// Replay writes the record it is given, not what the range held: a write
// recorded with one record and replayed with another, longer and with
// other bytes, stores the other whole; a read replayed into a range
// zeroed by in brings back the whole stored record.
func TestReplayUsesItsRecords(t *testing.T) {
	b := newBench(t, 64<<10)
	var wr, rd []erst.RecordedAccess
	if err := b.drv.Record(&wr, func() error { return b.drv.Write(record(1024, 0x51)) }); err != nil {
		t.Fatal(err)
	}
	other := record(2000, 0x51)
	for i := 200; i < len(other); i++ {
		other[i] = byte(i * 7)
	}
	if err := b.drv.Replay(wr, other, nil); err != nil {
		t.Fatal(err)
	}
	if got, err := b.st.Get(0x51); err != nil || !bytes.Equal(got, other) {
		t.Fatalf("after replaying the write with another record the store holds %d bytes, %v; want the other record, all %d bytes", len(got), err, len(other))
	}

	buf := make([]byte, 2000)
	if err := b.drv.Record(&rd, func() error { _, err := b.drv.ReadInto(0x51, buf); return err }); err != nil {
		t.Fatal(err)
	}
	out := make([]byte, 2000)
	if err := b.drv.Replay(rd, make([]byte, 2000), out); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, other) {
		t.Error("replaying the read into a zeroed range brought back other bytes than the stored record")
	}
}
