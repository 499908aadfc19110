package batch

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/cper"
	"github.com/goerst/erst/erst/sim/simtest"
	"github.com/goerst/erst/erst/store/storetest"
)

// withID sets rec's record id.
func withID(rec []byte, id uint64) []byte {
	binary.LittleEndian.PutUint64(rec[cper.OffRecordID:], id)
	return rec
}

// failingWriter fails the write of the record with id fail.
type failingWriter struct {
	fail    uint64
	written []uint64
}

func (w *failingWriter) Write(rec []byte) error {
	id := binary.LittleEndian.Uint64(rec[cper.OffRecordID:])
	if id == w.fail {
		return errors.New("device error")
	}
	w.written = append(w.written, id)
	return nil
}

// TestWritePartialSaysWhich: when the device fails part-way, the error says
// exactly which records were written and which were not.
func TestWritePartialSaysWhich(t *testing.T) {
	var recs []Record
	for i, name := range []string{"a.bin", "b.bin", "c.bin"} {
		recs = append(recs, Record{Name: name, ID: uint64(0xa + i), Data: withID(make([]byte, cper.HeaderSize), uint64(0xa+i))})
	}
	w := &failingWriter{fail: 0xb}
	var printed []uint64
	err := Write(w, recs, func(r Record) error { printed = append(printed, r.ID); return nil })
	want := "b.bin: device error; written: 0xa (a.bin); not written: 0xb (b.bin), 0xc (c.bin)"
	if err == nil || err.Error() != want {
		t.Errorf("Write = %v, want %q", err, want)
	}
	if len(w.written) != 1 || len(printed) != 1 {
		t.Errorf("written %v, printed %v; want only 0xa", w.written, printed)
	}

	// The id of a written record that cannot be printed counts as written.
	err = Write(&failingWriter{}, recs, func(r Record) error {
		if r.ID == 0xb {
			return errors.New("no space left on device")
		}
		return nil
	})
	want = "output: no space left on device; written: 0xa (a.bin), 0xb (b.bin); not written: 0xc (c.bin)"
	if err == nil || err.Error() != want {
		t.Errorf("Write with a failing output = %v, want %q", err, want)
	}
	err = Write(&failingWriter{}, recs[:1], func(Record) error { return errors.New("no space left on device") })
	want = "output: no space left on device; written: 0xa (a.bin); not written: none"
	if err == nil || err.Error() != want {
		t.Errorf("Write of one record with a failing output = %v, want %q", err, want)
	}
	err = Write(&failingWriter{fail: 0xa}, recs[:1], func(Record) error { return nil })
	if want = "a.bin: device error"; err == nil || err.Error() != want {
		t.Errorf("Write of one record the device refuses = %v, want %q", err, want)
	}
}

// Check refuses, before anything is written, a record the driver refuses
// and more new ids than the store's free slots; stored ids need none.
func TestCheck(t *testing.T) {
	r := simtest.New(t, 64<<10) // 7 slots
	for id := uint64(1); id <= 5; id++ {
		if err := r.Driver.Write(storetest.CPER(id, 256, 0)); err != nil {
			t.Fatal(err)
		}
	}
	rec := func(name string, id uint64) Record {
		return Record{Name: name, ID: id, Data: storetest.CPER(id, 256, 0)}
	}
	if err := Check(r.Driver, r.Store, []Record{rec("a", 1), rec("b", 6), rec("c", 7), rec("d", 2)}); err != nil {
		t.Errorf("two new ids, two free slots: %v", err)
	}
	err := Check(r.Driver, r.Store, []Record{rec("a", 6), rec("b", 7), rec("c", 8)})
	if !errors.Is(err, erst.ErrNotEnoughSpace) || !strings.Contains(err.Error(), "3 new records, the store has 2 free slots of 7") {
		t.Errorf("three new ids, two free slots: %v; want ErrNotEnoughSpace with the counts", err)
	}
	if err := Check(r.Driver, nil, []Record{rec("a", 6), rec("b", 7), rec("c", 8)}); err != nil {
		t.Errorf("without a store to ask: %v; want no refusal", err)
	}
	short := Record{Name: "short.bin", ID: 9, Data: storetest.CPER(9, 256, 0)[:200]}
	if err := Check(r.Driver, r.Store, []Record{rec("a", 6), short}); !errors.Is(err, erst.ErrBadRecord) || !strings.HasPrefix(err.Error(), "short.bin: ") {
		t.Errorf("a record the driver refuses: %v; want ErrBadRecord naming it", err)
	}
	if ids := r.Store.IDs(); len(ids) != 5 {
		t.Errorf("Check changed the store: %#x", ids)
	}
}
