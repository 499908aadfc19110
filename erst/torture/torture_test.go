package torture_test

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/cper"
	"github.com/goerst/erst/erst/sim/simtest"
	"github.com/goerst/erst/erst/store"
	"github.com/goerst/erst/erst/torture"
)

const recordSize = 8192

// rig is a simulated QEMU device over an in-memory 64 KiB store (7
// slots) whose image the test can damage.
type rig struct {
	im  store.Image
	st  *store.Store
	drv *erst.Device
}

func newRig(t *testing.T) *rig {
	t.Helper()
	r := simtest.New(t, 64<<10, simtest.WithRecordSize(recordSize))
	return &rig{im: r.Image, st: r.Store, drv: r.Driver}
}

func newGen(t *testing.T, seed uint64) *torture.Gen {
	t.Helper()
	g, err := torture.New(seed, recordSize)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestRecordsAreValidCPERAndDeterministic(t *testing.T) {
	g := newGen(t, 42)
	sizes := map[int]bool{}
	for n := uint32(1); n <= 200; n++ {
		id := g.ID(n)
		rec := g.Record(id)
		if err := cper.Validate(rec); err != nil {
			t.Fatalf("record %#x: %v", id, err)
		}
		h, _ := cper.DecodeHeader(rec)
		if h.Creator != torture.Creator || h.RecordID != id || !h.Persistence.HasSignature() {
			t.Fatalf("record %#x: creator %v, id %#x, persistence %#x", id, h.Creator, h.RecordID, uint64(h.Persistence))
		}
		if !bytes.Equal(rec, g.Record(id)) {
			t.Fatalf("record %#x differs between two calls", id)
		}
		if err := g.Check(id, rec); err != nil {
			t.Fatalf("Check of a fresh record: %v", err)
		}
		sizes[len(rec)] = true
	}
	if !sizes[torture.MinSize] || !sizes[recordSize] || len(sizes) < 100 {
		t.Errorf("200 records took %d sizes, min seen %v, range length seen %v", len(sizes), sizes[torture.MinSize], sizes[recordSize])
	}
}

func TestSeedsOwnTheirIDs(t *testing.T) {
	a, b := newGen(t, 1), newGen(t, 2)
	id := a.ID(7)
	if n, ok := a.Index(id); !ok || n != 7 {
		t.Errorf("a.Index(a.ID(7)) = %d, %v", n, ok)
	}
	if _, ok := b.Index(id); ok {
		t.Errorf("seed 2 claims seed 1's id %#x", id)
	}
	if !torture.IsTortureID(id) || torture.IsTortureID(0x100) {
		t.Errorf("IsTortureID wrong")
	}
	if bytes.Equal(a.Record(a.ID(1))[torture.MinSize:], newGen(t, 3).Record(a.ID(1))[torture.MinSize:]) {
		t.Errorf("two seeds give the same body for one id")
	}
}

// Torture fills the 7-slot store many times over, clearing only its own
// oldest records; a foreign record stays byte-identical; Verify finds
// the survivors intact; a second run goes on after the first.
func TestTortureThenVerify(t *testing.T) {
	r := newRig(t)
	foreign := bytes.Clone(newGen(t, 99).Record(0x1234)) // not a torture id
	if err := r.drv.Write(foreign); err != nil {
		t.Fatal(err)
	}
	g := newGen(t, 5)
	var acked, cleared []uint64
	s, err := g.Torture(r.drv, torture.Options{
		N:        40,
		ReadBack: true,
		Ack:      func(id uint64) error { acked = append(acked, id); return nil },
		Clearing: func(id uint64) error { cleared = append(cleared, id); return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	if s.Written != 40 || len(acked) != 40 || acked[0] != g.ID(1) || acked[39] != g.ID(40) {
		t.Fatalf("stats %+v, acked %d from %#x", s, len(acked), acked[0])
	}
	if len(cleared) != 40-6 || cleared[0] != g.ID(1) {
		t.Errorf("cleared %d records from %#x, want 34 from the oldest", len(cleared), cleared)
	}
	rep, err := g.Verify(r.drv)
	if err != nil || !rep.OK() {
		t.Fatalf("Verify = %+v, %v", rep, err)
	}
	if want := []uint64{g.ID(35), g.ID(36), g.ID(37), g.ID(38), g.ID(39), g.ID(40)}; !sameSet(rep.Intact, want) || rep.Others != 1 {
		t.Errorf("intact %#x, others %d; want %#x and 1", rep.Intact, rep.Others, want)
	}
	got, err := r.drv.Read(0x1234)
	if err != nil || !bytes.Equal(got, foreign) {
		t.Errorf("the foreign record changed: %v", err)
	}

	s, err = g.Torture(r.drv, torture.Options{N: 2})
	if err != nil || s.First != g.ID(41) {
		t.Errorf("restarted run began at %#x (%v), want counter 41", s.First, err)
	}
	if rep, _ := newGen(t, 6).Verify(r.drv); rep.OtherSeeds != 6 || rep.Others != 1 || len(rep.Intact) != 0 {
		t.Errorf("another seed's view: %+v", rep)
	}
}

func sameSet(a, b []uint64) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// A store full of someone else's records is not torture's to clear.
func TestTortureNeverClearsOthers(t *testing.T) {
	r := newRig(t)
	for id := uint64(1); id <= 7; id++ {
		if err := r.drv.Write(newGen(t, 1).Record(id)); err != nil {
			t.Fatal(err)
		}
	}
	before := r.st.Snapshot()
	_, err := newGen(t, 1).Torture(r.drv, torture.Options{N: 1})
	if !errors.Is(err, erst.ErrNotEnoughSpace) {
		t.Errorf("Torture into a store full of others: %v, want ErrNotEnoughSpace", err)
	}
	if !bytes.Equal(before, r.st.Snapshot()) {
		t.Errorf("the store changed")
	}
}

// One flipped byte anywhere in a stored torture record, header,
// descriptor or body, is found and the record named.
func TestVerifyFindsEveryFlippedByte(t *testing.T) {
	g := newGen(t, 7)
	// A record with a section, of a known size.
	var id uint64
	for n := uint32(1); id == 0; n++ {
		if g.Size(g.ID(n)) > 1000 {
			id = g.ID(n)
		}
	}
	size := g.Size(id)
	for _, off := range []int{0, 20, 64, 96, 100, 108, 127, 128, 150, 199, 200, size / 2, size - 1} {
		r := newRig(t)
		if _, err := g.Torture(r.drv, torture.Options{N: 1, Start: uint32(id)}); err != nil {
			t.Fatal(err)
		}
		slot := r.st.Lookup(id) * recordSize
		r.im[slot+off] ^= 0x10
		rep, err := g.Verify(r.drv)
		if err != nil {
			// A flip in the length field can make the device refuse it.
			t.Fatalf("offset %d: %v", off, err)
		}
		if rep.OK() || rep.Faults[0].ID != id {
			t.Errorf("byte %d (%s) flipped: report %+v, want a fault naming %#x", off, torture.Part(off, size), rep, id)
			continue
		}
		var d *torture.Damage
		if !errors.As(rep.Faults[0].Err, &d) {
			t.Errorf("byte %d flipped: fault %v, want a *torture.Damage", off, rep.Faults[0].Err)
		} else if d.Offset != off {
			t.Errorf("byte %d flipped: damage reported at %d", off, d.Offset)
		}
	}
}

// A record read back one byte short or one byte long, every byte it has
// in common with the record right, is damage of its length alone
// (Offset -1).
func TestCheckFindsLengthAlone(t *testing.T) {
	g := newGen(t, 7)
	id := g.ID(3)
	want := g.Record(id)
	if err := g.Check(id, want); err != nil {
		t.Fatalf("the record itself: %v", err)
	}
	for _, rec := range [][]byte{want[:len(want)-1], append(slices.Clone(want), 0)} {
		err := g.Check(id, rec)
		var d *torture.Damage
		if !errors.As(err, &d) || !errors.Is(err, torture.ErrCorrupt) {
			t.Errorf("%d bytes of a %d-byte record: %v, want a *torture.Damage wrapping ErrCorrupt", len(rec), len(want), err)
			continue
		}
		if *d != (torture.Damage{ID: id, Offset: -1, Len: len(rec), WantLen: len(want)}) {
			t.Errorf("%d bytes of a %d-byte record: %+v, want the length alone named", len(rec), len(want), *d)
		}
	}
}

func TestNewRefusesBadRangeLength(t *testing.T) {
	for _, n := range []uint64{0, 127, 1<<30 + 1} {
		if _, err := torture.New(1, n); err == nil {
			t.Errorf("New(1, %d) succeeded", n)
		}
	}
}

// Keep bounds the seed's records, so two runs can share a small store.
func TestKeep(t *testing.T) {
	r := newRig(t)
	a, b := newGen(t, 1), newGen(t, 2)
	for range 4 {
		for _, g := range []*torture.Gen{a, b} {
			if _, err := g.Torture(r.drv, torture.Options{N: 5, Keep: 3}); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, g := range []*torture.Gen{a, b} {
		rep, err := g.Verify(r.drv)
		if err != nil || !rep.OK() || len(rep.Intact) != 3 || rep.OtherSeeds != 3 {
			t.Errorf("seed %d: %+v, %v; want 3 intact, 3 of the other seed", g.Seed(), rep, err)
		}
	}
}
