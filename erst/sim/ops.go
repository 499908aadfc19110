package sim

import (
	"errors"
	"time"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst/cper"
	"github.com/goerst/erst/erst/store"
)

// execute is EXECUTE_OPERATION with the magic in VALUE. QEMU runs the
// operation synchronously, setting busy_status to 1 and back to 0 around
// it, so a guest never sees the device busy. With a Busy fault the
// operation is held back instead and runs when CHECK_BUSY_STATUS finds the
// fault expired (checkBusy).
func (d *Device) execute() {
	if d.pending != nil {
		return // fault only: a busy device ignores a second EXECUTE
	}
	d.busy = 1
	if b := d.busyFault; b.active() {
		d.pending = &pendingOp{op: d.operation, polls: b.Polls, forever: b.Forever, deadline: d.clock.Now().Add(b.For)}
		return
	}
	d.status = d.run(d.operation)
	d.busy = 0
}

// run is the operation switch in erst_reg_write's EXECUTE_OPERATION case,
// with ForceStatus applied.
func (d *Device) run(op uint8) acpi.CommandStatus {
	forced, st := d.force.take()
	if forced && !d.force.perform {
		return st
	}
	var r acpi.CommandStatus
	switch acpi.Action(op) {
	case acpi.BeginWriteOperation, acpi.BeginReadOperation, acpi.BeginClearOperation:
		if d.st.Closed() {
			// Not in QEMU, whose store cannot go away: a closed Store
			// is hardware that is not there.
			r = acpi.StatusHardwareNotAvailable
		} else {
			r = d.runOp(op)
		}
	default:
		r = d.runOp(op)
	}
	if forced {
		return st
	}
	return r
}

// runOp is the operation switch itself.
func (d *Device) runOp(op uint8) acpi.CommandStatus {
	var r acpi.CommandStatus
	switch acpi.Action(op) {
	case acpi.BeginWriteOperation:
		r = d.write()
	case acpi.BeginReadOperation:
		r = d.read()
	case acpi.BeginClearOperation:
		r = d.clear()
	case acpi.BeginDummyWriteOperation, acpi.EndOperation:
		r = acpi.StatusSuccess
	default:
		r = acpi.StatusFailed // unreachable: operation only takes the values above
	}
	return r
}

// statusOf maps a store error to the status QEMU returns for it.
func statusOf(err error) acpi.CommandStatus {
	switch {
	case err == nil:
		return acpi.StatusSuccess
	case errors.Is(err, store.ErrFull):
		return acpi.StatusNotEnoughSpace
	case errors.Is(err, store.ErrNotFound):
		return acpi.StatusRecordNotFound
	case errors.Is(err, store.ErrClosed):
		return acpi.StatusHardwareNotAvailable
	}
	return acpi.StatusFailed // ErrBadRecord, ErrInvalidID
}

// recordOffsetOK is the "Validate record_offset" check of
// write_erst_record and read_erst_record: at least a CPER header must fit
// after it.
func (d *Device) recordOffsetOK() bool {
	return uint64(d.recordOffset) <= uint64(len(d.exch)-cper.HeaderSize)
}

// write is write_erst_record: record offset, then (in the store)
// record_length >= 128 and within the buffer, record ID not 0 or ~0,
// overwrite or first free slot or NOT_ENOUGH_SPACE. The CPER signature is
// not checked.
func (d *Device) write() acpi.CommandStatus {
	if !d.recordOffsetOK() {
		return acpi.StatusFailed
	}
	if d.nvram {
		return d.nvramWrite()
	}
	_, err := d.st.WriteWith(d.exch[d.recordOffset:], store.WriteOptions{NoFreeSlot: d.full, Tear: d.tear})
	if errors.Is(err, store.ErrTorn) {
		d.tear = nil
		d.dead = true
		return acpi.StatusFailed // nobody is left to read it
	}
	return statusOf(err)
}

// read is read_erst_record, in QEMU's order:
//   - record_count 0: RECORD_STORE_EMPTY, whatever the ID;
//   - ID 0: latch the first record's ID (moving the cursor), or ~0;
//   - ID ~0: FAILED; bad record offset: FAILED;
//   - ID not found: RECORD_NOT_FOUND, and the latched ID becomes the
//     first record's (the cursor moves past it), so that a retry reads
//     the first record;
//   - stored record_length below 128 or beyond the buffer: FAILED.
func (d *Device) read() acpi.CommandStatus {
	if d.st.Count() == 0 {
		return acpi.StatusRecordStoreEmpty
	}
	if d.recordID == store.UnspecifiedID {
		d.nextRecordID(&d.recordID, true)
	}
	if d.recordID == store.EmptyEndID {
		return acpi.StatusFailed
	}
	if !d.recordOffsetOK() {
		return acpi.StatusFailed
	}
	if d.nvram {
		return d.nvramRead()
	}
	_, err := d.st.ReadInto(d.recordID, d.exch[d.recordOffset:])
	if errors.Is(err, store.ErrNotFound) {
		d.nextRecordID(&d.recordID, true)
	}
	return statusOf(err)
}

// clear is clear_erst_record: ID 0 or ~0 FAILED, unknown ID
// RECORD_NOT_FOUND; otherwise the map entry is zeroed and record_count
// drops. The record's bytes stay in the slot.
func (d *Device) clear() acpi.CommandStatus {
	slot := d.st.Lookup(d.recordID)
	err := d.st.Clear(d.recordID)
	if err == nil && d.nvram {
		d.st.WipeSlot(slot)
	}
	return statusOf(err)
}

// nvramSlot returns the store slot at the record offset, or false when the
// offset is not the start of a slot.
func (d *Device) nvramSlot() (int, bool) {
	rs := d.st.RecordSize()
	if int(d.recordOffset)%rs != 0 {
		return 0, false
	}
	return d.st.FirstSlot() + int(d.recordOffset)/rs, true
}

// nvramWrite commits the record the OS wrote in place at the record offset.
func (d *Device) nvramWrite() acpi.CommandStatus {
	slot, ok := d.nvramSlot()
	if !ok {
		return acpi.StatusFailed
	}
	return statusOf(d.st.CommitAt(slot))
}

// nvramRead confirms that the latched ID is the record at the record
// offset: the OS reads it in place.
func (d *Device) nvramRead() acpi.CommandStatus {
	slot, ok := d.nvramSlot()
	if !ok {
		return acpi.StatusFailed
	}
	switch found := d.st.Lookup(d.recordID); {
	case found == 0:
		d.nextRecordID(&d.recordID, true)
		return acpi.StatusRecordNotFound
	case found != slot:
		return acpi.StatusFailed
	}
	return acpi.StatusSuccess
}

// nextRecordID is get_next_record_identifier: with first, rewind the
// cursor; then return the ID of the next occupied slot and move the
// cursor past it, or return ~0 and rewind when there is none (or
// record_count is 0). It always reports SUCCESS, which GET_RECORD_IDENTIFIER
// stores as the command status.
func (d *Device) nextRecordID(dst *uint64, first bool) acpi.CommandStatus {
	if first {
		d.nextIndex = d.st.FirstSlot()
	}
	*dst = store.EmptyEndID
	if slot, id, ok := d.st.Next(d.nextIndex); ok {
		d.nextIndex = slot + 1
		*dst = id
	} else {
		d.nextIndex = d.st.FirstSlot()
	}
	return acpi.StatusSuccess
}

// Busy makes the device slow or stuck: after an EXECUTE_OPERATION,
// CHECK_BUSY_STATUS reports 1 until the fault expires, and only then does
// the operation run (so the store, the exchange buffer and the command
// status change at that poll). While busy, GET_COMMAND_STATUS returns the
// previous operation's status and a further EXECUTE is ignored. The zero
// Busy is QEMU: never busy.
type Busy struct {
	// Forever: the operation never completes (until Reset).
	Forever bool
	// Polls: this many CHECK_BUSY_STATUS actions report busy.
	Polls int
	// For: busy until this much time has passed on the device's clock
	// (WithClock) since the EXECUTE. With Polls too, both must expire.
	For time.Duration
}

func (b Busy) active() bool { return b.Forever || b.Polls > 0 || b.For > 0 }

type pendingOp struct {
	op       uint8
	polls    int
	forever  bool
	deadline time.Time
}

// checkBusy runs a held-back operation once its Busy fault has expired.
func (d *Device) checkBusy() {
	p := d.pending
	if p == nil {
		return
	}
	if p.forever || p.polls > 0 || d.clock.Now().Before(p.deadline) {
		if p.polls > 0 {
			p.polls--
		}
		return
	}
	d.pending = nil
	d.status = d.run(p.op)
	d.busy = 0
}

// SetBusy sets the [Busy] fault for every following EXECUTE_OPERATION;
// Busy{} turns it off (an operation already held back still completes as
// configured when it was started).
func (d *Device) SetBusy(b Busy) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.busyFault = b
}

type forced struct {
	n       int // operations left; < 0: all
	status  acpi.CommandStatus
	perform bool
}

func (f *forced) take() (bool, acpi.CommandStatus) {
	if f.n == 0 {
		return false, 0
	}
	if f.n > 0 {
		f.n--
	}
	return true, f.status
}

// ForceStatus makes the next n executed operations (EXECUTE_OPERATION
// with the magic, any operation, END and dummy write included) report st,
// which may be a reserved value (6 and up). With perform the operation
// still runs and only its status is replaced (a device that lies);
// without, it does not run at all (the store is untouched). n < 0 means
// every operation until ForceStatus(…, 0, …) turns it off.
func (d *Device) ForceStatus(st acpi.CommandStatus, n int, perform bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.force = forced{n: n, status: st, perform: perform}
}

// SetFull makes the store look full to writes of new IDs: they get
// NOT_ENOUGH_SPACE, while overwrites of existing IDs still succeed, as on
// a store whose slots are all taken.
func (d *Device) SetFull(full bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.full = full
}

// TearNextWrite arms a power cut in the next write operation that passes
// QEMU's checks: the store is left as t describes (see [store.Tear]: part of
// the slot written, the map never updated), and the device is gone: every
// access after it returns [ErrPowerLost]. A write that fails its checks
// does not trigger it. To continue, "reboot": make a new [Device] over the
// store, or reopen the file.
func (d *Device) TearNextWrite(t store.Tear) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.tear = &t
}

// PowerLost reports whether a torn write has taken the device down.
func (d *Device) PowerLost() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.dead
}

// SetAttributes changes the GET_ERROR_LOG_ADDRESS_RANGE_ATTRIBUTES value
// (see [WithAttributes]).
func (d *Device) SetAttributes(v uint64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.attrs = v
}

// SetTimings changes the GET_EXECUTE_OPERATION_TIMINGS value (see
// [WithTimings]).
func (d *Device) SetTimings(v uint64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.timings = v
}
