package batch

import (
	"errors"
	"testing"

	"github.com/goerst/erst/erst/store/storetest"
)

// fakeReader holds records by id; a nil record fails its read.
type fakeReader struct {
	ids   []uint64
	recs  map[uint64][]byte
	idErr error
}

func (f fakeReader) IDs() ([]uint64, error) { return f.ids, f.idErr }

func (f fakeReader) Read(id uint64) ([]byte, error) {
	if f.recs[id] == nil {
		return nil, errors.New("device error")
	}
	return f.recs[id], nil
}

// ReadAll keeps the device's order and reports a read that failed and
// bytes that are not CPER in their entries, reading on past both.
func TestReadAll(t *testing.T) {
	good := storetest.CPER(0x30, 300, 0)
	f := fakeReader{ids: []uint64{0x30, 0x10, 0x20}, recs: map[uint64][]byte{0x30: good, 0x20: []byte("not CPER")}}
	got, err := ReadAll(f)
	if err != nil || len(got) != 3 {
		t.Fatalf("ReadAll: %d entries, %v; want 3", len(got), err)
	}
	if g := got[0]; g.ID != 0x30 || g.Err != nil || g.Rec == nil || g.Rec.RecordID != 0x30 || len(g.Raw) != 300 {
		t.Errorf("good record: %+v, want it read and decoded", g)
	}
	if g := got[1]; g.ID != 0x10 || !g.Unread || g.Err == nil || g.Raw != nil {
		t.Errorf("failed read: %+v, want Unread with the device's error", g)
	}
	if g := got[2]; g.ID != 0x20 || g.Unread || g.Err == nil || g.Rec != nil || string(g.Raw) != "not CPER" {
		t.Errorf("bad bytes: %+v, want the bytes and a decode error", g)
	}
	f.idErr = errors.New("enumeration failed")
	if _, err := ReadAll(f); !errors.Is(err, f.idErr) {
		t.Errorf("enumeration failing: %v, want its error", err)
	}
}
