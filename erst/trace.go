package erst

import "fmt"

// String is the access on one line, as erst -trace prints it: the action,
// the instruction's index within it and in the table, the instruction,
// the direction and width in bits, the register, and the value.
func (ev TraceEvent) String() string {
	dir := "read "
	if ev.Write {
		dir = "write"
	}
	return fmt.Sprintf("%-38s [%d] entry %-2d %-22s %s%-2d %v[%#x] = %#x",
		ev.Action, ev.Index, ev.Entry, ev.Instruction, dir, ev.Width, ev.Register.Space, ev.Register.Address, ev.Raw)
}
