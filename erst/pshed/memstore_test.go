package pshed_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"slices"
	"testing"

	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/pshed"
	"github.com/goerst/erst/erst/pshed/pshedtest"
)

func TestMemStoreWriteErrors(t *testing.T) {
	good := pshedtest.NewRecord(256, 5)
	withID := func(id uint64) []byte {
		r := bytes.Clone(good)
		binary.LittleEndian.PutUint64(r[96:], id)
		return r
	}
	badSig := bytes.Clone(good)
	copy(badSig, "CPEX")
	for _, tc := range []struct {
		name string
		rec  []byte
		want error
	}{
		{"Short", good[:127], erst.ErrBadRecord},
		{"Signature", badSig, erst.ErrBadRecord},
		{"LengthMismatch", good[:255], erst.ErrBadRecord},
		{"LongerThanRange", pshedtest.NewRecord(513, 5), erst.ErrOutOfRange},
		{"IDZero", withID(0), erst.ErrInvalidID},
		{"IDInvalid", withID(erst.InvalidID), erst.ErrInvalidID},
	} {
		m := pshed.NewMemStore(2, 512)
		if err := m.Write(tc.rec); !errors.Is(err, tc.want) {
			t.Errorf("%s: Write = %v, want %v", tc.name, err, tc.want)
		}
		if m.Len() != 0 {
			t.Errorf("%s: a refused record was stored", tc.name)
		}
	}
}

func TestMemStoreFullAndUpsert(t *testing.T) {
	m := pshed.NewMemStore(2, 512)
	for _, id := range []uint64{3, 1} {
		if err := m.Write(pshedtest.NewRecord(200, id)); err != nil {
			t.Fatalf("Write(%d) = %v", id, err)
		}
	}
	if err := m.Write(pshedtest.NewRecord(200, 2)); !errors.Is(err, erst.ErrNotEnoughSpace) {
		t.Errorf("Write into a full store = %v, want ErrNotEnoughSpace", err)
	}
	repl := pshedtest.NewRecord(512, 3)
	if err := m.Write(repl); err != nil {
		t.Errorf("overwrite in a full store = %v, want nil", err)
	}
	if ids, _ := m.IDs(); !slices.Equal(ids, []uint64{3, 1}) {
		t.Errorf("IDs = %v, want [3 1] (overwrite keeps the place)", ids)
	}
	if got, err := m.Read(3); err != nil || !bytes.Equal(got, repl) {
		t.Errorf("Read(3) = %d bytes, %v; want the replacement", len(got), err)
	}
	if got, err := m.Read(0); err != nil || !bytes.Equal(got, repl) {
		t.Errorf("Read(0) = %d bytes, %v; want the first record, 3", len(got), err)
	}
}

func TestMemStoreReadClearErrors(t *testing.T) {
	m := pshed.NewMemStore(2, 512)
	if _, err := m.Read(0); !errors.Is(err, erst.ErrStoreEmpty) {
		t.Errorf("Read(0) on empty = %v, want ErrStoreEmpty", err)
	}
	if _, err := m.Read(9); !errors.Is(err, erst.ErrStoreEmpty) {
		t.Errorf("Read(9) on empty = %v, want ErrStoreEmpty (as QEMU)", err)
	}
	if err := m.Clear(9); !errors.Is(err, erst.ErrRecordNotFound) {
		t.Errorf("Clear(9) on empty = %v, want ErrRecordNotFound", err)
	}
	if err := m.Write(pshedtest.NewRecord(128, 1)); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Read(9); !errors.Is(err, erst.ErrRecordNotFound) {
		t.Errorf("Read(9) = %v, want ErrRecordNotFound", err)
	}
	if _, err := m.Read(erst.InvalidID); !errors.Is(err, erst.ErrInvalidID) {
		t.Errorf("Read(~0) = %v, want ErrInvalidID", err)
	}
	for _, id := range []uint64{0, erst.InvalidID} {
		if err := m.Clear(id); !errors.Is(err, erst.ErrInvalidID) {
			t.Errorf("Clear(%#x) = %v, want ErrInvalidID", id, err)
		}
	}
	if err := m.Clear(1); err != nil {
		t.Errorf("Clear(1) = %v", err)
	}
	if err := m.Clear(1); !errors.Is(err, erst.ErrRecordNotFound) {
		t.Errorf("second Clear(1) = %v, want ErrRecordNotFound", err)
	}
}

// The store keeps its own copies: callers cannot change stored records
// through the slices they passed in or got back.
func TestMemStoreCopies(t *testing.T) {
	m := pshed.NewMemStore(2, 512)
	rec := pshedtest.NewRecord(256, 4)
	orig := bytes.Clone(rec)
	if err := m.Write(rec); err != nil {
		t.Fatal(err)
	}
	rec[200] ^= 0xFF
	got, _ := m.Read(4)
	got[201] ^= 0xFF
	ids, _ := m.IDs()
	ids[0] = 99
	again, err := m.Read(4)
	if err != nil || !bytes.Equal(again, orig) {
		t.Errorf("stored record changed through a caller's slice")
	}
	if ids, _ := m.IDs(); !slices.Equal(ids, []uint64{4}) {
		t.Errorf("IDs = %v after changing a returned slice, want [4]", ids)
	}
}
