package erst

import (
	"encoding/binary"
	"fmt"
)

// NVRAM mode (attribute bit 1; ACPI 4.0a §17.5.2.4.1 "Error Log Address
// Range Resides in NVRAM"). The range is the persistent store itself, so
// the OS writes a record in place and the platform only commits it; the
// action sequences are the ones used with an exchange buffer. Linux does
// not implement this mode and the spec leaves the layout of the range to
// the platform. This driver uses the simplest layout that needs no
// platform help to read: the range is an array of fixed-size slots
// (Config.NVRAMSlotSize, 8 KiB by default), a slot holds one record at its
// start, and a slot whose first four bytes are not "CPER" is free. The
// record offset given with SET_RECORD_OFFSET is the slot's offset:
//
//   - write: a slot holding the same id is reused, else the first free
//     slot; BEGIN_WRITE, SET_RECORD_OFFSET(slot), EXECUTE...; the platform
//     commits the record found at that offset.
//   - read: BEGIN_READ, SET_RECORD_OFFSET(slot), SET_RECORD_IDENTIFIER(id),
//     EXECUTE...; the platform confirms the id, and the OS reads it in place.
//   - clear: as with an exchange buffer; the platform frees the slot.
//
// The simulator's NVRAM device (erst/sim) implements the platform side.

func (d *Device) nvramSlotSize() uint64 {
	s := uint64(d.cfg.NVRAMSlotSize)
	if s == 0 {
		s = 8192
	}
	return min(s, d.rng.Length)
}

// nvramSlots calls f with the offset of each slot and the id of the record
// in it (ok false for a free slot) until f returns true.
func (d *Device) nvramSlots(f func(off, id uint64, ok bool) bool) {
	s := d.nvramSlotSize()
	for off := uint64(0); off+s <= d.rng.Length; off += s {
		slot := d.buf[off : off+s]
		used := len(slot) >= cperHeaderSize && string(slot[:4]) == "CPER"
		var id uint64
		if used {
			id = binary.LittleEndian.Uint64(slot[offRecordID:])
		}
		if f(off, id, used) {
			return
		}
	}
}

func (d *Device) nvramSlotForWrite(id uint64, n int) (uint64, error) {
	s := d.nvramSlotSize()
	if uint64(n) > s {
		return 0, fmt.Errorf("%d-byte record does not fit a %d-byte NVRAM slot: %w", n, s, ErrBadRecord)
	}
	same, free := InvalidID, InvalidID
	d.nvramSlots(func(off, rid uint64, used bool) bool {
		switch {
		case used && rid == id:
			same = off
			return true
		case !used && free == InvalidID:
			free = off
		}
		return false
	})
	switch {
	case same != InvalidID:
		return same, nil
	case free != InvalidID:
		return free, nil
	}
	return 0, fmt.Errorf("no free %d-byte slot in the NVRAM range: %w", s, ErrNotEnoughSpace)
}

// nvramSlotForRead resolves id (0 = the first record) to the slot holding
// it. An id not in the range is passed to the platform at offset 0 so that
// it, not the driver, reports RECORD_NOT_FOUND or RECORD_STORE_EMPTY.
func (d *Device) nvramSlotForRead(id uint64) (uint64, uint64, error) {
	found, at := InvalidID, uint64(0)
	d.nvramSlots(func(off, rid uint64, used bool) bool {
		if used && (id == 0 || rid == id) {
			found, at = rid, off
			return true
		}
		return false
	})
	if found == InvalidID {
		return id, 0, nil
	}
	return found, at, nil
}
