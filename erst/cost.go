package erst

import (
	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/internal/enum"
)

// Operation names one of the driver's operations, for MinAccesses.
type Operation uint8

// The driver's operations.
const (
	OpWrite      Operation = iota // Write
	OpRead                        // Read, ReadInto
	OpClear                       // Clear
	OpDummyWrite                  // DummyWrite
	OpCount                       // Count
	OpNextID                      // NextID: one GET_RECORD_IDENTIFIER; IDs makes records+2 of them
)

var opNames = []string{"write", "read", "clear", "dummy-write", "count", "next-id"}

// String returns the operation's name as erst bench prints it.
func (o Operation) String() string { return enum.Name(opNames, o, "Operation") }

// MinAccesses returns the fewest register accesses op can make with this
// table: the sum, over the actions the driver runs for it (see operation),
// of the fewest each action's instructions allow, with one busy poll. It
// is false when the table lacks an action op needs or one of them holds
// an instruction of unknown cost ([Machine.MinAccesses]). On hardware every
// register access is a VM exit or a bus transaction, so this is the
// floor the table sets; erst bench reports it beside what the driver did.
func (d *Device) MinAccesses(op Operation) (int, bool) {
	m := d.m
	seq := func(begin acpi.Action, beginMandatory bool, in input) (int, bool) {
		var acts []acpi.Action
		if beginMandatory || m.Has(begin) {
			acts = append(acts, begin)
		}
		if in.setOffset {
			acts = append(acts, acpi.SetRecordOffset)
		}
		if in.setID {
			acts = append(acts, acpi.SetRecordIdentifier)
		}
		acts = append(acts, acpi.ExecuteOperation, acpi.CheckBusyStatus, acpi.GetCommandStatus)
		if m.Has(acpi.EndOperation) {
			acts = append(acts, acpi.EndOperation)
		}
		n := 0
		for _, a := range acts {
			k, ok := m.MinAccesses(a)
			if !ok {
				return 0, false
			}
			n += k
		}
		return n, true
	}
	switch op {
	case OpWrite:
		return seq(acpi.BeginWriteOperation, false, offsetInput(0))
	case OpRead:
		return seq(acpi.BeginReadOperation, false, readInput(0, 0))
	case OpClear:
		return seq(acpi.BeginClearOperation, false, idInput(0))
	case OpDummyWrite:
		return seq(acpi.BeginDummyWriteOperation, true, offsetInput(0))
	case OpCount:
		return m.MinAccesses(acpi.GetRecordCount)
	case OpNextID:
		return m.MinAccesses(acpi.GetRecordIdentifier)
	}
	return 0, false
}

// accessCost returns the register accesses instruction e makes when it
// runs (STALL_WHILE_TRUE: its first read, which may be its last), and
// false for an instruction the spec does not define, whose cost is
// unknown: counting it as none would lower the floor.
func accessCost(e *acpi.Entry) (int, bool) {
	n := 0
	switch e.Instruction {
	case acpi.ReadRegister, acpi.ReadRegisterValue, acpi.LoadVar1, acpi.LoadVar2,
		acpi.SetSrcAddressBase, acpi.SetDstAddressBase, acpi.MoveData,
		acpi.SkipNextInstructionIfTrue, acpi.StallWhileTrue:
		n = 1
	case acpi.WriteRegister, acpi.WriteRegisterValue, acpi.StoreVar1:
		n = 1
	case acpi.AddValue, acpi.SubtractValue:
		n = 2
	case acpi.Noop, acpi.Add, acpi.Subtract, acpi.Stall, acpi.Goto:
		// no register access
	default:
		return 0, false
	}
	if e.Preserve() && (e.Instruction == acpi.WriteRegister || e.Instruction == acpi.WriteRegisterValue ||
		e.Instruction == acpi.StoreVar1 || e.Instruction == acpi.AddValue || e.Instruction == acpi.SubtractValue) {
		n++ // the read-back of a PRESERVE_REGISTER write
	}
	return n, true
}

// MinAccesses returns the fewest register accesses one Run of action a
// can make: the cheapest path from its first instruction to its end, where
// SKIP_NEXT_INSTRUCTION_IF_TRUE may or may not skip and GOTO, whose target
// is the running value, may land anywhere in the action or past its end.
// It is false when the table has no entries for a, or one of them holds
// an instruction the spec does not define (its cost is unknown).
func (m *Machine) MinAccesses(a acpi.Action) (int, bool) {
	idx := m.byAction[a]
	n := len(idx)
	if n == 0 {
		return 0, false
	}
	cost := make([]int, n)
	for ip, i := range idx {
		c, ok := accessCost(&m.entries[i])
		if !ok {
			return 0, false
		}
		cost[ip] = c
	}
	// dist[ip]: the fewest accesses from ip to the end (ip == n); the
	// graph is small, so relax until nothing changes (Bellman-Ford).
	const inf = int(^uint(0) >> 1)
	dist := make([]int, n+1)
	for i := range n {
		dist[i] = inf
	}
	for changed := true; changed; {
		changed = false
		for ip := n - 1; ip >= 0; ip-- {
			e := &m.entries[idx[ip]]
			best := dist[min(ip+1, n)]
			switch e.Instruction {
			case acpi.SkipNextInstructionIfTrue:
				best = min(best, dist[min(ip+2, n)])
			case acpi.Goto:
				best = 0 // the running value may point past the end
			}
			if best == inf {
				continue
			}
			if d := cost[ip] + best; d < dist[ip] {
				dist[ip], changed = d, true
			}
		}
	}
	return dist[0], true
}
