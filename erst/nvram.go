package erst

import (
	"errors"
	"fmt"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst/cper"
	"github.com/goerst/erst/erst/store"
)

// NVRAM mode (attribute bit 1; ACPI 4.0a §17.5.2.4.1 "Error Log Address
// Range Resides in NVRAM"). The range is the persistent store itself, so
// the OS writes a record in place and the platform only commits it; the
// action sequences are the ones used with an exchange buffer. Linux does
// not implement this mode (its __erst_write_to_nvram and
// __erst_read_to_erange_from_nvram return -ENOSYS), QEMU's device has no
// such mode, and the spec leaves the layout of the range to the platform.
// This driver uses the simplest layout that needs no platform help to
// read: the range is an array of fixed-size slots (WithNVRAMSlotSize,
// 8 KiB by default), a slot holds one record at its start, and the record
// offset given with SET_RECORD_OFFSET is the slot's offset:
//
//   - write: the record is copied into a free slot; BEGIN_WRITE,
//     SET_RECORD_OFFSET(slot), EXECUTE...; the platform commits the
//     record found at that offset, dropping an older record with the
//     same id. An overwrite goes to a free slot too, so a write that
//     fails leaves the old version in place; only when no slot is free
//     does it go over the old version, as QEMU's own overwrite does.
//   - read: BEGIN_READ, SET_RECORD_OFFSET(slot), SET_RECORD_IDENTIFIER(id),
//     EXECUTE...; the platform confirms the id, and the OS reads it in place.
//   - clear: as with an exchange buffer; the platform frees the slot.
//
// Which slots hold which records is what the platform committed, never
// what the slot bytes look like: a write that failed (a bad status, a
// timeout, a crash before EXECUTE) leaves a complete-looking record in its
// slot that the platform never stored. The driver therefore keeps a slot
// table (nvramTable) built from the platform's own answers: the ids
// GET_RECORD_IDENTIFIER enumerates, each placed at the slot whose header
// carries it, and where two slots carry one id (a failed overwrite), the
// one the platform confirms with a read. The table is built at the first
// NVRAM operation, kept by this Device's successful writes and clears,
// and rebuilt after any failure and when a read contradicts it. Another
// driver writing to the same store meanwhile is not seen until then.
//
// The simulator's NVRAM device (erst/sim WithNVRAM) implements the
// platform side.

// nvramTable is the driver's view of the NVRAM range's slots.
type nvramTable struct {
	valid bool
	size  uint64            // slot size
	slots []uint64          // the id committed in each slot, 0 when free
	where map[uint64]uint64 // id → slot index
}

func (d *Device) nvramSlotSize() uint64 {
	s := uint64(d.cfg.nvramSlotSize)
	if s == 0 {
		s = store.DefaultRecordSize
	}
	return min(s, d.rng.Length)
}

// nvram returns the slot table, building it when it is not valid.
func (d *Device) nvram() (*nvramTable, error) {
	t := &d.nv
	if t.valid {
		return t, nil
	}
	if t.slots == nil {
		t.size = d.nvramSlotSize()
		t.slots = make([]uint64, d.rng.Length/t.size)
		t.where = make(map[uint64]uint64, len(t.slots))
	}
	clear(t.slots)
	clear(t.where)
	ids, err := d.appendIDs(nil)
	if err != nil {
		return nil, fmt.Errorf("NVRAM slot table: %w", err)
	}
	committed := make(map[uint64]int, len(ids)) // id → slots carrying it
	for _, id := range ids {
		committed[id] = 0
	}
	for i := range t.slots {
		if id, ok := d.slotID(uint64(i)); ok {
			if n, ok := committed[id]; ok {
				committed[id] = n + 1
			}
		}
	}
	for i := range t.slots {
		id, ok := d.slotID(uint64(i))
		if !ok {
			continue
		}
		n, ok := committed[id]
		if !ok {
			continue // a record the platform never stored
		}
		if _, placed := t.where[id]; placed {
			continue
		}
		if n > 1 {
			// Two slots carry id: ask the platform which one it stored.
			if err := d.confirm(uint64(i)*t.size, id); err != nil {
				if errors.Is(err, ErrFailed) || errors.Is(err, ErrRecordNotFound) {
					continue
				}
				return nil, fmt.Errorf("NVRAM slot table: %w", err)
			}
		}
		t.slots[i], t.where[id] = id, uint64(i)
	}
	t.valid = true
	return t, nil
}

// slotID returns the id in the CPER header at the start of slot i.
func (d *Device) slotID(i uint64) (uint64, bool) {
	off := i * d.nv.size
	b := d.buf[off : off+d.nv.size]
	if len(b) < cper.HeaderSize || string(b[:4]) != cper.Signature {
		return 0, false
	}
	return cper.RecordID(b)
}

// confirm runs the read sequence for id at off: success means the
// platform holds id in that slot.
func (d *Device) confirm(off, id uint64) error {
	return d.operation(acpi.BeginReadOperation, false, readInput(off, id))
}

// nvramWrite writes rec (id) into a slot and has the platform commit it.
func (d *Device) nvramWrite(rec []byte, id uint64) error {
	t, err := d.nvram()
	if err != nil {
		return err
	}
	if uint64(len(rec)) > t.size {
		return fmt.Errorf("%d-byte record does not fit a %d-byte NVRAM slot: %w", len(rec), t.size, ErrBadRecord)
	}
	old, had := t.where[id]
	slot := uint64(len(t.slots))
	for i, sid := range t.slots {
		if sid == 0 {
			slot = uint64(i)
			break
		}
	}
	if slot == uint64(len(t.slots)) {
		if !had {
			return fmt.Errorf("no free %d-byte slot in the NVRAM range: %w", t.size, ErrNotEnoughSpace)
		}
		slot = old // the store is full: over the old version, as QEMU does
	}
	if err := d.writeAt(rec, slot*t.size); err != nil {
		t.valid = false // the platform may or may not have committed it
		return err
	}
	if had {
		t.slots[old] = 0
	}
	t.slots[slot], t.where[id] = id, slot
	return nil
}

// nvramRead reads the record id (0: the first one) in place and returns
// its offset and length.
func (d *Device) nvramRead(id uint64) (uint64, uint64, error) {
	for attempt := 0; ; attempt++ {
		t, err := d.nvram()
		if err != nil {
			return 0, 0, err
		}
		rid, slot, ok := id, uint64(0), false
		if id == 0 {
			for i, sid := range t.slots {
				if sid != 0 {
					rid, slot, ok = sid, uint64(i), true
					break
				}
			}
		} else {
			slot, ok = t.where[id]
		}
		if !ok && attempt == 0 {
			t.valid = false // perhaps stored by another driver: look again
			continue
		}
		// An id the platform does not hold goes to it at offset 0, so
		// that it reports RECORD_NOT_FOUND or RECORD_STORE_EMPTY.
		off := slot * t.size
		err = d.confirm(off, rid)
		if err == nil {
			n, err := d.recordAt(off)
			return off, n, err
		}
		t.valid = false
		if !ok || attempt > 0 || !(errors.Is(err, ErrFailed) || errors.Is(err, ErrRecordNotFound)) {
			return 0, 0, err
		}
		// The platform contradicts the table: rebuild it and retry once.
	}
}
