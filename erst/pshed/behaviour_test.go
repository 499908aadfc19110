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
	"github.com/goerst/erst/erst/sim/simtest"
)

// TestStoreBehaviour runs one behavioural suite over MemStore and over the
// driver it stands in for (erst.Device on the simulated QEMU acpi-erst
// device), both with QEMU's default 7 slots of 8 KiB: every call either
// refuses gets the same erst sentinel from both, and leaves the records
// as they were.
func TestStoreBehaviour(t *testing.T) {
	for _, tc := range []struct {
		name string
		new  func(t *testing.T) pshed.Store
	}{
		{"MemStore", func(*testing.T) pshed.Store { return pshed.NewMemStore(qemuCapacity, qemuRecordSize) }},
		{"Driver", func(t *testing.T) pshed.Store {
			return simtest.New(t, 64<<10, simtest.WithRecordSize(qemuRecordSize)).Driver
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { storeSuite(t, tc.new(t)) })
	}
}

func storeSuite(t *testing.T, s pshed.Store) {
	ids := func() []uint64 {
		t.Helper()
		got, err := s.IDs()
		if err != nil {
			t.Fatalf("IDs = %v", err)
		}
		slices.Sort(got)
		return got
	}
	refused := func(what string, err, want error, before []uint64) {
		t.Helper()
		if !errors.Is(err, want) {
			t.Errorf("%s = %v, want %v", what, err, want)
		}
		if after := ids(); !slices.Equal(after, before) {
			t.Errorf("%s changed the records: %#x, were %#x", what, after, before)
		}
	}
	read := func(id uint64) error { _, err := s.Read(id); return err }
	good := pshedtest.NewRecord(256, 5)
	withID := func(id uint64) []byte {
		r := bytes.Clone(good)
		binary.LittleEndian.PutUint64(r[96:], id)
		return r
	}
	badSig := bytes.Clone(good)
	copy(badSig, "CPEX")

	// An empty store.
	refused("Read(0) on empty", read(0), erst.ErrStoreEmpty, nil)
	refused("Read(9) on empty", read(9), erst.ErrStoreEmpty, nil)
	refused("Read(~0) on empty", read(erst.InvalidID), erst.ErrStoreEmpty, nil)
	refused("Clear(9) on empty", s.Clear(9), erst.ErrRecordNotFound, nil)
	refused("Clear(0)", s.Clear(0), erst.ErrFailed, nil)
	refused("Clear(~0)", s.Clear(erst.InvalidID), erst.ErrFailed, nil)

	// Records the driver refuses before the device sees them.
	refused("Write(127 bytes)", s.Write(good[:127]), erst.ErrBadRecord, nil)
	refused("Write(signature CPEX)", s.Write(badSig), erst.ErrBadRecord, nil)
	refused("Write(RecordLength 256, 255 bytes)", s.Write(good[:255]), erst.ErrBadRecord, nil)
	refused("Write(longer than the range)", s.Write(pshedtest.NewRecord(qemuRecordSize+1, 5)), erst.ErrBadRecord, nil)
	refused("Write(id 0)", s.Write(withID(0)), erst.ErrInvalidID, nil)
	refused("Write(id ~0)", s.Write(withID(erst.InvalidID)), erst.ErrInvalidID, nil)

	// One record.
	if err := s.Write(withID(1)); err != nil {
		t.Fatalf("Write(1) = %v", err)
	}
	one := []uint64{1}
	refused("Read(9)", read(9), erst.ErrRecordNotFound, one)
	refused("Read(~0)", read(erst.InvalidID), erst.ErrFailed, one)
	refused("Clear(0)", s.Clear(0), erst.ErrFailed, one)
	refused("Clear(~0)", s.Clear(erst.InvalidID), erst.ErrFailed, one)
	if got, err := s.Read(0); err != nil || !bytes.Equal(got, withID(1)) {
		t.Errorf("Read(0) = %d bytes, %v; want record 1", len(got), err)
	}

	// A full store takes overwrites and refuses new ids.
	for id := uint64(2); id <= qemuCapacity; id++ {
		if err := s.Write(withID(id)); err != nil {
			t.Fatalf("Write(%d) = %v", id, err)
		}
	}
	full := ids()
	refused("Write(new id) into a full store", s.Write(withID(100)), erst.ErrNotEnoughSpace, full)
	big := pshedtest.NewRecord(qemuRecordSize, 3)
	if err := s.Write(big); err != nil {
		t.Errorf("overwrite in a full store = %v", err)
	}
	if got, err := s.Read(3); err != nil || !bytes.Equal(got, big) {
		t.Errorf("Read(3) = %d bytes, %v; want the %d-byte replacement", len(got), err, len(big))
	}
	if err := s.Clear(1); err != nil {
		t.Errorf("Clear(1) = %v", err)
	}
	refused("second Clear(1)", s.Clear(1), erst.ErrRecordNotFound, full[1:])
}
