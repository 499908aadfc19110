package erst

import (
	"errors"
	"testing"
	"time"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst/hw"
)

// Registers of the test platform: a page of plain memory at regBase, and
// a 4 KiB "error log range" at rangeBase.
const (
	regBase   = 0x1000
	rangeBase = 0x10000
)

// reg returns a SystemMemory GAS at regBase+off with the given width in
// bits, DWord/QWord access to match.
func reg(off uint64, bits uint8) acpi.GAS {
	as := acpi.AccessSize(3)
	if bits == 64 {
		as = 4
	}
	return acpi.GAS{Space: acpi.SystemMemory, BitWidth: bits, AccessSize: as, Address: regBase + off}
}

// ent builds one entry of the action under test (GetRecordCount: any
// action would do; this one has no side meaning in these tests).
func ent(ins acpi.Instruction, g acpi.GAS, value, mask uint64) acpi.Entry {
	return acpi.Entry{Action: acpi.GetRecordCount, Instruction: ins, Register: g, Value: value, Mask: mask}
}

type rig struct {
	t     *testing.T
	p     *hw.FakePlatform
	regs  []byte
	rng   []byte
	clock *hw.FakeClock
	m     *Machine
}

func newRig(t *testing.T, entries ...acpi.Entry) *rig {
	t.Helper()
	p := hw.NewFakePlatform()
	r := &rig{t: t, p: p, regs: p.Mem.AddRegion(regBase, 0x100), rng: p.Mem.AddRegion(rangeBase, 0x1000), clock: hw.NewFakeClock()}
	tab := &acpi.ERST{Entries: entries}
	tab.Finalize()
	r.m = newMachine(tab, p, r.clock)
	r.m.moveBase, r.m.moveRange = rangeBase, r.rng
	return r
}

func (r *rig) run(in Regs) (Regs, error) {
	err := r.m.Run(acpi.GetRecordCount, &in)
	return in, err
}

func (r *rig) mustRun(in Regs) Regs {
	r.t.Helper()
	out, err := r.run(in)
	if err != nil {
		r.t.Fatalf("Run: %v", err)
	}
	return out
}

func (r *rig) poke64(off, v uint64) {
	if err := r.p.Mem.Write64(regBase+off, v); err != nil {
		r.t.Fatal(err)
	}
}

func (r *rig) peek64(off uint64) uint64 {
	v, err := r.p.Mem.Read64(regBase + off)
	if err != nil {
		r.t.Fatal(err)
	}
	return v
}

func TestReadRegisterShiftsAndMasks(t *testing.T) {
	g := reg(0, 64)
	g.BitWidth, g.BitOffset = 8, 8
	r := newRig(t, ent(acpi.ReadRegister, g, 0, 0xf))
	r.poke64(0, 0xabcd)
	if got := r.mustRun(Regs{}).Value; got != 0xb {
		t.Errorf("value = %#x, want 0xb ((0xabcd >> 8) & 0xf)", got)
	}
}

func TestReadRegisterValueCompares(t *testing.T) {
	r := newRig(t, ent(acpi.ReadRegisterValue, reg(0, 32), 0x5, 0xffffffff))
	r.poke64(0, 5)
	if got := r.mustRun(Regs{Value: 77}).Value; got != 1 {
		t.Errorf("equal register: value = %d, want 1", got)
	}
	r.poke64(0, 6)
	if got := r.mustRun(Regs{Value: 77}).Value; got != 0 {
		t.Errorf("different register: value = %d, want 0", got)
	}
}

func TestWriteRegisterMasksShiftsAndPreserves(t *testing.T) {
	g := reg(0, 64)
	g.BitWidth, g.BitOffset = 8, 8
	e := ent(acpi.WriteRegister, g, 0, 0xff)
	r := newRig(t, e)
	r.poke64(0, 0xffff_ffff)
	r.mustRun(Regs{Value: 0x1_23})
	if got := r.peek64(0); got != 0x2300 {
		t.Errorf("without PRESERVE: register = %#x, want 0x2300", got)
	}

	e.Flags = acpi.FlagPreserveRegister
	r = newRig(t, e)
	r.poke64(0, 0xffff_ffff)
	r.mustRun(Regs{Value: 0x1_23})
	if got := r.peek64(0); got != 0xffff_23ff {
		t.Errorf("with PRESERVE: register = %#x, want 0xffff23ff", got)
	}
}

func TestWriteRegisterValueOverwritesValue(t *testing.T) {
	r := newRig(t, ent(acpi.WriteRegisterValue, reg(0, 32), 0x9c, 0xffffffff))
	out := r.mustRun(Regs{Value: 1})
	if r.peek64(0) != 0x9c || out.Value != 0x9c {
		t.Errorf("register %#x, value %#x; want both 0x9c (Linux sets ctx.value)", r.peek64(0), out.Value)
	}
}

func TestNoopIgnoresRegister(t *testing.T) {
	// Address 0 would fail any access; NOOP must not touch it.
	r := newRig(t, ent(acpi.Noop, acpi.GAS{}, 0, 0))
	if out := r.mustRun(Regs{Value: 3}); out.Value != 3 {
		t.Errorf("value changed to %d", out.Value)
	}
}

func TestVarsAddSubtractStore(t *testing.T) {
	r := newRig(t,
		ent(acpi.LoadVar1, reg(0, 32), 0, 0xffffffff),
		ent(acpi.LoadVar2, reg(8, 32), 0, 0xffffffff),
		ent(acpi.Add, acpi.GAS{}, 0, 0),
		ent(acpi.StoreVar1, reg(16, 32), 0, 0xffffffff),
		ent(acpi.Subtract, acpi.GAS{}, 0, 0),
		ent(acpi.Subtract, acpi.GAS{}, 0, 0),
		ent(acpi.StoreVar1, reg(24, 32), 0, 0xffffffff),
	)
	r.poke64(0, 10)
	r.poke64(8, 3)
	out := r.mustRun(Regs{})
	if r.peek64(16) != 13 || r.peek64(24) != 7 || out.Var1 != 7 || out.Var2 != 3 {
		t.Errorf("sum %d, difference %d, var1 %d, var2 %d; want 13, 7, 7, 3", r.peek64(16), r.peek64(24), out.Var1, out.Var2)
	}
}

func TestAddValueSubtractValueUseRunningValue(t *testing.T) {
	// Linux adds ctx.value, not the entry's Value field (which is 1000 here).
	r := newRig(t,
		ent(acpi.AddValue, reg(0, 32), 1000, 0xffffffff),
		ent(acpi.SubtractValue, reg(8, 32), 1000, 0xffffffff),
	)
	r.poke64(0, 40)
	r.poke64(8, 40)
	r.mustRun(Regs{Value: 2})
	if r.peek64(0) != 42 || r.peek64(8) != 38 {
		t.Errorf("add gave %d, subtract gave %d; want 42, 38", r.peek64(0), r.peek64(8))
	}
}

func TestStallUsesRunningValueClamped(t *testing.T) {
	r := newRig(t, ent(acpi.Stall, acpi.GAS{}, 7, 0))
	for _, tc := range []struct {
		us   uint64
		want time.Duration
	}{{20, 20 * time.Microsecond}, {50, 50 * time.Microsecond}, {5000, MaxStall}} {
		start := r.clock.Now()
		r.mustRun(Regs{Value: tc.us})
		if got := r.clock.Now().Sub(start); got != tc.want {
			t.Errorf("STALL with value %d µs waited %v, want %v", tc.us, got, tc.want)
		}
	}
}

// countingBus answers reads of one address from a script, then repeats
// the last value; everything else goes to the fake memory.
type countingBus struct {
	*hw.Memory
	addr   uint64
	script []uint64
	reads  int
}

func (b *countingBus) Read32(a uint64) (uint32, error) {
	if a != b.addr {
		return b.Memory.Read32(a)
	}
	i := min(b.reads, len(b.script)-1)
	b.reads++
	return uint32(b.script[i]), nil
}

func TestStallWhileTrueEndsWhenRegisterChanges(t *testing.T) {
	r := newRig(t, ent(acpi.StallWhileTrue, reg(0, 32), 0, 0xffffffff))
	bus := &countingBus{Memory: r.p.Mem, addr: regBase, script: []uint64{1, 1, 1, 0}}
	r.m.mem = bus
	r.m.resolve()
	r.m.compile()
	start := r.clock.Now()
	if _, err := r.run(Regs{Value: 1, Var1: 10}); err != nil {
		t.Fatal(err)
	}
	if bus.reads != 4 {
		t.Errorf("%d reads, want 4", bus.reads)
	}
	if got := r.clock.Now().Sub(start); got != 30*time.Microsecond {
		t.Errorf("waited %v, want 3 × var1 = 30µs", got)
	}
}

func TestStallWhileTrueTimesOut(t *testing.T) {
	r := newRig(t, ent(acpi.StallWhileTrue, reg(0, 32), 0, 0xffffffff))
	r.poke64(0, 1)
	start := r.clock.Now()
	_, err := r.run(Regs{Value: 1, Var1: 0}) // Var1 0: Linux would spin for ever
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
	if got := r.clock.Now().Sub(start); got < DefaultTimeout || got > DefaultTimeout+MaxStall {
		t.Errorf("gave up after %v, want about %v", got, DefaultTimeout)
	}
}

func TestSkipNextInstructionIfTrue(t *testing.T) {
	prog := []acpi.Entry{
		ent(acpi.SkipNextInstructionIfTrue, reg(0, 32), 0, 0xffffffff),
		ent(acpi.WriteRegisterValue, reg(8, 32), 0xaa, 0xffffffff),
		ent(acpi.WriteRegisterValue, reg(16, 32), 0xbb, 0xffffffff),
	}
	r := newRig(t, prog...)
	r.poke64(0, 5)
	r.mustRun(Regs{Value: 5})
	if r.peek64(8) != 0 || r.peek64(16) != 0xbb {
		t.Errorf("equal: skipped=%#x next=%#x, want 0 and 0xbb", r.peek64(8), r.peek64(16))
	}
	r = newRig(t, prog...)
	r.poke64(0, 5)
	r.mustRun(Regs{Value: 6})
	if r.peek64(8) != 0xaa || r.peek64(16) != 0xbb {
		t.Errorf("different: %#x %#x, want 0xaa and 0xbb", r.peek64(8), r.peek64(16))
	}
}

// TestGotoLoop builds a countdown loop: the register at +0 is decremented
// until it reaches 0. GOTO jumps to the running Value (Linux), which the
// program sets with WRITE_REGISTER_VALUE to a scratch register.
func TestGotoLoop(t *testing.T) {
	r := newRig(t,
		// 0: value = 1, then counter -= value
		ent(acpi.WriteRegisterValue, reg(0x40, 32), 1, 0xffffffff),
		ent(acpi.SubtractValue, reg(0, 32), 0, 0xffffffff),
		// 2: value = 0; if counter == 0, skip the GOTO
		ent(acpi.WriteRegisterValue, reg(0x40, 32), 0, 0xffffffff),
		ent(acpi.SkipNextInstructionIfTrue, reg(0, 32), 0, 0xffffffff),
		ent(acpi.Goto, acpi.GAS{}, 99, 0), // value is 0 here: back to entry 0
		ent(acpi.WriteRegisterValue, reg(0x48, 32), 0xd0e, 0xffffffff),
	)
	r.poke64(0, 5)
	r.mustRun(Regs{})
	if r.peek64(0) != 0 || r.peek64(0x48) != 0xd0e {
		t.Errorf("counter %d, done marker %#x; want 0 and 0xd0e", r.peek64(0), r.peek64(0x48))
	}
}

func TestGotoPastEndEndsAction(t *testing.T) {
	r := newRig(t,
		ent(acpi.WriteRegisterValue, reg(0x40, 32), 7, 0xffffffff),
		ent(acpi.Goto, acpi.GAS{}, 0, 0),
		ent(acpi.WriteRegisterValue, reg(0x48, 32), 1, 0xffffffff),
	)
	r.mustRun(Regs{})
	if r.peek64(0x48) != 0 {
		t.Error("entry after GOTO past the end ran")
	}
}

func TestGotoForwardSkipsEntries(t *testing.T) {
	r := newRig(t,
		ent(acpi.WriteRegisterValue, reg(0x40, 32), 3, 0xffffffff),
		ent(acpi.Goto, acpi.GAS{}, 0, 0),
		ent(acpi.WriteRegisterValue, reg(0x48, 32), 1, 0xffffffff),
		ent(acpi.WriteRegisterValue, reg(0x50, 32), 2, 0xffffffff),
	)
	r.mustRun(Regs{})
	if r.peek64(0x48) != 0 || r.peek64(0x50) != 2 {
		t.Errorf("skipped entry wrote %d, target wrote %d; want 0 and 2", r.peek64(0x48), r.peek64(0x50))
	}
}

// Linux keeps the instruction pointer in a u32 (struct apei_exec_context
// ip): GOTO with Value 1<<32 + 3 lands on entry 3, as acpi/lint models.
func TestGotoTruncatesTo32Bits(t *testing.T) {
	r := newRig(t,
		ent(acpi.Goto, acpi.GAS{}, 0, 0),
		ent(acpi.WriteRegisterValue, reg(0x48, 32), 1, 0xffffffff),
		ent(acpi.Noop, acpi.GAS{}, 0, 0),
		ent(acpi.WriteRegisterValue, reg(0x50, 32), 2, 0xffffffff),
	)
	r.mustRun(Regs{Value: 1<<32 + 3})
	if r.peek64(0x48) != 0 || r.peek64(0x50) != 2 {
		t.Errorf("entry 1 wrote %d, entry 3 wrote %d; want 0 and 2 (GOTO to 3)", r.peek64(0x48), r.peek64(0x50))
	}
}

func TestGotoCycleHitsStepBudget(t *testing.T) {
	r := newRig(t, ent(acpi.Goto, acpi.GAS{}, 0, 0))
	r.m.budget = 100
	if _, err := r.run(Regs{Value: 0}); !errors.Is(err, ErrStepBudget) {
		t.Fatalf("err = %v, want ErrStepBudget", err)
	}
}

func TestMoveDataInsideRange(t *testing.T) {
	r := newRig(t,
		ent(acpi.SetSrcAddressBase, reg(0, 64), 0, ^uint64(0)),
		ent(acpi.SetDstAddressBase, reg(8, 64), 0, ^uint64(0)),
		ent(acpi.LoadVar2, reg(16, 32), 0, 0xffffffff),
		ent(acpi.MoveData, reg(24, 32), 0, 0xffffffff),
	)
	r.poke64(0, rangeBase)
	r.poke64(8, rangeBase+0x800)
	r.poke64(16, 4)    // length
	r.poke64(24, 0x10) // offset
	copy(r.rng[0x10:], "CPER")
	out := r.mustRun(Regs{})
	if string(r.rng[0x810:0x814]) != "CPER" {
		t.Errorf("destination holds %q", r.rng[0x810:0x814])
	}
	if out.SrcBase != rangeBase || out.DstBase != rangeBase+0x800 {
		t.Errorf("bases %#x %#x", out.SrcBase, out.DstBase)
	}
}

func TestMoveDataOutsideRangeRefused(t *testing.T) {
	r := newRig(t,
		ent(acpi.SetSrcAddressBase, reg(0, 64), 0, ^uint64(0)),
		ent(acpi.SetDstAddressBase, reg(8, 64), 0, ^uint64(0)),
		ent(acpi.LoadVar2, reg(16, 32), 0, 0xffffffff),
		ent(acpi.MoveData, reg(24, 32), 0, 0xffffffff),
	)
	for _, tc := range []struct {
		name        string
		src, dst, n uint64
	}{
		{"destination in registers", rangeBase, regBase, 4},
		{"source before range", rangeBase - 8, rangeBase, 4},
		{"runs past the end", rangeBase, rangeBase + 0xff0, 0x20},
		{"address wraps", ^uint64(0) - 2, rangeBase, 4},
	} {
		r.poke64(0, tc.src)
		r.poke64(8, tc.dst)
		r.poke64(16, tc.n)
		r.poke64(24, 0)
		if _, err := r.run(Regs{}); !errors.Is(err, ErrOutOfRange) {
			t.Errorf("%s: err = %v, want ErrOutOfRange", tc.name, err)
		}
	}
}

func TestUnknownInstruction(t *testing.T) {
	r := newRig(t, ent(acpi.Instruction(0x13), reg(0, 32), 0, 0))
	if _, err := r.run(Regs{}); !errors.Is(err, ErrInvalidTable) {
		t.Fatalf("err = %v, want ErrInvalidTable", err)
	}
}

func TestMissingAction(t *testing.T) {
	r := newRig(t, ent(acpi.Noop, acpi.GAS{}, 0, 0))
	if err := r.m.Run(acpi.ExecuteOperation, &Regs{}); !errors.Is(err, ErrMissingAction) {
		t.Fatalf("err = %v, want ErrMissingAction", err)
	}
}

func TestActionIndexCountsOnlyItsOwnEntries(t *testing.T) {
	// Entries of another action sit between ours; GOTO 1 must land on our
	// second entry, not on table entry 1.
	other := acpi.Entry{Action: acpi.EndOperation, Instruction: acpi.WriteRegisterValue, Register: reg(0x48, 32), Value: 0xbad, Mask: 0xffffffff}
	r := newRig(t,
		ent(acpi.WriteRegisterValue, reg(0x40, 32), 2, 0xffffffff),
		other,
		ent(acpi.Goto, acpi.GAS{}, 0, 0),
		other,
		ent(acpi.WriteRegisterValue, reg(0x50, 32), 1, 0xffffffff),
		ent(acpi.WriteRegisterValue, reg(0x58, 32), 1, 0xffffffff),
	)
	r.poke64(0x50, 0)
	r.mustRun(Regs{})
	if r.peek64(0x48) != 0 || r.peek64(0x50) != 1 || r.peek64(0x58) != 1 {
		t.Errorf("other action ran (%#x) or target missed (%d, %d)", r.peek64(0x48), r.peek64(0x50), r.peek64(0x58))
	}
}

func TestAccessWidth(t *testing.T) {
	for _, tc := range []struct {
		name string
		g    acpi.GAS
		want int
		err  bool
	}{
		{"dword", acpi.GAS{BitWidth: 32, AccessSize: 3, Address: 0x1000}, 32, false},
		{"8-bit register, qword access (Fujitsu)", acpi.GAS{BitWidth: 8, AccessSize: 4, Address: 0x1000}, 64, false},
		{"64-bit register, word access, aligned: raised (HP)", acpi.GAS{BitWidth: 64, AccessSize: 2, Address: 0x1000}, 64, false},
		{"32-bit register, byte access, aligned: raised", acpi.GAS{BitWidth: 32, AccessSize: 1, Address: 0x1004}, 32, false},
		{"32-bit register, byte access, unaligned: too wide", acpi.GAS{BitWidth: 32, AccessSize: 1, Address: 0x1001}, 0, true},
		{"offset pushes past access", acpi.GAS{BitWidth: 8, BitOffset: 4, AccessSize: 1, Address: 0x1000}, 0, true},
		{"address 0", acpi.GAS{BitWidth: 8, AccessSize: 1}, 0, true},
		{"access size 0", acpi.GAS{BitWidth: 8, AccessSize: 0, Address: 0x1000}, 0, true},
		{"access size 5", acpi.GAS{BitWidth: 8, AccessSize: 5, Address: 0x1000}, 0, true},
		{"PCI config space", acpi.GAS{Space: acpi.PCIConfig, BitWidth: 8, AccessSize: 1, Address: 0x1000}, 0, true},
		{"SystemIO byte", acpi.GAS{Space: acpi.SystemIO, BitWidth: 8, AccessSize: 1, Address: 0xb2}, 8, false},
	} {
		got, err := AccessWidth(tc.g)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("%s: AccessWidth = %d, %v; want %d, error %v", tc.name, got, err, tc.want, tc.err)
		}
		if err != nil && !errors.Is(err, ErrInvalidGAS) {
			t.Errorf("%s: error %v does not wrap ErrInvalidGAS", tc.name, err)
		}
	}
}

func TestTraceSeesEveryAccess(t *testing.T) {
	e := ent(acpi.WriteRegister, reg(0, 32), 0, 0xff)
	e.Flags = acpi.FlagPreserveRegister
	r := newRig(t, e, ent(acpi.ReadRegister, reg(0, 32), 0, 0xffffffff))
	var got []TraceEvent
	r.m.trace = func(ev TraceEvent) { got = append(got, ev) }
	r.mustRun(Regs{Value: 0x12})
	if len(got) != 3 || got[0].Write || !got[1].Write || got[2].Write || got[1].Raw != 0x12 || got[2].Index != 1 {
		t.Errorf("trace = %+v; want read (preserve), write 0x12, read", got)
	}
}
