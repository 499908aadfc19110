package erst

import (
	"fmt"
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
// or nil. It inlines: the callers on the hot path (write, read, clear)
// call runPlan themselves, a call level less under TCG.
func (m *Machine) planOf(begin acpi.Action, in *input) *plan {
	if p := m.plans[begin]; p != nil && p.setOffset == in.setOffset && p.setID == in.setID {
		return p
	}
	return nil
}

// runPlan runs p with in's offset and id, as Device.operation would.
// Its own work is what a run straight through needs (the common case:
// runSteps stops only at the end, a failed access, a busy device or a
// status other than SUCCESS); planRest takes over from any other stop.
func (d *Device) runPlan(p *plan, in *input) error {
	var r Regs
	i, err := d.m.runSteps(p.steps, 0, &r, in)
	if err == nil && i == len(p.steps) {
		d.m.accesses += uint64(p.accesses)
		return nil
	}
	return d.planRest(p, in, &r, i, err)
}

// planRest goes on with a plan that runSteps stopped at i, short of its
// end, with err (a failed access) or on a check to make.
func (d *Device) planRest(p *plan, in *input, r *Regs, i int, err error) error {
	m := d.m
	made := p.accesses // the accesses made, when all went well
	for {
		if err != nil {
			made = int(p.steps[i].seq) // the access at i failed
			break
		}
		if i == len(p.steps) {
			break
		}
		s := &p.steps[i]
		k := s.ins
		if k < insSetOffset {
			k = s.stop // a read that checks
		}
		switch k {
		case insBusy:
			err = d.stillBusy(r)
		case insStatus:
			err = commandStatus(r.Value)
		}
		if err != nil {
			made = int(s.seq)
			if s.ins < insSetOffset {
				made++ // the read that checked
			}
			break
		}
		i, err = m.runSteps(p.steps, i+1, r, in)
	}
	m.accesses += uint64(made)
	switch {
	case err == nil || i < p.begin || i >= p.end:
		// Done; or BEGIN failed (no END); or END did, after success.
		return err
	case m.Has(acpi.EndOperation):
		// END runs on failure too; its own failure does not matter.
		_ = m.Run(acpi.EndOperation, r)
	}
	return err
}

// runSteps runs steps from i on and returns the index where it stopped:
// the end, an access that failed, or insBusy or insStatus (a pseudo-step
// or a read's stop) with a Value other than 0 (busy; not SUCCESS), which
// the caller handles. It leaves
// the counting of the accesses to its caller (step.seq): this loop is
// the driver's cost per access, kept close to what Replay's costs.
func (m *Machine) runSteps(steps []step, i int, r *Regs, in *input) (int, error) {
	hook := m.rec != nil || m.trace != nil
	for ; i < len(steps); i++ {
		s := &steps[i]
		// Most steps write a constant (QEMU's write: 7 of 10): they
		// take one test, where the switch below takes three, each a
		// translation block more under TCG.
		if s.ins == acpi.WriteRegisterValue {
			r.Value = s.value
			if err := hw.Write(s.bus, s.width, s.addr, s.raw); err != nil {
				return i, fmt.Errorf("%v[%d] (entry %d, %v): %w", s.a, s.ip, s.ti, s.ins, err)
			}
			if hook {
				m.emit(s.a, s.ip, s.ti, true, s.width, s.raw)
			}
			continue
		}
		switch s.ins {
		case acpi.ReadRegister, acpi.ReadRegisterValue:
			raw, err := hw.Read(s.bus, s.width, s.addr)
			if err != nil {
				r.Value = 0
				return i, fmt.Errorf("%v[%d] (entry %d, %v): %w", s.a, s.ip, s.ti, s.ins, err)
			}
			if hook {
				m.emit(s.a, s.ip, s.ti, false, s.width, raw)
			}
			v := (raw >> s.shift) & s.mask
			if s.ins == acpi.ReadRegisterValue {
				v = b2u(v == s.value)
			}
			r.Value = v
			if v != 0 && s.stop != 0 {
				return i, nil
			}
		case acpi.WriteRegister:
			switch s.input {
			case insSetOffset:
				r.Value = in.offset
			case insSetID:
				r.Value = in.id
			}
			v := (r.Value & s.mask) << s.shift
			if err := hw.Write(s.bus, s.width, s.addr, v); err != nil {
				return i, fmt.Errorf("%v[%d] (entry %d, %v): %w", s.a, s.ip, s.ti, s.ins, err)
			}
			if hook {
				m.emit(s.a, s.ip, s.ti, true, s.width, v)
			}
		case insSetOffset:
			r.Value = in.offset
		case insSetID:
			r.Value = in.id
		case insBusy, insStatus:
			if r.Value != 0 {
				return i, nil
			}
		}
	}
	return i, nil
}
