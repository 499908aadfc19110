// Package erst is an ERST driver: it runs a platform's Error Record
// Serialization Table (ACPI 6.5 §18.5) against its registers to write,
// read, clear and enumerate error records in the platform's persistent
// store, with the semantics of Linux's drivers/acpi/apei/erst.c.
//
// The driver works through the [hw.Platform] interface, so the same code
// drives a simulated QEMU device on the host and the real device in a
// guest. Command statuses map one-to-one to sentinel errors
// ([ErrNotEnoughSpace] ... ErrRecordNotFound); test them with errors.Is.
package erst

import (
	"encoding/binary"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst/cper"
	"github.com/goerst/erst/erst/hw"
)

// MaxTimeout caps any timeout derived from the table's timings.
const MaxTimeout = 10 * time.Second

// DefaultMaxRecords bounds an enumeration against firmware that never
// ends one: far more records than any platform store holds (QEMU's largest
// store of 4 KiB records holds 65536). Exceeding it is [ErrTooManyRecords],
// never a silently shorter list. (Linux caps its record-id cache at 1024
// entries and hides the rest.)
const DefaultMaxRecords = 1 << 20

// Timings is the GET_EXECUTE_OPERATION_TIMINGS value (ACPI 6.3+): bits
// 63:32 the maximum and 31:0 the nominal time of an EXECUTE_OPERATION.
// QEMU encodes both in microseconds, as ACPI specifies; Linux 6.7+ reads
// the maximum as milliseconds.
type Timings uint64

// Max returns the maximum execute time, read as microseconds.
func (t Timings) Max() time.Duration { return time.Duration(t>>32) * time.Microsecond }

// Nominal returns the nominal execute time, read as microseconds.
func (t Timings) Nominal() time.Duration {
	return time.Duration(uint32(t)) * time.Microsecond
}

// Range describes the Error Log Address Range (ACPI 6.5 §18.5.2.1).
type Range struct {
	Base       uint64 // GET_ERROR_LOG_ADDRESS_RANGE
	Length     uint64 // GET_ERROR_LOG_ADDRESS_LENGTH
	Attributes uint64 // GET_ERROR_LOG_ADDRESS_RANGE_ATTRIBUTES
	// Timings is GET_EXECUTE_OPERATION_TIMINGS, 0 when the table lacks it.
	Timings    Timings
	HasTimings bool
}

// NVRAM reports whether the range is the store itself.
func (r Range) NVRAM() bool { return r.Attributes&acpi.AttrNVRAM != 0 }

// Locker serialises operations across processes (a flock on the real
// device). Lock may fail; Unlock must not.
type Locker interface {
	Lock() error
	Unlock()
}

// An [Option] adjusts a [Device] at [Open]. Without options a Device behaves as
// Linux's driver.
type Option func(*config)

// config is what the options set; the zero value is Linux's behaviour.
type config struct {
	clock          hw.Clock
	timeout        time.Duration
	stepBudget     int
	maxRecords     int
	trace          func(TraceEvent)
	lock           Locker
	skipTableCheck bool
	nvramSlotSize  int
}

// WithClock drives STALL, busy polling and timeouts from c instead of the
// system clock (nil keeps the system clock).
func WithClock(c hw.Clock) Option { return func(o *config) { o.clock = c } }

// WithTimeout bounds each busy poll and STALL_WHILE_TRUE loop by d. Without
// it (or with 0) the bound comes from the table: the maximum execute time
// when the table has GET_EXECUTE_OPERATION_TIMINGS (microseconds;
// milliseconds when the range is marked slow, as Linux 6.7+), clamped to
// [1 ms, MaxTimeout]; otherwise 1 ms, as Linux.
func WithTimeout(d time.Duration) Option { return func(o *config) { o.timeout = d } }

// WithStepBudget bounds the instructions one action executes; 0 means
// [DefaultStepBudget].
func WithStepBudget(n int) Option { return func(o *config) { o.stepBudget = n } }

// WithMaxRecords bounds an enumeration: a store with more ids fails with
// [ErrTooManyRecords]; 0 means [DefaultMaxRecords].
func WithMaxRecords(n int) Option { return func(o *config) { o.maxRecords = n } }

// WithTrace has f see every register access (nil: none).
func WithTrace(f func(TraceEvent)) Option { return func(o *config) { o.trace = f } }

// WithLock holds l around every operation in addition to the [Device]'s own
// mutex (nil: no lock).
func WithLock(l Locker) Option { return func(o *config) { o.lock = l } }

// WithoutTableCheck opens a table that fails Linux's checks (for
// experiments on broken firmware); operations still fail on the entries
// they cannot execute.
func WithoutTableCheck() Option { return func(o *config) { o.skipTableCheck = true } }

// WithNVRAMSlotSize sets the slot size used to lay out records in an NVRAM
// range (see [Device]); 0 means store.DefaultRecordSize (8192), QEMU's record
// size.
func WithNVRAMSlotSize(n int) Option { return func(o *config) { o.nvramSlotSize = n } }

// Device is an open ERST: the table's machine, the error log address
// range mapped, one operation at a time.
type Device struct {
	mu       sync.Mutex
	m        *Machine
	cfg      config
	rng      Range
	buf      []byte // the mapped error log address range
	timeout  time.Duration
	platform hw.Platform
	seen     map[uint64]struct{} // AppendIDs' ids seen, reused
	nv       nvramTable          // NVRAM mode: the committed slots
}

// Open checks t as Linux does (erst_check_table and the GAS checks), reads
// the error log address range, length, attributes and timings (ACPI 6.5
// §18.5.2.1; all but the timings are mandatory) and maps the range.
func Open(t *acpi.ERST, p hw.Platform, opts ...Option) (*Device, error) {
	d := &Device{}
	for _, o := range opts {
		if o != nil {
			o(&d.cfg)
		}
	}
	if d.cfg.clock == nil {
		d.cfg.clock = hw.SystemClock{}
	}
	if !d.cfg.skipTableCheck {
		if err := checkTable(t); err != nil {
			return nil, err
		}
	}
	d.platform = p
	d.m = newMachine(t, p, d.cfg.clock)
	d.m.trace = d.cfg.trace
	if d.cfg.stepBudget > 0 {
		d.m.budget = d.cfg.stepBudget
	}
	// Linux erst_get_erange: one context for the four queries. They are
	// register accesses like any operation's: another process's operation
	// must not interleave with them, so they too run under the lock.
	if err := d.lock(); err != nil {
		return nil, fmt.Errorf("get error log address range: %w", err)
	}
	defer d.unlock()
	var r Regs
	for _, q := range []struct {
		a   acpi.Action
		dst *uint64
	}{
		{acpi.GetErrorLogAddressRange, &d.rng.Base},
		{acpi.GetErrorLogAddressLength, &d.rng.Length},
		{acpi.GetErrorLogAddressRangeAttributes, &d.rng.Attributes},
	} {
		if err := d.m.Run(q.a, &r); err != nil {
			return nil, fmt.Errorf("get error log address range: %w", err)
		}
		*q.dst = r.Value
	}
	if d.m.Has(acpi.GetExecuteOperationTimings) {
		if err := d.m.Run(acpi.GetExecuteOperationTimings, &r); err != nil {
			return nil, fmt.Errorf("get execute operation timings: %w", err)
		}
		d.rng.Timings, d.rng.HasTimings = Timings(r.Value), true
	}
	if d.rng.Length < cper.HeaderSize || d.rng.Length > 1<<30 {
		return nil, fmt.Errorf("error log address range length %#x: not between 128 bytes and 1 GiB: %w", d.rng.Length, ErrHardwareNotAvailable)
	}
	buf, err := p.Map(d.rng.Base, d.rng.Length)
	if err != nil {
		return nil, fmt.Errorf("map error log address range [%#x, +%#x): %w", d.rng.Base, d.rng.Length, err)
	}
	d.buf = buf
	d.m.moveBase, d.m.moveRange = d.rng.Base, buf
	d.timeout = d.cfg.timeout
	if d.timeout <= 0 {
		d.timeout = deriveTimeout(d.rng)
	}
	d.m.timeout = d.timeout
	return d, nil
}

// deriveTimeout picks the busy-poll timeout from the range's timings.
func deriveTimeout(r Range) time.Duration {
	if !r.HasTimings || r.Timings>>32 == 0 {
		return DefaultTimeout
	}
	t := r.Timings.Max()
	if r.Attributes&acpi.AttrSlow != 0 {
		t = time.Duration(r.Timings>>32) * time.Millisecond // Linux 6.7+
	}
	return min(max(t, DefaultTimeout), MaxTimeout)
}

// MaxRecordSize is the longest record Write takes: the error log address
// range length, or in NVRAM mode the slot size.
func (d *Device) MaxRecordSize() int {
	if d.isNVRAM() {
		return int(d.nvramSlotSize())
	}
	return int(d.rng.Length)
}

// Capacity returns how many records the store holds at most, when the
// platform can tell (a simulated device can: sim.Device.Capacity; ACPI
// gives a real one no way to say).
func (d *Device) Capacity() (int, bool) {
	if c, ok := d.platform.(interface{ Capacity() int }); ok {
		return c.Capacity(), true
	}
	return 0, false
}

// Range returns the error log address range read at [Open].
func (d *Device) Range() Range { return d.rng }

// Timeout returns the busy-poll timeout in force.
func (d *Device) Timeout() time.Duration { return d.timeout }

// Machine returns the interpreter, for running single actions (tests,
// the bench and trace tools).
func (d *Device) Machine() *Machine { return d.m }

// lock takes the in-process mutex and the cross-process lock.
func (d *Device) lock() error {
	d.mu.Lock()
	if d.cfg.lock != nil {
		if err := d.cfg.lock.Lock(); err != nil {
			d.mu.Unlock()
			return fmt.Errorf("%w: %w", ErrBusy, err)
		}
	}
	return nil
}

func (d *Device) unlock() {
	if d.cfg.lock != nil {
		d.cfg.lock.Unlock()
	}
	d.mu.Unlock()
}

// input is an operation's setup: the SET_RECORD_OFFSET and
// SET_RECORD_IDENTIFIER values it writes (a plain value, not a closure,
// so that an operation allocates nothing).
type input struct {
	offset, id       uint64
	setOffset, setID bool
}

func offsetInput(off uint64) input   { return input{offset: off, setOffset: true} }
func idInput(id uint64) input        { return input{id: id, setID: true} }
func readInput(off, id uint64) input { return input{offset: off, id: id, setOffset: true, setID: true} }

// runActions is operation for a table whose actions did not all
// compile into a plan: each action through Machine.Run.
func (d *Device) runActions(begin acpi.Action, beginMandatory bool, in input) error {
	var r Regs
	if beginMandatory || d.m.Has(begin) {
		if err := d.m.Run(begin, &r); err != nil {
			return err
		}
	}
	err := d.execute(&r, in)
	// END runs on failure too; its own failure matters only on success.
	if d.m.Has(acpi.EndOperation) {
		if endErr := d.m.Run(acpi.EndOperation, &r); err == nil {
			err = endErr
		}
	}
	return err
}

func (d *Device) execute(r *Regs, in input) error {
	if in.setOffset {
		r.Value = in.offset
		if err := d.m.Run(acpi.SetRecordOffset, r); err != nil {
			return err
		}
	}
	if in.setID {
		r.Value = in.id
		if err := d.m.Run(acpi.SetRecordIdentifier, r); err != nil {
			return err
		}
	}
	if err := d.m.Run(acpi.ExecuteOperation, r); err != nil {
		return err
	}
	if err := d.waitNotBusy(r); err != nil {
		return err
	}
	if err := d.m.Run(acpi.GetCommandStatus, r); err != nil {
		return err
	}
	return commandStatus(r.Value)
}

// commandStatus is the error GET_COMMAND_STATUS's value st stands for.
func commandStatus(st uint64) error {
	if st > 0xff {
		return fmt.Errorf("command status %#x: %w", st, ErrReservedStatus)
	}
	if err := StatusErr(acpi.CommandStatus(st)); err != nil {
		return fmt.Errorf("command status %d (%v): %w", st, acpi.CommandStatus(st), err)
	}
	return nil
}

// waitNotBusy polls CHECK_BUSY_STATUS until it reports 0, waiting
// SpinUnit between polls, for at most the timeout.
func (d *Device) waitNotBusy(r *Regs) error {
	if err := d.m.Run(acpi.CheckBusyStatus, r); err != nil {
		return err
	}
	if r.Value == 0 {
		return nil
	}
	return d.stillBusy(r)
}

// stillBusy goes on with a busy poll whose first CHECK_BUSY_STATUS said
// busy. The clock is read only from then on: a clock read can cost a VM
// exit.
func (d *Device) stillBusy(r *Regs) error {
	start := d.cfg.clock.Now()
	for polls := 2; ; polls++ {
		d.cfg.clock.Sleep(SpinUnit)
		// The deadline is read before the poll, so the poll that fails
		// the operation comes after it: a process preempted between a
		// busy answer and the clock read must not call a device that
		// finished meanwhile timed out (Linux counts spin units under a
		// raw spinlock, where that cannot happen).
		expired := d.cfg.clock.Now().Sub(start) >= d.timeout
		if err := d.m.Run(acpi.CheckBusyStatus, r); err != nil {
			return err
		}
		if r.Value == 0 {
			return nil
		}
		if expired {
			return fmt.Errorf("device still busy after %v (%d polls of CHECK_BUSY_STATUS): %w", d.timeout, polls, ErrTimeout)
		}
	}
}

// CheckRecord validates what the driver needs of a CPER record before
// writing it: what every layer asks ([cper.CheckRecord]: the 128-byte
// header, the "CPER" signature as Linux erst_write checks, a RecordLength
// equal to len(rec) as Linux erst-dbg checks), then what only the driver
// knows: the record fits the range, and its id is not 0 or ~0 (which QEMU
// refuses).
func (d *Device) CheckRecord(rec []byte) error {
	if err := cper.CheckRecord(rec); err != nil {
		return fmt.Errorf("%w: %w", ErrBadRecord, err)
	}
	if uint64(len(rec)) > d.rng.Length {
		return fmt.Errorf("%d-byte record does not fit the %d-byte error log address range: %w", len(rec), d.rng.Length, ErrBadRecord)
	}
	if id := RecordID(rec); id == 0 || id == InvalidID {
		return fmt.Errorf("record id %#x is reserved: %w", id, ErrInvalidID)
	}
	return nil
}

// recordOK is CheckRecord's verdict without its messages: small enough to
// inline, so that a write of a good record makes no call for it (under
// TCG every call and return costs a translation-block lookup).
func (d *Device) recordOK(rec []byte) bool {
	if !cper.RecordOK(rec) || uint64(len(rec)) > d.rng.Length {
		return false
	}
	id := RecordID(rec)
	return id != 0 && id != InvalidID
}

// isNVRAM is d.rng.NVRAM(), without the copy of the Range a value
// receiver makes on the write and read paths.
func (d *Device) isNVRAM() bool { return d.rng.Attributes&acpi.AttrNVRAM != 0 }

// RecordID returns the record id of a CPER record ([cper.RecordID]), or 0
// when rec is too short to hold one.
func RecordID(rec []byte) uint64 {
	id, _ := cper.RecordID(rec)
	return id
}

// Write stores a CPER record under the id in its header (Linux erst_write):
// the record is copied to the error log address range with "ER" stamped in
// its PersistenceInfo signature (bytes 108-109, as Linux and Windows do),
// then BEGIN_WRITE, SET_RECORD_OFFSET(offset), EXECUTE, busy poll, status,
// END. An existing record with the same id is replaced (QEMU overwrites).
func (d *Device) Write(rec []byte) error {
	if !d.recordOK(rec) {
		if err := d.CheckRecord(rec); err != nil {
			return fmt.Errorf("write: %w", err)
		}
	}
	if err := d.lock(); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	defer d.unlock()
	var err error
	if d.isNVRAM() {
		err = d.nvramWrite(rec, RecordID(rec))
	} else {
		d.place(rec, 0)
		err = d.operation(acpi.BeginWriteOperation, false, offsetInput(0))
	}
	if err != nil {
		return fmt.Errorf("write record %#x: %w", RecordID(rec), err)
	}
	return nil
}

// place copies rec to off in the range and stamps "ER" in its
// PersistenceInfo.
func (d *Device) place(rec []byte, off uint64) {
	copy(d.buf[off:], rec)
	binary.LittleEndian.PutUint16(d.buf[off+cper.OffPersistence:], cper.PersistenceSignature)
}

// writeAt copies rec to off in the range, stamps "ER" in its
// PersistenceInfo and runs the write sequence with SET_RECORD_OFFSET(off).
func (d *Device) writeAt(rec []byte, off uint64) error {
	d.place(rec, off)
	return d.operation(acpi.BeginWriteOperation, false, offsetInput(off))
}

// DummyWrite runs the write sequence under BEGIN_DUMMY_WRITE_OPERATION:
// the platform goes through the motions without storing anything (ACPI
// 6.5 Table 18.27). Linux never uses it; Windows' PSHED does.
func (d *Device) DummyWrite() error {
	if err := d.lock(); err != nil {
		return fmt.Errorf("dummy write: %w", err)
	}
	defer d.unlock()
	if err := d.operation(acpi.BeginDummyWriteOperation, true, offsetInput(0)); err != nil {
		return fmt.Errorf("dummy write: %w", err)
	}
	return nil
}

// Read returns the record with the given id; id 0 asks for the first
// record in the store (QEMU). The sequence is Linux __erst_read:
// BEGIN_READ, SET_RECORD_OFFSET(0), SET_RECORD_IDENTIFIER(id), EXECUTE,
// busy poll, status, END; then RecordLength bytes are copied out of the
// range into a new slice. ReadInto reads into the caller's buffer.
func (d *Device) Read(id uint64) ([]byte, error) {
	if err := d.lock(); err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	defer d.unlock()
	off, n, err := d.read(id)
	if err != nil {
		return nil, fmt.Errorf("read record %#x: %w", id, err)
	}
	return append([]byte(nil), d.buf[off:off+n]...), nil
}

// ReadInto is Read into buf, allocating nothing: it returns the record's
// length n and the record in buf[:n]. When buf is shorter than the record,
// it returns n with [ErrBufferTooSmall] and leaves buf untouched (the
// record stays in the range; retry with a buffer of n bytes).
func (d *Device) ReadInto(id uint64, buf []byte) (int, error) {
	if err := d.lock(); err != nil {
		return 0, fmt.Errorf("read: %w", err)
	}
	defer d.unlock()
	off, n, err := d.read(id)
	if err != nil {
		return 0, fmt.Errorf("read record %#x: %w", id, err)
	}
	if uint64(len(buf)) < n {
		return int(n), fmt.Errorf("read record %#x: %d-byte record, %d-byte buffer: %w", id, n, len(buf), ErrBufferTooSmall)
	}
	return copy(buf, d.buf[off:off+n]), nil
}

// read runs the read sequence and returns where the record is in the
// range and its length.
func (d *Device) read(id uint64) (off, n uint64, err error) {
	if d.isNVRAM() {
		return d.nvramRead(id)
	}
	if err := d.operation(acpi.BeginReadOperation, false, readInput(0, id)); err != nil {
		return 0, 0, err
	}
	n, err = d.recordAt(0)
	return 0, n, err
}

// recordAt returns the length of the record at off in the range, checking
// it.
func (d *Device) recordAt(off uint64) (uint64, error) {
	room := d.rng.Length - off
	if room < cper.HeaderSize {
		return 0, fmt.Errorf("record offset %#x leaves no room for a header: %w", off, ErrOutOfRange)
	}
	rl, _ := cper.RecordLength(d.buf[off:])
	n := uint64(rl)
	if n < cper.HeaderSize || n > room {
		return 0, fmt.Errorf("the device returned a record of length %d (want 128..%d): %w", n, room, ErrBadRecord)
	}
	return n, nil
}

// Clear removes the record with the given id (Linux erst_clear):
// BEGIN_CLEAR, SET_RECORD_IDENTIFIER(id), EXECUTE, busy poll, status, END.
func (d *Device) Clear(id uint64) error {
	if err := d.lock(); err != nil {
		return fmt.Errorf("clear: %w", err)
	}
	defer d.unlock()
	if err := d.operation(acpi.BeginClearOperation, false, idInput(id)); err != nil {
		d.nv.valid = false // the platform may or may not have cleared it
		return fmt.Errorf("clear record %#x: %w", id, err)
	}
	if slot, ok := d.nv.where[id]; ok {
		d.nv.slots[slot] = 0
		delete(d.nv.where, id)
	}
	return nil
}

// Count returns GET_RECORD_COUNT: the number of records in the store.
func (d *Device) Count() (uint64, error) {
	if err := d.lock(); err != nil {
		return 0, fmt.Errorf("record count: %w", err)
	}
	defer d.unlock()
	var r Regs
	if err := d.m.Run(acpi.GetRecordCount, &r); err != nil {
		return 0, fmt.Errorf("record count: %w", err)
	}
	return r.Value, nil
}

// NextID runs GET_RECORD_IDENTIFIER once: the platform's next record id,
// [InvalidID] at the end. Most callers want IDs.
func (d *Device) NextID() (uint64, error) {
	if err := d.lock(); err != nil {
		return 0, fmt.Errorf("get record identifier: %w", err)
	}
	defer d.unlock()
	return d.nextID()
}

func (d *Device) nextID() (uint64, error) {
	var r Regs
	if err := d.m.Run(acpi.GetRecordIdentifier, &r); err != nil {
		return 0, fmt.Errorf("get record identifier: %w", err)
	}
	return r.Value, nil
}

// IDs enumerates every stored record id with GET_RECORD_IDENTIFIER
// alone, as Linux does (erst_get_record_id_next; GET_RECORD_COUNT is not
// needed), in store order. A pass stops at [InvalidID] or at an id it has
// already seen (Linux's guards against firmware that repeats an id or
// wraps around, generalised). The platform's cursor may have been left
// mid-way by an earlier caller (QEMU's read of id 0 moves it), so a second
// pass runs from where the first ended: after QEMU's rewind at InvalidID it
// yields the records before the first pass's start, and it stops at the
// first id the first pass saw (in the common case at once: one extra
// GET_RECORD_IDENTIFIER). Both passes together cost O(records).
//
// Nothing is truncated: a store with more ids than [WithMaxRecords]
// ([DefaultMaxRecords] when zero) fails with [ErrTooManyRecords].
func (d *Device) IDs() ([]uint64, error) {
	return d.AppendIDs(nil)
}

// AppendIDs is IDs appending to dst (which it may reuse).
func (d *Device) AppendIDs(dst []uint64) ([]uint64, error) {
	if err := d.lock(); err != nil {
		return dst, fmt.Errorf("enumerate: %w", err)
	}
	defer d.unlock()
	return d.appendIDs(dst)
}

func (d *Device) appendIDs(dst []uint64) ([]uint64, error) {
	limit := d.cfg.maxRecords
	if limit <= 0 {
		limit = DefaultMaxRecords
	}
	if d.seen == nil {
		d.seen = make(map[uint64]struct{})
	}
	seen := d.seen
	clear(seen) // kept across calls: no allocation in steady state
	base := len(dst)
	tail, err := d.idPass(dst, seen, limit, false)
	if err != nil {
		return dst, err
	}
	// The second pass: the records the first one started after.
	head, err := d.idPass(tail, seen, limit, true)
	if err != nil {
		return dst, err
	}
	if n := len(head) - len(tail); n > 0 {
		// head is dst, tail, new: rotate the new ids before the tail.
		slices.Reverse(head[base:len(tail)])
		slices.Reverse(head[len(tail):])
		slices.Reverse(head[base:])
	}
	return head, nil
}

// idPass runs GET_RECORD_IDENTIFIER until InvalidID or an id in seen,
// appending the new ids to ids and to seen.
func (d *Device) idPass(ids []uint64, seen map[uint64]struct{}, limit int, second bool) ([]uint64, error) {
	for {
		id, err := d.nextID()
		if err != nil {
			return ids, fmt.Errorf("enumerate: %w", err)
		}
		if id == InvalidID {
			return ids, nil
		}
		if _, dup := seen[id]; dup {
			return ids, nil
		}
		if len(seen) >= limit {
			return ids, fmt.Errorf("enumerate: more than %d record ids: %w", limit, ErrTooManyRecords)
		}
		seen[id] = struct{}{}
		ids = append(ids, id)
	}
}
