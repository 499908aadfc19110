package erst_test

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/pshed/pshedtest"
	"github.com/goerst/erst/erst/sim"
)

// fuzzRegisters are the registers a fuzzed entry may name: QEMU's ACTION
// and VALUE registers at every width, the exchange buffer, and a few that
// must be refused or are unmapped.
func fuzzRegisters(bar0, bar1 uint64) []acpi.GAS {
	g := func(space acpi.AddressSpace, width, off, access uint8, addr uint64) acpi.GAS {
		return acpi.GAS{Space: space, BitWidth: width, BitOffset: off, AccessSize: acpi.AccessSize(access), Address: addr}
	}
	return []acpi.GAS{
		g(0, 32, 0, 3, bar0),      // ACTION
		g(0, 64, 0, 4, bar0+8),    // VALUE
		g(0, 32, 0, 3, bar0+8),    // VALUE low half
		g(0, 32, 0, 3, bar0+12),   // VALUE high half
		g(0, 8, 4, 1, bar0+8),     // a bit field
		g(0, 16, 0, 2, bar0+8),    // a word
		g(0, 64, 0, 2, bar0+8),    // HP's 64-bit/word quirk
		g(0, 8, 0, 4, bar0),       // Fujitsu's 8-bit/qword quirk
		g(0, 64, 0, 4, bar1),      // the exchange buffer
		g(0, 32, 0, 3, bar1+20),   // a record length
		g(1, 8, 0, 1, 0xb2),       // SystemIO: the simulator has none
		g(0, 32, 0, 3, 0),         // address 0
		g(0, 32, 0, 5, bar0),      // access size 5
		g(2, 32, 0, 3, bar0),      // PCI config space
		g(0, 32, 0, 3, 0x1000),    // unmapped
		g(0, 32, 0, 3, bar0+0x10), // just past BAR0
	}
}

// fuzzTable builds a table from data: each 8 bytes give one entry's
// action, instruction, flags, register, value and mask choice.
func fuzzTable(data []byte, regs []acpi.GAS) *acpi.ERST {
	masks := []uint64{0xffffffff, ^uint64(0), 0xff, 0x1, 0}
	t := sim.BuildTable(sim.Q35Bar0) // start from QEMU's table so operations get somewhere
	for len(data) >= 8 && len(t.Entries) < 128 {
		e := acpi.Entry{
			Action:      acpi.Action(data[0] % 0x12),
			Instruction: acpi.Instruction(data[1] % 0x15),
			Flags:       data[2] & 1,
			Register:    regs[int(data[3])%len(regs)],
			Value:       uint64(binary.LittleEndian.Uint16(data[4:])),
			Mask:        masks[int(data[6])%len(masks)],
		}
		if data[7]&1 != 0 { // replace an existing entry rather than add one
			t.Entries[int(data[7]>>1)%len(t.Entries)] = e
		} else {
			t.Entries = append(t.Entries, e)
		}
		data = data[8:]
	}
	t.Finalize()
	return t
}

// FuzzInterpreter runs random tables against the simulated device through
// every operation. Nothing may panic or hang, and the work done is bounded
// by the step budget and the timeout: the access hook counts it.
func FuzzInterpreter(f *testing.F) {
	f.Add([]byte{})
	// GOTO 0 cycle inside CHECK_BUSY_STATUS.
	f.Add([]byte{6, 0x0f, 0, 0, 0, 0, 0, 0})
	// STALL_WHILE_TRUE on VALUE; MOVE_DATA on the buffer; unknown instruction.
	f.Add([]byte{5, 0x0d, 0, 1, 0, 0, 0, 0, 7, 0x12, 0, 8, 0, 0, 1, 0, 2, 0x13, 0, 0, 0, 0, 0, 0})
	// SKIP and ADD_VALUE with PRESERVE on a bit field.
	f.Add([]byte{4, 0x0e, 1, 4, 1, 0, 2, 3, 4, 0x0a, 1, 4, 9, 0, 0, 5})
	f.Fuzz(func(t *testing.T, data []byte) {
		accesses := 0
		_, dev, clock := newSim(t, 32<<10, sim.WithAccessHook(func(sim.Access) { accesses++ }))
		tab := fuzzTable(data, fuzzRegisters(dev.Bar0(), dev.Bar1()))
		const budget = 64
		d, err := erst.Open(tab, dev, erst.WithClock(clock), erst.WithoutTableCheck(), erst.WithStepBudget(budget), erst.WithTimeout(20*time.Microsecond), erst.WithMaxRecords(16))
		if err != nil {
			return // a table that cannot even report its range
		}
		start := clock.Now()
		_ = d.Write(pshedtest.NewRecord(200, 0x42))
		_, _ = d.Read(0)
		_, _ = d.Read(0x42)
		_ = d.Clear(0x42)
		_, _ = d.Count()
		_, _ = d.IDs()
		_ = d.DummyWrite()
		// Each action runs at most budget instructions of at most 2 accesses;
		// a busy poll runs at most timeout/SpinUnit+1 times; IDs makes at most
		// 2 passes of MaxRecords+1 calls.
		polls := int(20*time.Microsecond/erst.SpinUnit) + 2
		perAction := budget * 2
		bound := perAction * (4 /*open*/ + 5*(6+polls) /*ops*/ + 1 + 1 + 2*17)
		if accesses > bound {
			t.Errorf("%d register accesses, more than the %d the budgets allow", accesses, bound)
		}
		// STALLs are 50 µs at most, polls wait for the 20 µs timeout.
		if spent := clock.Now().Sub(start); spent > time.Duration(bound)*erst.MaxStall {
			t.Errorf("spent %v of simulated time", spent)
		}
	})
}
