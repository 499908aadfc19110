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
	var wr, rd []erst.Access
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
