package erst

import (
	"slices"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst/hw"
)

// Pseudo-instructions of a plan: they access no register. Instruction
// codes from 0xf0 are reserved for them (ACPI defines up to 0x12).
const (
	insSetOffset acpi.Instruction = 0xf0 + iota // Value = the record offset
	insSetID                                    // Value = the record id
	insBusy                                     // Value != 0: poll on (stillBusy)
	insStatus                                   // Value is GET_COMMAND_STATUS's
)

// A plan is a whole operation (Device.operation: BEGIN, SET_RECORD_OFFSET,
// SET_RECORD_IDENTIFIER, EXECUTE_OPERATION, the first CHECK_BUSY_STATUS,
// GET_COMMAND_STATUS, END) as one flat list of steps, for a table whose
// actions all compiled (compile). One loop runs it, where the general path
// calls Run for each of the seven actions: under TCG every call and return
// is paid for, and a write's driver time is measured against the bare
// register accesses (erst bench's floor). It does what Device.operation
// does, access for access and error for error.
type plan struct {
	steps            []step
	accesses         int // register accesses in steps (step.seq: before each)
	begin            int // steps[:begin] are BEGIN's: a failure there skips END
	end              int // steps[end:] are END's (none when the table lacks it)
	setOffset, setID bool
}

// buildPlans builds the plan of each operation that begins with BEGIN_WRITE,
// BEGIN_READ, BEGIN_CLEAR or BEGIN_DUMMY_WRITE, with the inputs the Device
// gives it; an operation whose actions did not all compile has none.
func (m *Machine) buildPlans() {
	for _, p := range []struct {
		begin            acpi.Action
		setOffset, setID bool
	}{
		{acpi.BeginWriteOperation, true, false},
		{acpi.BeginDummyWriteOperation, true, false},
		{acpi.BeginReadOperation, true, true},
		{acpi.BeginClearOperation, false, true},
	} {
		m.plans[p.begin] = m.plan(p.begin, p.setOffset, p.setID)
	}
}

func (m *Machine) plan(begin acpi.Action, setOffset, setID bool) *plan {
	p := &plan{setOffset: setOffset, setID: setID}
	add := func(a acpi.Action) bool {
		f := m.fast[a]
		if f == nil {
			return false
		}
		for _, s := range f {
			s.a, s.seq = a, int32(p.accesses)
			s.raw = (s.value & s.mask) << s.shift // WRITE_REGISTER_VALUE's
			if s.ins != acpi.Noop {
				p.accesses++
			}
			p.steps = append(p.steps, s)
		}
		return true
	}
	pseudo := func(ins acpi.Instruction) { p.steps = append(p.steps, step{ins: ins, seq: int32(p.accesses)}) }
	// check is pseudo for insBusy and insStatus, which look at the Value
	// the action leaves; when its last step is a read that sets Value,
	// the read does the check (step.stop), a loop turn less.
	check := func(ins acpi.Instruction) {
		if last := &p.steps[len(p.steps)-1]; last.ins == acpi.ReadRegister || last.ins == acpi.ReadRegisterValue {
			last.stop = ins
			return
		}
		pseudo(ins)
	}
	// input sets Value to the operation's input (insSetOffset, insSetID)
	// before action a's steps; when the first is a WRITE_REGISTER, that
	// write takes the input itself (step.input), a loop turn less.
	input := func(ins acpi.Instruction, a acpi.Action) bool {
		j := len(p.steps)
		if !add(a) {
			return false
		}
		if p.steps[j].ins == acpi.WriteRegister {
			p.steps[j].input = ins
		} else {
			p.steps = slices.Insert(p.steps, j, step{ins: ins, seq: p.steps[j].seq})
		}
		return true
	}
	// A table without the BEGIN action keeps the general path, which
	// knows whether the BEGIN is mandatory.
	if !add(begin) {
		return nil
	}
	p.begin = len(p.steps)
	if setOffset && !input(insSetOffset, acpi.SetRecordOffset) {
		return nil
	}
	if setID && !input(insSetID, acpi.SetRecordIdentifier) {
		return nil
	}
	if !add(acpi.ExecuteOperation) || !add(acpi.CheckBusyStatus) {
		return nil
	}
	check(insBusy)
	if !add(acpi.GetCommandStatus) {
		return nil
	}
	check(insStatus)
	p.end = len(p.steps)
	if m.Has(acpi.EndOperation) && !add(acpi.EndOperation) {
		return nil
	}
	return p
}

// planOf returns the plan of the operation beginning with begin for in,
// or nil. It inlines into operation.
func (m *Machine) planOf(begin acpi.Action, in *input) *plan {
	if p := m.plans[begin]; p != nil && p.setOffset == in.setOffset && p.setID == in.setID {
		return p
	}
	return nil
}

// operation runs the common part of write, read, clear and dummy write
// (Linux __erst_write_to_storage and friends): [BEGIN] → SET_RECORD_OFFSET
// → SET_RECORD_IDENTIFIER → EXECUTE_OPERATION → poll CHECK_BUSY_STATUS →
// GET_COMMAND_STATUS → [END], each SET when in asks for it. BEGIN and END
// are optional, as in Linux, except a mandatory begin. It runs the plan
// of the operation beginning with begin, with in's offset and id, as the
// general path (runActions, which it calls when there is no plan) would,
// access for access and error for error. Its loop is the driver's cost
// per access, kept close to Replay's and one call below Write and Clear
// (and read); what a run straight through does not need (a busy device,
// a status other than SUCCESS, a failed access) is out of line in
// planCheck and planFailed.
func (d *Device) operation(begin acpi.Action, beginMandatory bool, in input) error {
	m := d.m
	p := m.planOf(begin, &in)
	if p == nil {
		return d.runActions(begin, beginMandatory, in)
	}
	var v uint64 // the Regs' Value: no other register is used by a plan
	hook := m.rec != nil || m.trace != nil
	steps := p.steps
	for i := range steps {
		s := &steps[i]
		// Most steps write a constant (QEMU's write: 7 of 10): they
		// take one test, where the switch below takes three, each a
		// translation block more under TCG.
		if s.ins == acpi.WriteRegisterValue {
			v = s.value
			if err := hw.Write(s.bus, s.width, s.addr, s.raw); err != nil {
				return d.planFailed(p, v, i, int(s.seq), s.failed(s.a, err))
			}
			if hook {
				m.emit(s.a, s.ip, s.ti, true, s.width, s.raw)
			}
			continue
		}
		check := s.stop // a read's
		switch s.ins {
		case acpi.ReadRegister, acpi.ReadRegisterValue:
			raw, err := hw.Read(s.bus, s.width, s.addr)
			if err != nil {
				return d.planFailed(p, 0, i, int(s.seq), s.failed(s.a, err))
			}
			if hook {
				m.emit(s.a, s.ip, s.ti, false, s.width, raw)
			}
			v = (raw >> s.shift) & s.mask
			if s.ins == acpi.ReadRegisterValue {
				v = b2u(v == s.value)
			}
		case acpi.WriteRegister:
			switch s.input {
			case insSetOffset:
				v = in.offset
			case insSetID:
				v = in.id
			}
			w := (v & s.mask) << s.shift
			if err := hw.Write(s.bus, s.width, s.addr, w); err != nil {
				return d.planFailed(p, v, i, int(s.seq), s.failed(s.a, err))
			}
			if hook {
				m.emit(s.a, s.ip, s.ti, true, s.width, w)
			}
		case insSetOffset:
			v = in.offset
		case insSetID:
			v = in.id
		case insBusy, insStatus:
			check = s.ins
		}
		if check != 0 && v != 0 {
			var err error
			if v, err = d.planCheck(check, v); err != nil {
				made := int(s.seq)
				if s.ins < insSetOffset {
					made++ // the read that checked
				}
				return d.planFailed(p, v, i, made, err)
			}
		}
	}
	m.accesses += uint64(p.accesses)
	return nil
}

// planCheck makes the check of a plan step that found Value v other than
// 0 and returns the Value it leaves: a busy device is polled until it is
// not (nil) or the timeout; a command status other than SUCCESS is its
// error.
func (d *Device) planCheck(check acpi.Instruction, v uint64) (uint64, error) {
	if check == insBusy {
		r := Regs{Value: v}
		err := d.stillBusy(&r)
		return r.Value, err
	}
	return v, commandStatus(v)
}

// planFailed ends a plan that failed at step i with err, Value v, after
// made of its register accesses: END runs on failure, as on the general
// path (runActions), unless the failure was in BEGIN or in END itself.
func (d *Device) planFailed(p *plan, v uint64, i, made int, err error) error {
	m := d.m
	m.accesses += uint64(made)
	if i >= p.begin && i < p.end && m.Has(acpi.EndOperation) {
		// Its own failure does not matter.
		_ = m.Run(acpi.EndOperation, &Regs{Value: v})
	}
	return err
}
