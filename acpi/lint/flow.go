package lint

import (
	"fmt"
	"sort"
	"strings"

	"github.com/goerst/erst/acpi"
)

// An action's instructions are its entries in table order; GOTO targets
// and SKIP counts index that list (ACPI 6.5 §18.5.1; Linux
// __apei_exec_run). Two readings of the instructions differ:
//
//   - ACPI: STALL waits Value µs, STALL_WHILE_TRUE and
//     SKIP_NEXT_INSTRUCTION_IF_TRUE compare the register with Value, GOTO
//     jumps to instruction Value, ADD_VALUE/SUBTRACT_VALUE add or subtract
//     Value.
//   - Linux: all of these use the running value ctx->value instead, which
//     the caller's input sets, READ_REGISTER overwrites with what it read,
//     READ_REGISTER_VALUE with 0 or 1, and WRITE_REGISTER_VALUE with its
//     Value.
//
// sequence checks one action under both readings.
func (c *checker) sequence(a acpi.Action, idx []int) {
	n := len(idx)
	hasGoto := false
	setter := -1 // the last instruction so far that set the running value
	for p, i := range idx {
		e := &c.t.Entries[i]
		if e.Instruction == acpi.Goto {
			hasGoto = true
			if e.Value >= uint64(n) {
				c.add(CodeGotoTarget, i,
					"%s: GOTO target %d (its Value) is outside %v, whose %d instructions are numbered 0..%d (only this action's entries count, in table order). "+
						"ACPI leaves such a jump undefined (Linux, which jumps to the running value instead, ends the action when that is past the end). Point the GOTO at an instruction of the action.",
					c.where(i), e.Value, a, n, n-1)
			}
		}
		if usesRunningValue(e.Instruction) {
			c.runningValue(a, idx, p, setter)
		}
		switch e.Instruction {
		case acpi.WriteRegisterValue, acpi.ReadRegister, acpi.ReadRegisterValue:
			setter = p
		}
	}
	if hasGoto {
		c.loops(a, idx)
	}
}

func usesRunningValue(in acpi.Instruction) bool {
	switch in {
	case acpi.Stall, acpi.StallWhileTrue, acpi.SkipNextInstructionIfTrue, acpi.Goto, acpi.AddValue, acpi.SubtractValue:
		return true
	}
	return false
}

// runningValue reports an instruction that Linux feeds from the running
// value when, reached straight through the action, that value is not the
// entry's Value. setter is the instruction before p that last set the
// value, or -1.
func (c *checker) runningValue(a acpi.Action, idx []int, p, setter int) {
	i := idx[p]
	e := &c.t.Entries[i]
	known, v, desc := straightValue(c.t, a, idx, setter)
	if known && v == e.Value {
		return
	}
	var acpiDoes, linuxDoes, so string
	switch e.Instruction {
	case acpi.Stall:
		acpiDoes = fmt.Sprintf("stalls for Value = %d µs", e.Value)
		linuxDoes = "stalls for the running value (at most 50 µs)"
		if known {
			so = fmt.Sprintf(", so Linux stalls for %d µs", min(v, FirmwareMaxStall))
		}
	case acpi.StallWhileTrue:
		acpiDoes = fmt.Sprintf("waits while the register equals Value 0x%X", e.Value)
		linuxDoes = "waits while it equals the running value (for at most 1 ms, then the operation fails with -EIO)"
	case acpi.SkipNextInstructionIfTrue:
		acpiDoes = fmt.Sprintf("skips the next instruction when the register equals Value 0x%X", e.Value)
		linuxDoes = "compares the register with the running value"
	case acpi.Goto:
		acpiDoes = fmt.Sprintf("jumps to instruction Value = %d", e.Value)
		linuxDoes = "jumps to the running value"
		if known {
			t := uint64(uint32(v)) // ctx->ip is a u32
			so = fmt.Sprintf(", so Linux jumps to instruction %d", t)
			if t >= uint64(len(idx)) {
				so += ", past the action's end, and so ends the action"
			}
		}
	case acpi.AddValue:
		acpiDoes = fmt.Sprintf("adds Value 0x%X to the register", e.Value)
		linuxDoes = "adds the running value"
	case acpi.SubtractValue:
		acpiDoes = fmt.Sprintf("subtracts Value 0x%X from the register", e.Value)
		linuxDoes = "subtracts the running value"
	}
	c.add(CodeRunningValue, i,
		"%s: ACPI says this %s, but Linux %s instead (erst.c uses ctx->value); here that is %s%s. "+
			"To make both agree, put a WRITE_REGISTER_VALUE with Value 0x%X (to a harmless register) right before this entry.",
		c.where(i), acpiDoes, linuxDoes, desc, so, e.Value)
}

// straightValue is Linux's running value after instruction setter of
// action a (a WRITE_REGISTER_VALUE, READ_REGISTER or READ_REGISTER_VALUE),
// or, for setter -1, the action's input. known says whether the value is
// a constant.
func straightValue(t *acpi.ERST, a acpi.Action, idx []int, setter int) (known bool, v uint64, desc string) {
	if setter >= 0 {
		e := &t.Entries[idx[setter]]
		switch e.Instruction {
		case acpi.WriteRegisterValue:
			return true, e.Value, fmt.Sprintf("0x%X, set by entry %d's WRITE_REGISTER_VALUE", e.Value, idx[setter])
		case acpi.ReadRegister:
			return false, 0, fmt.Sprintf("whatever entry %d's READ_REGISTER reads", idx[setter])
		default:
			return false, 0, fmt.Sprintf("0 or 1, the outcome of entry %d's READ_REGISTER_VALUE", idx[setter])
		}
	}
	switch a {
	case acpi.SetRecordOffset:
		return true, 0, "0, the record offset Linux always passes"
	case acpi.SetRecordIdentifier:
		return false, 0, "the id of the record being read or cleared"
	}
	return false, 0, "whatever the previous action left in it (nothing Linux sets; for the first action of an operation it is not even initialised)"
}

// Limits on the Linux-reading state space of one action. Real actions
// have a handful of instructions; these only stop adversarial tables.
const (
	maxStates = 1 << 16
	maxEdges  = 1 << 20
)

// loops reports an action that can get stuck: reach an instruction from
// which it can never end, under either reading.
func (c *checker) loops(a acpi.Action, idx []int) {
	n := len(idx)
	entry := func(ip int) *acpi.Entry { return &c.t.Entries[idx[ip]] }

	// ACPI reading: the state is the instruction pointer; n is the end.
	spec := newGraph(n)
	spec.explore(0, func(ip int, emit func(int)) {
		if ip == n {
			return
		}
		switch e := entry(ip); e.Instruction {
		case acpi.Goto:
			emit(int(min(e.Value, uint64(n))))
		case acpi.SkipNextInstructionIfTrue:
			emit(ip + 1)
			emit(min(ip+2, n))
		default:
			emit(ip + 1)
		}
	})
	specStuck := -1 // the first stuck GOTO, by instruction
	for _, s := range spec.stuck() {
		if entry(s).Instruction == acpi.Goto && (specStuck < 0 || s < specStuck) {
			specStuck = s
		}
	}

	// Linux reading: the state is the instruction pointer and the running
	// value, a constant or opaque (read from hardware, or the input).
	type state struct {
		ip    int
		known bool
		v     uint64
	}
	ids := map[state]int{}
	var states []state
	id := func(s state) int {
		if s.ip == n {
			s = state{ip: n} // one end state
		}
		if k, ok := ids[s]; ok {
			return k
		}
		ids[s] = len(states)
		states = append(states, s)
		return len(states) - 1
	}
	start := state{}
	if a == acpi.SetRecordOffset {
		start = state{known: true} // Linux always passes offset 0
	}
	end := id(state{ip: n})
	linux := newGraph(end)
	tooBig := !linux.explore(id(start), func(k int, emit func(int)) {
		s := states[k]
		if s.ip == n {
			return
		}
		next := func(ip int, known bool, v uint64) { emit(id(state{min(ip, n), known, v})) }
		switch e := entry(s.ip); e.Instruction {
		case acpi.ReadRegister:
			next(s.ip+1, false, 0)
		case acpi.ReadRegisterValue:
			next(s.ip+1, true, 0)
			next(s.ip+1, true, 1)
		case acpi.WriteRegisterValue:
			next(s.ip+1, true, e.Value)
		case acpi.SkipNextInstructionIfTrue:
			next(s.ip+1, s.known, s.v)
			next(s.ip+2, s.known, s.v)
		case acpi.Goto:
			if s.known {
				next(int(min(uint64(uint32(s.v)), uint64(n))), true, s.v)
				break
			}
			for t := 0; t <= n; t++ { // unknown target: anywhere, or the end
				next(t, false, s.v)
			}
		default:
			next(s.ip+1, s.known, s.v)
		}
	}, func() bool { return len(states) <= maxStates })
	linuxStuck, linuxTarget, linuxValue := -1, 0, uint64(0)
	if !tooBig {
		for _, k := range linux.stuck() {
			s := states[k]
			if e := entry(s.ip); e.Instruction == acpi.Goto && s.known && (linuxStuck < 0 || s.ip < linuxStuck) {
				linuxStuck, linuxTarget, linuxValue = s.ip, int(uint32(s.v)), s.v
			}
		}
	} else {
		c.add(CodeAnalysisLimit, idx[0],
			"%v has %d instructions whose GOTOs make more than %d states under Linux's reading; the loop check ran only under the ACPI reading.",
			a, n, maxStates)
	}

	if specStuck < 0 && linuxStuck < 0 {
		return
	}
	var why []string
	at := -1
	if specStuck >= 0 {
		at = idx[specStuck]
		why = append(why, fmt.Sprintf(
			"under the ACPI reading the GOTO at entry %d (instruction %d) jumps to instruction %d and no SKIP_NEXT_INSTRUCTION_IF_TRUE or GOTO after that leads out of the loop",
			idx[specStuck], specStuck, entry(specStuck).Value))
	}
	if linuxStuck >= 0 {
		if at < 0 {
			at = idx[linuxStuck]
		}
		why = append(why, fmt.Sprintf(
			"under Linux, which jumps to the running value, the GOTO at entry %d (instruction %d) always finds 0x%X there and jumps to instruction %d, and no register read in the loop changes that",
			idx[linuxStuck], linuxStuck, linuxValue, linuxTarget))
	}
	c.add(CodeEndlessLoop, at,
		"%s: %v can loop forever: %s. Linux has no limit on GOTO loops, so the CPU running the action spins forever "+
			"(at boot for the error-log-range actions, otherwise with interrupts off under erst_lock). Give the loop a way out.",
		c.where(at), a, strings.Join(why, "; "))
}

// graph is the reachable part of a transition system, explored from one
// start state, with end as the state where an action has finished.
type graph struct {
	end   int
	seen  map[int]bool
	order []int
	preds map[int][]int
	edges int
}

func newGraph(end int) *graph {
	return &graph{end: end, seen: map[int]bool{}, preds: map[int][]int{}}
}

// explore visits every state reachable from start; succ emits the
// successors of a state. It returns false, leaving the graph partial, if
// the edge budget or ok (checked after each state) runs out.
func (g *graph) explore(start int, succ func(int, func(int)), ok ...func() bool) bool {
	g.seen[start] = true
	queue := []int{start}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		g.order = append(g.order, s)
		succ(s, func(t int) {
			g.edges++
			g.preds[t] = append(g.preds[t], s)
			if !g.seen[t] {
				g.seen[t] = true
				queue = append(queue, t)
			}
		})
		if g.edges > maxEdges {
			return false
		}
		for _, f := range ok {
			if !f() {
				return false
			}
		}
	}
	return true
}

// stuck returns the reachable states from which end is unreachable.
func (g *graph) stuck() []int {
	co := map[int]bool{}
	if g.seen[g.end] {
		co[g.end] = true
		queue := []int{g.end}
		for len(queue) > 0 {
			s := queue[0]
			queue = queue[1:]
			for _, p := range g.preds[s] {
				if !co[p] {
					co[p] = true
					queue = append(queue, p)
				}
			}
		}
	}
	var out []int
	for _, s := range g.order {
		if !co[s] {
			out = append(out, s)
		}
	}
	return out
}

// registers checks how the registers that Linux would accept are shared
// between entries: one register accessed with different widths, or two
// registers whose accesses partly overlap.
func (c *checker) registers() {
	type group struct {
		space      acpi.AddressSpace
		start, end uint64 // bytes [start, end)
		bits       int
		entries    []int
	}
	type key struct {
		space acpi.AddressSpace
		start uint64
		bits  int
	}
	groups := map[key]*group{}
	for i := range c.t.Entries {
		e := &c.t.Entries[i]
		g := e.Register
		bits, _ := accessBits(g)
		if !e.Instruction.AccessesRegister() || g.Address == 0 || bits == 0 || (g.Space != acpi.SystemMemory && g.Space != acpi.SystemIO) {
			continue
		}
		k := key{g.Space, g.Address, bits}
		if groups[k] == nil {
			end := g.Address + uint64(bits/8)
			if end < g.Address {
				end = ^uint64(0)
			}
			groups[k] = &group{space: g.Space, start: g.Address, end: end, bits: bits}
		}
		groups[k].entries = append(groups[k].entries, i)
	}
	list := make([]*group, 0, len(groups))
	for _, g := range groups {
		list = append(list, g)
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if a.space != b.space {
			return a.space < b.space
		}
		if a.start != b.start {
			return a.start < b.start
		}
		return a.bits < b.bits
	})

	for i := 0; i < len(list); {
		j := i + 1
		for j < len(list) && list[j].space == list[i].space && list[j].start == list[i].start {
			j++
		}
		if j-i > 1 {
			var parts []string
			first := list[i].entries[0]
			for _, g := range list[i:j] {
				parts = append(parts, fmt.Sprintf("%d bits by entries %s", g.bits, entryList(g.entries)))
				first = min(first, g.entries[0])
			}
			c.add(CodeRegisterMixedWidth, first,
				"register %v 0x%X is accessed with different widths: %s. That works when the device decodes a narrower access to the low bytes of the register, "+
					"as QEMU's acpi-erst device does for its 64-bit value register; Linux does each access exactly as the table says. "+
					"Use one access size per register unless the device is known to allow this.",
				list[i].space, list[i].start, strings.Join(parts, "; "))
		}
		i = j
	}

	reported := map[[2]uint64]bool{}
	for i, a := range list {
		for _, b := range list[i+1:] {
			if b.space != a.space || b.start >= a.end {
				break
			}
			if b.start == a.start || reported[[2]uint64{a.start, b.start}] {
				continue
			}
			reported[[2]uint64{a.start, b.start}] = true
			c.add(CodeRegisterOverlap, min(a.entries[0], b.entries[0]),
				"register %v 0x%X (%d-bit access, entries %s) and register 0x%X (%d-bit access, entries %s) overlap in bytes 0x%X..0x%X: "+
					"an access to one reads or writes part of the other. Linux does each access as the table says. "+
					"Check the addresses and Access Sizes; if this is one register accessed in parts, access it the same way everywhere.",
				a.space, a.start, a.bits, entryList(a.entries), b.start, b.bits, entryList(b.entries), b.start, min(a.end, b.end)-1)
		}
	}
}

// entryList formats entry indexes, eliding a long list.
func entryList(es []int) string {
	const show = 8
	var s []string
	for k, e := range es {
		if k == show {
			s = append(s, fmt.Sprintf("and %d more", len(es)-show))
			break
		}
		s = append(s, fmt.Sprint(e))
	}
	return strings.Join(s, ", ")
}
