package erst

import (
	"errors"
	"fmt"
	"time"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst/hw"
)

// Linux's limits (drivers/acpi/apei/erst.c).
const (
	// SpinUnit is the busy-poll delay between CHECK_BUSY_STATUS runs
	// (Linux SPIN_UNIT, 100 ns).
	SpinUnit = 100 * time.Nanosecond
	// DefaultTimeout bounds a busy poll and a STALL_WHILE_TRUE loop
	// (Linux FIRMWARE_TIMEOUT, 1 ms).
	DefaultTimeout = time.Millisecond
	// MaxStall is the longest STALL or STALL_WHILE_TRUE unit Linux honours
	// (FIRMWARE_MAX_STALL, 50 µs); longer values are clamped.
	MaxStall = 50 * time.Microsecond
	// DefaultStepBudget bounds the instructions one action may execute,
	// so that a GOTO cycle ends with ErrStepBudget instead of hanging.
	DefaultStepBudget = 1 << 16
)

// Regs is the interpreter's register file (Linux struct apei_exec_context).
// Value carries an action's input and output and persists, like var1,
// var2 and the address bases, across the actions of one operation.
type Regs struct {
	Value, Var1, Var2 uint64
	SrcBase, DstBase  uint64
}

// TraceEvent describes one register access, for -trace.
type TraceEvent struct {
	Action      acpi.Action
	Index       int // per-action instruction index
	Entry       int // index in the table
	Instruction acpi.Instruction
	Write       bool
	Register    acpi.GAS
	Width       int    // access width in bits actually used
	Raw         uint64 // the value read or written on the bus
}

// Machine runs a table's serialization instructions (ACPI 6.5 §18.5.1)
// with the semantics of Linux's apei-base.c and erst.c. It holds no
// operation state beyond its configuration; [Regs] belong to the caller.
type Machine struct {
	entries  []acpi.Entry
	byAction [256][]int // table indexes of each action's entries, in order
	mem, io  hw.Bus
	clock    hw.Clock
	timeout  time.Duration
	budget   int
	trace    func(TraceEvent)
	rec      *[]RecordedAccess // Device.Record: every access is appended
	accesses uint64            // register accesses made (Device.Accesses)
	regs     []register        // per entry: its register resolved once
	fast     [256][]step       // straight-line actions, compiled (compile)
	plans    [256]*plan        // operations made of compiled actions (buildPlans)

	// moveRange bounds MOVE_DATA: both source and destination must lie
	// inside it. Empty until the error log address range is known.
	moveRange []byte
	moveBase  uint64
}

// newMachine prepares t for execution on p. It does not validate the
// table; Open does that.
func newMachine(t *acpi.ERST, p hw.Platform, clock hw.Clock) *Machine {
	m := &Machine{entries: t.Entries, clock: clock, timeout: DefaultTimeout, budget: DefaultStepBudget}
	for i, e := range t.Entries {
		m.byAction[e.Action] = append(m.byAction[e.Action], i)
	}
	// A platform without one of the spaces answers ErrSpace on use.
	m.mem, _ = p.Bus(acpi.SystemMemory)
	m.io, _ = p.Bus(acpi.SystemIO)
	m.resolve()
	m.compile()
	return m
}

// step is one instruction of a straight-line action, with everything an
// access needs resolved: Run executes such an action as a flat loop.
type step struct {
	a           acpi.Action      // in plans: the action
	seq         int32            // in plans: the accesses before this step
	raw         uint64           // in plans: what WRITE_REGISTER_VALUE writes
	stop        acpi.Instruction // in plans: a read's check (insBusy, insStatus)
	input       acpi.Instruction // in plans: a write's input (insSetOffset, insSetID)
	ins         acpi.Instruction
	bus         hw.Bus
	width       int
	addr        uint64
	value, mask uint64
	shift       uint8
	ip, ti      int
}

// compile builds the flat form of every action made only of
// READ_REGISTER, READ_REGISTER_VALUE, WRITE_REGISTER, WRITE_REGISTER_VALUE
// (without PRESERVE_REGISTER) and NOOP on registers that resolved, which
// is every action of QEMU's table: no GOTO or SKIP can reorder them, so
// running them in order is exactly what Run's general loop would do,
// without its per-instruction dispatch.
func (m *Machine) compile() {
	for a := range m.byAction {
		m.fast[a] = nil
		idx := m.byAction[a]
		if len(idx) == 0 {
			continue
		}
		steps := make([]step, 0, len(idx))
		for ip, ti := range idx {
			e := &m.entries[ti]
			switch e.Instruction {
			case acpi.ReadRegister, acpi.ReadRegisterValue, acpi.WriteRegister, acpi.WriteRegisterValue, acpi.Noop:
			default:
				steps = nil
			}
			r := &m.regs[ti]
			if steps == nil || e.Preserve() || (e.Instruction != acpi.Noop && r.err != nil) {
				steps = nil
				break
			}
			steps = append(steps, step{ins: e.Instruction, bus: r.bus, width: r.width, addr: e.Register.Address,
				value: e.Value, mask: e.Mask, shift: e.Register.BitOffset, ip: ip, ti: ti})
		}
		m.fast[a] = steps
	}
	m.buildPlans()
}

// runFast executes a compiled action (see compile).
func (m *Machine) runFast(a acpi.Action, steps []step, r *Regs) error {
	for i := range steps {
		s := &steps[i]
		var err error
		switch s.ins {
		case acpi.ReadRegister, acpi.ReadRegisterValue:
			var raw uint64
			raw, err = hw.Read(s.bus, s.width, s.addr)
			if err != nil {
				r.Value = 0
				break
			}
			m.accesses++
			if m.rec != nil || m.trace != nil {
				m.emit(a, s.ip, s.ti, false, s.width, raw)
			}
			v := (raw >> s.shift) & s.mask
			if s.ins == acpi.ReadRegisterValue {
				v = b2u(v == s.value)
			}
			r.Value = v
		case acpi.WriteRegister, acpi.WriteRegisterValue:
			if s.ins == acpi.WriteRegisterValue {
				r.Value = s.value
			}
			v := (r.Value & s.mask) << s.shift
			if err = hw.Write(s.bus, s.width, s.addr, v); err == nil {
				m.accesses++
				if m.rec != nil || m.trace != nil {
					m.emit(a, s.ip, s.ti, true, s.width, v)
				}
			}
		}
		if err != nil {
			return s.failed(a, err)
		}
	}
	return nil
}

// failed wraps err, the failure of s, a step of action a. It is out of
// line so that the loops that run steps (runFast, operation) keep a small
// frame: the formatting of five values took most of the plan loop's stack.
//
//go:noinline
func (s *step) failed(a acpi.Action, err error) error {
	return fmt.Errorf("%v[%d] (entry %d, %v): %w", a, s.ip, s.ti, s.ins, err)
}

// resolve computes each entry's register (the buses must be set), which
// compile then builds the flat forms from.
func (m *Machine) resolve() {
	m.regs = make([]register, len(m.entries))
	for i := range m.entries {
		r := &m.regs[i]
		if r.width, r.err = AccessWidth(m.entries[i].Register); r.err == nil {
			r.bus, r.err = m.bus(m.entries[i].Register.Space)
		}
	}
}

// register is an entry's register as the interpreter accesses it: the
// access width (AccessWidth) and the bus, resolved once at Open rather
// than at every access, or the error using it gives.
type register struct {
	bus   hw.Bus
	width int
	err   error
}

// Has reports whether the table implements action a.
func (m *Machine) Has(a acpi.Action) bool { return len(m.byAction[a]) > 0 }

// Run executes action a with r as the register file, following Linux's
// __apei_exec_run: the instruction pointer counts only a's entries, in
// table order; GOTO and SKIP set it, every other instruction advances it;
// execution ends when it points past the last entry. An action with no
// entries gives [ErrMissingAction]. A run that executes more than the step
// budget gives [ErrStepBudget].
func (m *Machine) Run(a acpi.Action, r *Regs) error {
	if f := m.fast[a]; f != nil {
		return m.runFast(a, f, r)
	}
	idx := m.byAction[a]
	if len(idx) == 0 {
		return fmt.Errorf("%v: %w", a, ErrMissingAction)
	}
	steps := 0
	for ip := 0; ip >= 0 && ip < len(idx); {
		if steps >= m.budget {
			return fmt.Errorf("%v: %d instructions executed without ending (a GOTO cycle?): %w", a, steps, ErrStepBudget)
		}
		steps++
		next, err := m.exec(a, ip, idx[ip], r)
		if err != nil {
			return err
		}
		ip = next
	}
	return nil
}

// exec runs the entry at table index ti (per-action index ip) and returns
// the next ip.
func (m *Machine) exec(a acpi.Action, ip, ti int, r *Regs) (int, error) {
	e := &m.entries[ti]
	var err error
	switch e.Instruction {
	case acpi.ReadRegister:
		r.Value, err = m.read(a, ip, ti)
	case acpi.ReadRegisterValue:
		var v uint64
		if v, err = m.read(a, ip, ti); err == nil {
			r.Value = b2u(v == e.Value)
		}
	case acpi.WriteRegister:
		err = m.write(a, ip, ti, r.Value)
	case acpi.WriteRegisterValue:
		r.Value = e.Value
		err = m.write(a, ip, ti, r.Value)
	case acpi.Noop:
	case acpi.LoadVar1:
		r.Var1, err = m.read(a, ip, ti)
	case acpi.LoadVar2:
		r.Var2, err = m.read(a, ip, ti)
	case acpi.StoreVar1:
		err = m.write(a, ip, ti, r.Var1)
	case acpi.Add:
		r.Var1 += r.Var2
	case acpi.Subtract:
		r.Var1 -= r.Var2
	case acpi.AddValue, acpi.SubtractValue:
		var v uint64
		if v, err = m.read(a, ip, ti); err == nil {
			if e.Instruction == acpi.AddValue {
				v += r.Value
			} else {
				v -= r.Value
			}
			err = m.write(a, ip, ti, v)
		}
	case acpi.Stall:
		// Linux erst_exec_stall: the running Value, not the entry's, in µs.
		m.clock.Sleep(stallUnit(r.Value))
	case acpi.StallWhileTrue:
		err = m.stallWhileTrue(a, ip, ti, r)
	case acpi.SkipNextInstructionIfTrue:
		var v uint64
		if v, err = m.read(a, ip, ti); err == nil && v == r.Value {
			return ip + 2, nil
		}
	case acpi.Goto:
		// Linux apei_exec_goto: the target is the running Value, stored
		// in ctx->ip, a u32: the high 32 bits are dropped.
		t := uint64(uint32(r.Value))
		if t >= uint64(len(m.byAction[a])) {
			return -1, nil // past the end: the action ends, as in Linux
		}
		return int(t), nil
	case acpi.SetSrcAddressBase:
		r.SrcBase, err = m.read(a, ip, ti)
	case acpi.SetDstAddressBase:
		r.DstBase, err = m.read(a, ip, ti)
	case acpi.MoveData:
		err = m.moveData(a, ip, ti, r)
	default:
		return 0, fmt.Errorf("%v[%d] (entry %d, %v): unknown instruction type %#x: %w", a, ip, ti, e.Instruction, uint8(e.Instruction), ErrInvalidTable)
	}
	if err != nil {
		return 0, fmt.Errorf("%v[%d] (entry %d, %v): %w", a, ip, ti, e.Instruction, err)
	}
	return ip + 1, nil
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// stallUnit converts a STALL time in µs to a duration clamped to MaxStall
// (Linux FIRMWARE_MAX_STALL).
func stallUnit(us uint64) time.Duration {
	if us > uint64(MaxStall/time.Microsecond) {
		return MaxStall
	}
	return time.Duration(us) * time.Microsecond
}

// stallWhileTrue follows Linux erst_exec_stall_while_true: read the
// register until it differs from Value, waiting Var1 µs (clamped) between
// reads, for at most the timeout. Linux would spin for ever with Var1 = 0;
// we wait at least SpinUnit so the timeout always ends the loop.
func (m *Machine) stallWhileTrue(a acpi.Action, ip, ti int, r *Regs) error {
	unit := max(stallUnit(r.Var1), SpinUnit)
	start := m.clock.Now()
	for {
		// As in waitNotBusy: the deadline is read before the read that
		// fails the action, so a preempted process reads once more.
		expired := m.clock.Now().Sub(start) >= m.timeout
		v, err := m.read(a, ip, ti)
		if err != nil {
			return err
		}
		if v != r.Value {
			return nil
		}
		if expired {
			return fmt.Errorf("register still %#x after %v: %w", v, m.timeout, ErrTimeout)
		}
		m.clock.Sleep(unit)
	}
}

// moveData follows Linux erst_exec_move_data: copy Var2 bytes from
// SrcBase+offset to DstBase+offset, where offset is the register's value.
// Unlike Linux, both ends must lie inside the error log address range.
func (m *Machine) moveData(a acpi.Action, ip, ti int, r *Regs) error {
	off, err := m.read(a, ip, ti)
	if err != nil {
		return err
	}
	n := r.Var2
	src, err := m.rangeSlice(r.SrcBase, off, n)
	if err != nil {
		return fmt.Errorf("MOVE_DATA source: %w", err)
	}
	dst, err := m.rangeSlice(r.DstBase, off, n)
	if err != nil {
		return fmt.Errorf("MOVE_DATA destination: %w", err)
	}
	copy(dst, src) // copy handles overlap like memmove
	return nil
}

func (m *Machine) rangeSlice(base, off, n uint64) ([]byte, error) {
	addr := base + off
	size := uint64(len(m.moveRange))
	if addr < base || addr < m.moveBase || addr-m.moveBase > size || n > size-(addr-m.moveBase) {
		return nil, fmt.Errorf("%d bytes at %#x not inside [%#x, +%#x): %w", n, addr, m.moveBase, size, ErrOutOfRange)
	}
	s := addr - m.moveBase
	return m.moveRange[s : s+n], nil
}

// AccessWidth returns the access width in bits Linux uses for g
// (apei_check_gar), including its fix-up of the common BIOS bug: a 32- or
// 64-bit register at offset 0, naturally aligned, declared with a smaller
// access size, is accessed at its full width. It fails for an address of
// 0, an access size outside 1..4, bit width + offset wider than the
// access, or a space other than SystemMemory and SystemIO.
func AccessWidth(g acpi.GAS) (int, error) {
	if g.Address == 0 {
		return 0, fmt.Errorf("address 0: %w", ErrInvalidGAS)
	}
	w := g.AccessSize.Bits()
	if w == 0 {
		return 0, fmt.Errorf("access size %d not in 1..4: %w", uint8(g.AccessSize), ErrInvalidGAS)
	}
	switch {
	case g.BitWidth == 32 && g.BitOffset == 0 && g.Address&3 == 0 && w < 32:
		w = 32
	case g.BitWidth == 64 && g.BitOffset == 0 && g.Address&7 == 0 && w < 64:
		w = 64
	}
	if int(g.BitWidth)+int(g.BitOffset) > w {
		return 0, fmt.Errorf("bit width %d + offset %d wider than the %d-bit access: %w", g.BitWidth, g.BitOffset, w, ErrInvalidGAS)
	}
	if g.Space != acpi.SystemMemory && g.Space != acpi.SystemIO {
		return 0, fmt.Errorf("address space %v: %w", g.Space, ErrInvalidGAS)
	}
	return w, nil
}

func (m *Machine) bus(s acpi.AddressSpace) (hw.Bus, error) {
	var b hw.Bus
	switch s {
	case acpi.SystemMemory:
		b = m.mem
	case acpi.SystemIO:
		b = m.io
	}
	if b == nil {
		return nil, fmt.Errorf("%v: %w", s, hw.ErrSpace)
	}
	return b, nil
}

// read is Linux __apei_exec_read_register: one access at the (fixed-up)
// width, then >> BitOffset, then & Mask.
func (m *Machine) read(a acpi.Action, ip, ti int) (uint64, error) {
	e := &m.entries[ti]
	raw, w, err := m.rawRead(ti)
	if err != nil {
		return 0, err
	}
	m.accesses++
	if m.rec != nil || m.trace != nil {
		m.emit(a, ip, ti, false, w, raw)
	}
	return (raw >> e.Register.BitOffset) & e.Mask, nil
}

func (m *Machine) rawRead(ti int) (uint64, int, error) {
	r := &m.regs[ti]
	if r.err != nil {
		return 0, 0, r.err
	}
	v, err := hw.Read(r.bus, r.width, m.entries[ti].Register.Address)
	return v, r.width, err
}

// write is Linux __apei_exec_write_register: v & Mask, << BitOffset; with
// PRESERVE_REGISTER the bits outside Mask<<BitOffset are read back first
// and kept.
func (m *Machine) write(a acpi.Action, ip, ti int, v uint64) error {
	e := &m.entries[ti]
	r := &m.regs[ti]
	if r.err != nil {
		return r.err
	}
	b, w := r.bus, r.width
	v = (v & e.Mask) << e.Register.BitOffset
	if e.Preserve() {
		old, err := hw.Read(b, w, e.Register.Address)
		if err != nil {
			return err
		}
		m.accesses++
		if m.rec != nil || m.trace != nil {
			m.emit(a, ip, ti, false, w, old)
		}
		v |= old &^ (e.Mask << e.Register.BitOffset)
	}
	if err := hw.Write(b, w, e.Register.Address, v); err != nil {
		return err
	}
	m.accesses++
	if m.rec != nil || m.trace != nil {
		m.emit(a, ip, ti, true, w, v)
	}
	return nil
}

func (m *Machine) emit(a acpi.Action, ip, ti int, write bool, w int, raw uint64) {
	if m.rec != nil {
		g := &m.entries[ti].Register
		*m.rec = append(*m.rec, RecordedAccess{Space: g.Space, Addr: g.Address, Width: w, Write: write, Value: raw})
	}
	if m.trace == nil {
		return
	}
	e := &m.entries[ti]
	if w < 64 {
		raw &= 1<<w - 1
	}
	m.trace(TraceEvent{Action: a, Index: ip, Entry: ti, Instruction: e.Instruction, Write: write, Register: e.Register, Width: w, Raw: raw})
}

// checkTable applies Linux's checks (erst_check_table, and apei_check_gar
// plus the instruction check of apei_exec_collect_resources on every
// entry): a table failing them is one Linux refuses to use.
func checkTable(t *acpi.ERST) error {
	var errs []error
	if t.HeaderLength != acpi.ERSTHeaderSize && t.HeaderLength != acpi.ERSTHeaderSize-acpi.HeaderSize {
		errs = append(errs, fmt.Errorf("serialization header length %d is neither 48 nor 12", t.HeaderLength))
	}
	if t.Header.Length < acpi.ERSTHeaderSize {
		errs = append(errs, fmt.Errorf("table length %d < 48", t.Header.Length))
	} else if want := (t.Header.Length - acpi.ERSTHeaderSize) / acpi.EntrySize; t.EntryCount != want {
		errs = append(errs, fmt.Errorf("entry count %d but length %d holds %d entries", t.EntryCount, t.Header.Length, want))
	}
	for i, e := range t.Entries {
		if !e.Instruction.Known() {
			errs = append(errs, fmt.Errorf("entry %d (%v): unknown instruction type %#x", i, e.Action, uint8(e.Instruction)))
			continue
		}
		if e.Instruction.AccessesRegister() {
			if _, err := AccessWidth(e.Register); err != nil {
				errs = append(errs, fmt.Errorf("entry %d (%v %v): %w", i, e.Action, e.Instruction, err))
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: %w", ErrInvalidTable, errors.Join(errs...))
	}
	return nil
}
