package lint

import (
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/acpi/acpitest"
)

// corpusCodes is what Check must find in each corpus table: the exact set
// of codes (a code found several times is listed once). Where each
// expectation comes from:
//   - checksum, entry-count, filler-action, missing-timings, gas-address,
//     gas-access-size, mask-wider-than-register: a plain reading of the
//     table's bytes against ACPI 6.5 §18.5 and §5.2.3.2 agrees
//     (TestCorpusCodesDerived, independent of Check);
//   - missing-action: the actions Linux's erst.c runs unconditionally
//     (erst_get_erange's GET_ERROR_LOG_ADDRESS_*, erst_get_record_count,
//     the SET_*/EXECUTE/CHECK_BUSY/GET_COMMAND_STATUS of each operation);
//   - gas-access-fixup: Linux's apei_check_gar, which raises a 32- or
//     64-bit register declared with a narrower Access Size;
//   - register-mixed-width: QEMU's build_erst (hw/acpi/erst.c), which reads
//     VALUE both as 32 and as 64 bits;
//   - reserved-nonzero, unknown-instruction: fwts's deliberately broken
//     input, whose reserved fields and instruction code ACPI Table 18.28
//     leaves undefined.
var corpusCodes = map[string][]string{
	// Real firmware.
	"0101102f41e61b88": {"filler-action", "missing-timings"},
	"1b3cf870f9980e16": {"missing-timings"},
	"1bcb46100460d690": {"missing-timings"},
	"1be9c4dbbdf862aa": {"missing-timings"},
	"2e7000ca266287b6": {"missing-timings"},
	"32a9c9d8e275b8bc": {"missing-action", "missing-timings"},
	"354a09a3803d0ed2": {"filler-action", "missing-timings"},
	"39d49d3462b2f234": {"gas-access-fixup", "missing-action", "missing-timings"},
	"49b45f8c27bf5381": {"filler-action", "missing-timings"},
	"73e23035eb6bad83": {"filler-action", "missing-timings"},
	"7cb3f54616dc35fc": {"filler-action", "missing-timings"},
	"a32d335f835a4c1f": {"missing-action", "missing-timings"},
	"a4066217f2a1bbf0": {"missing-action", "missing-timings"},
	"c50831837274dc99": {"filler-action", "missing-timings"},
	"d6eedf59754520d8": {"filler-action", "missing-timings"},
	"ef1e1a325b54ba3e": {"mask-wider-than-register", "missing-timings"},
	"f2830604ae936d43": {"filler-action", "missing-timings"},
	"ffd0eb1e461f7852": {"missing-action", "missing-timings"},
	// QEMU 7.2 acpi-erst, q35 and pc.
	"eebf1dc4571b2072": {"register-mixed-width"},
	"fb3ea5e7280d5c5c": {"register-mixed-width"},
	// iasl -T ERST: every address is 0.
	"8236a2987ebeccc8": {"filler-action", "gas-address", "mask-wider-than-register", "missing-timings"},
	// fwts's test inputs: good, bad entry fields, bad count and checksum.
	"28bc83acf4667389": {"filler-action", "mask-wider-than-register", "missing-timings"},
	"7c3e9758a61a6bbc": {"filler-action", "gas-access-size", "mask-wider-than-register", "missing-timings", "reserved-nonzero", "unknown-instruction"},
	"469c4d4ef4605f3b": {"checksum", "entry-count", "filler-action", "mask-wider-than-register", "missing-timings"},
}

func codeSet(fs []Finding) []string {
	var s []string
	for _, f := range fs {
		if !slices.Contains(s, f.Code) {
			s = append(s, f.Code)
		}
	}
	sort.Strings(s)
	return s
}

func TestCorpus(t *testing.T) {
	tables := acpitest.Corpus(t)
	seen := map[string]bool{}
	for _, ct := range tables {
		seen[ct.Name] = true
		tbl, err := acpi.DecodeERST(ct.Raw)
		if err != nil {
			t.Errorf("%s: %v", ct.Path, err)
			continue
		}
		fs := Check(tbl, ct.Raw)
		want, ok := corpusCodes[ct.Name]
		if !ok {
			t.Errorf("%s: no expected findings listed for this table; it has %q", ct.Path, codeSet(fs))
			continue
		}
		if got := codeSet(fs); !slices.Equal(got, want) {
			t.Errorf("%s: codes %q, want %q\n%s", ct.Name, got, want, findingLines(fs))
		}
		checkWellFormed(t, tbl, fs)
	}
	for name := range corpusCodes {
		if !seen[name] {
			t.Errorf("expected findings listed for %s, which is not in the corpus", name)
		}
	}
}

func findingLines(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "  %v\n", f)
	}
	return b.String()
}

// checkWellFormed checks what every finding list must satisfy.
func checkWellFormed(t *testing.T, tbl *acpi.ERST, fs []Finding) {
	t.Helper()
	for k, f := range fs {
		if sev, ok := severityOf[f.Code]; !ok || sev != f.Severity {
			t.Errorf("finding %v: code not in Rules or severity differs from Rules (%v)", f, sev)
		}
		if f.Entry < -1 || f.Entry >= len(tbl.Entries) {
			t.Errorf("finding %v: entry out of range (table has %d)", f, len(tbl.Entries))
		}
		if f.Message == "" || strings.ContainsAny(f.Message, "\n\r") {
			t.Errorf("finding %v: message empty or not one line", f)
		}
		if k > 0 {
			p := fs[k-1]
			if p.Severity < f.Severity || (p.Severity == f.Severity && p.Entry > f.Entry) {
				t.Errorf("findings out of order: %v before %v", p, f)
			}
		}
	}
}

// TestCorpusAcceptance pins what `erst lint` must say about particular
// corpus tables.
func TestCorpusAcceptance(t *testing.T) {
	dir := acpitest.CorpusDir(t)
	check := func(name string) []Finding {
		t.Helper()
		raw, err := os.ReadFile(filepath.Join(dir, name+".dat"))
		if err != nil {
			t.Fatal(err)
		}
		tbl, err := acpi.DecodeERST(raw)
		if err != nil {
			t.Fatal(err)
		}
		return Check(tbl, raw)
	}

	// fwts's broken table: an error for the count, a warning for the
	// checksum (Linux warns and uses the table).
	fs := check("469c4d4ef4605f3b")
	for _, want := range []struct {
		sev        Severity
		code, text string
	}{
		{Warning, CodeChecksum, "should be 0xF1"},
		{Error, CodeEntryCount, "Instruction Entry Count is 17 but Length 560 holds (560 - 48) / 32 = 16 entries"},
	} {
		if !hasFinding(fs, want.sev, want.code, -1, want.text) {
			t.Errorf("469c4d4ef4605f3b: no %v %s mentioning %q\n%s", want.sev, want.code, want.text, findingLines(fs))
		}
	}

	// QEMU's tables: nothing that is an error.
	for _, name := range []string{"eebf1dc4571b2072", "fb3ea5e7280d5c5c"} {
		if fs := check(name); HasErrors(fs) {
			t.Errorf("QEMU table %s has errors:\n%s", name, findingLines(fs))
		}
	}

	// The tables index.csv marks as lacking the error-log-range actions:
	// one error naming the three actions and saying Linux will not use ERST.
	rows := corpusIndex(t)
	n := 0
	for _, row := range rows {
		name := strings.TrimSuffix(row["file"], ".dat")
		fs := check(name)
		missing := strings.Contains(row["notes"], "MISSING_ACTIONS=")
		var named bool
		for _, f := range fs {
			if f.Code == CodeMissingAction && f.Severity == Error && f.Entry == -1 &&
				strings.Contains(f.Message, "GET_ERROR_LOG_ADDRESS_RANGE, GET_ERROR_LOG_ADDRESS_LENGTH and GET_ERROR_LOG_ADDRESS_RANGE_ATTRIBUTES") &&
				strings.Contains(f.Message, "will not use ERST") {
				named = true
			}
		}
		if missing != named {
			t.Errorf("%s: index.csv notes %q, but an error naming the three missing actions is %v:\n%s", name, row["notes"], named, findingLines(fs))
		}
		if missing {
			n++
		}
	}
	if n != 5 {
		t.Errorf("%d tables lack the error-log-range actions, the corpus README says 5", n)
	}
}

func hasFinding(fs []Finding, sev Severity, code string, entry int, text string) bool {
	for _, f := range fs {
		if f.Severity == sev && f.Code == code && f.Entry == entry && strings.Contains(f.Message, text) {
			return true
		}
	}
	return false
}

func corpusIndex(t *testing.T) []map[string]string {
	t.Helper()
	f, err := os.Open(acpitest.CorpusIndex(t))
	if err != nil {
		t.Fatalf("corpus index: %v", err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var rows []map[string]string
	for _, r := range recs[1:] {
		row := map[string]string{}
		for i, k := range recs[0] {
			row[k] = r[i]
		}
		rows = append(rows, row)
	}
	return rows
}

// Registers of the good table below, QEMU style: a command register, a
// 32-bit offset register and a 64-bit value register per action.
const (
	cmdReg = 0xfeb0_0000
	offReg = 0xfeb0_0008
	valReg = 0xfeb0_0010
)

func reg32(addr uint64) acpi.GAS {
	return acpi.GAS{Space: acpi.SystemMemory, BitWidth: 32, AccessSize: 3, Address: addr}
}

func reg64(addr uint64) acpi.GAS {
	return acpi.GAS{Space: acpi.SystemMemory, BitWidth: 64, AccessSize: 4, Address: addr}
}

func ent(a acpi.Action, in acpi.Instruction, g acpi.GAS, value, mask uint64) acpi.Entry {
	return acpi.Entry{Action: a, Instruction: in, Register: g, Value: value, Mask: mask}
}

// goodTable has every action, each in the simplest form a device could
// implement, and nothing to complain about.
func goodTable() *acpi.ERST {
	t := &acpi.ERST{}
	t.Header.OEMID = [6]byte{'G', 'O', 'E', 'R', 'S', 'T'}
	for _, a := range []acpi.Action{acpi.BeginWriteOperation, acpi.BeginReadOperation, acpi.BeginClearOperation, acpi.EndOperation, acpi.BeginDummyWriteOperation} {
		t.Entries = append(t.Entries, ent(a, acpi.WriteRegisterValue, reg32(cmdReg), uint64(a), 0xffffffff))
	}
	t.Entries = append(t.Entries,
		ent(acpi.SetRecordOffset, acpi.WriteRegister, reg32(offReg), 0, 0xffffffff),
		ent(acpi.ExecuteOperation, acpi.WriteRegisterValue, acpi.GAS{Space: acpi.SystemIO, BitWidth: 8, AccessSize: 1, Address: 0xb2}, 0x9c, 0xff),
		ent(acpi.CheckBusyStatus, acpi.ReadRegisterValue, reg32(cmdReg+4), 1, 0x1),
		ent(acpi.SetRecordIdentifier, acpi.WriteRegister, reg64(valReg), 0, ^uint64(0)),
	)
	for _, a := range []acpi.Action{acpi.GetCommandStatus, acpi.GetRecordIdentifier, acpi.GetRecordCount,
		acpi.GetErrorLogAddressRange, acpi.GetErrorLogAddressLength, acpi.GetErrorLogAddressRangeAttributes, acpi.GetExecuteOperationTimings} {
		t.Entries = append(t.Entries,
			ent(a, acpi.WriteRegisterValue, reg32(cmdReg), uint64(a), 0xffffffff),
			ent(a, acpi.ReadRegister, reg64(valReg), 0, ^uint64(0)))
	}
	t.Finalize()
	return t
}

// fix recomputes Length (from the entries and trailing bytes), the entry
// count and the checksum after a test has edited t.
func fix(t *acpi.ERST) {
	t.Header.Length = uint32(acpi.ERSTHeaderSize + len(t.Entries)*acpi.EntrySize + len(t.Trailing))
	t.EntryCount = uint32(len(t.Entries))
	resum(t)
}

// resum recomputes only the checksum.
func resum(t *acpi.ERST) {
	t.Header.Checksum = 0
	t.Header.Checksum = -acpi.Sum(t.Encode())
}

func TestGoodTableIsClean(t *testing.T) {
	tbl := goodTable()
	if fs := Check(tbl, nil); len(fs) != 0 {
		t.Fatalf("the good table has findings:\n%s", findingLines(fs))
	}
	// Header Length 12 is as good as 48.
	tbl.HeaderLength = 12
	fix(tbl)
	if fs := Check(tbl, nil); len(fs) != 0 {
		t.Fatalf("Serialization Header Length 12 gives findings:\n%s", findingLines(fs))
	}
}

// find returns the index of the first entry of action a in t.
func find(t *acpi.ERST, a acpi.Action) int {
	for i, e := range t.Entries {
		if e.Action == a {
			return i
		}
	}
	panic(fmt.Sprintf("no %v entry", a))
}

// replaceAction replaces the entries of action a with es, in their place,
// and returns the index of the first.
func replaceAction(t *acpi.ERST, a acpi.Action, es ...acpi.Entry) int {
	at := find(t, a)
	var out []acpi.Entry
	for i, e := range t.Entries {
		if i == at {
			for _, n := range es {
				n.Action = a
				out = append(out, n)
			}
		}
		if e.Action != a {
			out = append(out, e)
		}
	}
	t.Entries = out
	fix(t)
	return at
}

func removeAction(t *acpi.ERST, as ...acpi.Action) {
	t.Entries = slices.DeleteFunc(t.Entries, func(e acpi.Entry) bool { return slices.Contains(as, e.Action) })
}

// TestRules changes the good table in one way at a time and checks that
// exactly the expected findings appear, at the expected entries, with
// messages that say what matters.
func TestRules(t *testing.T) {
	exec := find(goodTable(), acpi.ExecuteOperation)
	getCount := find(goodTable(), acpi.GetRecordCount)
	scratch := reg32(cmdReg + 0x20)
	noop := func(a acpi.Action) acpi.Entry { return ent(a, acpi.Noop, acpi.GAS{}, 0, 0) }

	type want struct {
		code  string
		entry int // -2: the entry returned by edit
		text  string
	}
	const (
		at       = -2 // the entry edit returned
		anyEntry = -3 // any entry
	)
	seenCodes := map[string]bool{}
	ran, cases := 0, 0
	for _, tc := range []struct {
		name string
		edit func(t *acpi.ERST) int // returns an entry index for want.entry == at
		want []want
	}{
		{"bad checksum", func(t *acpi.ERST) int { t.Header.Checksum++; return 0 },
			[]want{{CodeChecksum, -1, "uses the table"}}},
		{"entry count too high", func(t *acpi.ERST) int { t.EntryCount++; resum(t); return 0 },
			[]want{{CodeEntryCount, -1, "ERST table is invalid"}}},
		{"trailing bytes", func(t *acpi.ERST) int { t.Trailing = []byte{1, 2, 3}; fix(t); return 0 },
			[]want{{CodeTrailingBytes, -1, "leaves 3 bytes"}}},
		{"length below the header", func(t *acpi.ERST) int { t.Header.Length = 40; return 0 },
			[]want{{CodeLength, -1, "shorter than the 48-byte"}, {CodeChecksum, -1, "40 bytes"}}},
		{"header length 36", func(t *acpi.ERST) int { t.HeaderLength = 36; fix(t); return 0 },
			[]want{{CodeHeaderLength, -1, "is 36"}}},
		{"reserved header field", func(t *acpi.ERST) int { t.Reserved = 0xf0; fix(t); return 0 },
			[]want{{CodeReservedNonzero, -1, "offset 40"}}},
		{"reserved flag bits", func(t *acpi.ERST) int { t.Entries[3].Flags = 0xff; fix(t); return 3 },
			[]want{{CodeReservedNonzero, at, "reserved bits 0xFE"}}},
		{"reserved entry byte", func(t *acpi.ERST) int { t.Entries[3].Reserved = 1; fix(t); return 3 },
			[]want{{CodeReservedNonzero, at, "Reserved byte"}}},
		{"reserved action with a register", func(t *acpi.ERST) int {
			t.Entries = append(t.Entries, ent(0x11, acpi.ReadRegister, reg64(valReg), 0, ^uint64(0)))
			fix(t)
			return len(t.Entries) - 1
		}, []want{{CodeUnknownAction, at, "still checks and maps its register"}}},
		{"AMI filler: reserved action 0x0C, NOOP, address 0", func(t *acpi.ERST) int {
			t.Entries = append(t.Entries, noop(0x0c))
			fix(t)
			return len(t.Entries) - 1
		}, []want{{CodeFillerAction, at, "ignores it entirely"}}},
		{"reserved instruction", func(t *acpi.ERST) int { t.Entries[exec].Instruction = 0x13; fix(t); return exec },
			[]want{{CodeUnknownInstruction, at, "unknown instruction type: 19"}}},
		{"no GET_RECORD_COUNT", func(t *acpi.ERST) int { removeAction(t, acpi.GetRecordCount); fix(t); return 0 },
			[]want{{CodeMissingAction, -1, "missing GET_RECORD_COUNT"}}},
		{"no error log range actions", func(t *acpi.ERST) int {
			removeAction(t, acpi.GetErrorLogAddressRange, acpi.GetErrorLogAddressLength, acpi.GetErrorLogAddressRangeAttributes)
			fix(t)
			return 0
		}, []want{{CodeMissingAction, -1, "missing GET_ERROR_LOG_ADDRESS_RANGE, GET_ERROR_LOG_ADDRESS_LENGTH and GET_ERROR_LOG_ADDRESS_RANGE_ATTRIBUTES: " +
			"Linux runs the three GET_ERROR_LOG_ADDRESS_* actions (range, length, attributes) at boot to find the Error Log Address Range (erst_get_erange); " +
			"without them it logs \"ERST: Failed to get Error Log Address Range.\" and will not use ERST on this machine."}}},
		{"no GET_ERROR_LOG_ADDRESS_LENGTH", func(t *acpi.ERST) int { removeAction(t, acpi.GetErrorLogAddressLength); fix(t); return 0 },
			[]want{{CodeMissingAction, -1, "missing GET_ERROR_LOG_ADDRESS_LENGTH: "}}},
		{"no BEGIN_READ_OPERATION", func(t *acpi.ERST) int { removeAction(t, acpi.BeginReadOperation); fix(t); return 0 },
			[]want{{CodeMissingOptional, -1, "apei_exec_run_optional"}}},
		{"no timings (ACPI < 6.3)", func(t *acpi.ERST) int { removeAction(t, acpi.GetExecuteOperationTimings); fix(t); return 0 },
			[]want{{CodeMissingTimings, -1, "ACPI 6.3"}}},
		{"address 0", func(t *acpi.ERST) int { t.Entries[getCount+1].Register.Address = 0; fix(t); return getCount + 1 },
			[]want{{CodeGASAddress, at, "Invalid physical address in GAR [0x0/64/0/4/0]"}}},
		{"access size 0", func(t *acpi.ERST) int { t.Entries[getCount+1].Register.AccessSize = 0; fix(t); return getCount + 1 },
			[]want{{CodeGASAccessSize, at, "Access Size is 0"}}},
		{"access size 5", func(t *acpi.ERST) int { t.Entries[getCount+1].Register.AccessSize = 5; fix(t); return getCount + 1 },
			[]want{{CodeGASAccessSize, at, "Invalid access size code"}}},
		{"64-bit register, word access, aligned: Linux fixes it", func(t *acpi.ERST) int {
			t.Entries[getCount+1].Register.AccessSize = 2
			fix(t)
			return getCount + 1
		}, []want{{CodeGASAccessFixup, at, "accesses the register as 64 bits"}}},
		{"64-bit register, word access, unaligned: Linux rejects it", func(t *acpi.ERST) int {
			t.Entries[getCount+1].Register = acpi.GAS{Space: acpi.SystemMemory, BitWidth: 64, AccessSize: 2, Address: valReg + 0x24}
			fix(t)
			return getCount + 1
		}, []want{{CodeGASBitRange, at, "only at a 8-byte aligned address"}}},
		{"bit offset past the access", func(t *acpi.ERST) int {
			t.Entries[exec].Register.BitOffset = 4
			fix(t)
			return exec
		}, []want{{CodeGASBitRange, at, "8 + Bit Offset 4 = 12 bits do not fit the 8-bit access"}}},
		{"PCI config space", func(t *acpi.ERST) int {
			t.Entries[getCount+1].Register.Space = acpi.PCIConfig
			fix(t)
			return getCount + 1
		},
			[]want{{CodeGASSpace, at, "PCIConfig"}}},
		{"64-bit I/O access", func(t *acpi.ERST) int {
			t.Entries[exec].Register = acpi.GAS{Space: acpi.SystemIO, BitWidth: 64, AccessSize: 4, Address: 0xb0}
			t.Entries[exec].Mask = ^uint64(0)
			fix(t)
			return exec
		}, []want{{CodeGASIOWidth, at, "no 64-bit port access"}}},
		{"I/O port beyond 0xFFFF", func(t *acpi.ERST) int { t.Entries[exec].Register.Address = 0x10000; fix(t); return exec },
			[]want{{CodeGASIORange, at, "0x10000"}}},
		{"mask wider than a byte register, byte access", func(t *acpi.ERST) int { t.Entries[exec].Mask = 0xffff; fix(t); return exec },
			[]want{{CodeMaskWiderThanReg, at, "nothing outside the register is touched"}}},
		{"mask wider than a byte register, qword access (Fujitsu)", func(t *acpi.ERST) int {
			t.Entries[getCount+1].Register = acpi.GAS{Space: acpi.SystemMemory, BitWidth: 8, AccessSize: 4, Address: valReg + 0x40}
			fix(t)
			return getCount + 1
		}, []want{{CodeMaskWiderThanReg, at, "neighbouring registers"}}},
		{"two registers overlap", func(t *acpi.ERST) int {
			t.Entries[getCount+1].Register = reg32(valReg + 4)
			t.Entries[getCount+1].Mask = 0xffffffff
			fix(t)
			return getCount + 1
		}, []want{{CodeRegisterOverlap, anyEntry, "overlap in bytes 0xFEB00014..0xFEB00017"}}},
		{"one register, two widths (QEMU)", func(t *acpi.ERST) int {
			t.Entries[getCount+1].Register = reg32(valReg)
			t.Entries[getCount+1].Mask = 0xffffffff
			fix(t)
			return find(t, acpi.SetRecordIdentifier)
		}, []want{{CodeRegisterMixedWidth, at, "32 bits by entries"}}},
		{"STALL longer than Linux allows", func(t *acpi.ERST) int {
			return replaceAction(t, acpi.ExecuteOperation,
				ent(0, acpi.WriteRegisterValue, scratch, 100, 0xffffffff),
				ent(0, acpi.Stall, acpi.GAS{}, 100, 0)) + 1
		}, []want{{CodeStallTooLong, at, "STALL of 100 µs"}}},
		{"STALL: Linux uses the running value", func(t *acpi.ERST) int {
			return replaceAction(t, acpi.ExecuteOperation,
				ent(0, acpi.WriteRegisterValue, acpi.GAS{Space: acpi.SystemIO, BitWidth: 8, AccessSize: 1, Address: 0xb2}, 0x9c, 0xff),
				ent(0, acpi.Stall, acpi.GAS{}, 10, 0)) + 1
		}, []want{{CodeRunningValue, at, "so Linux stalls for 50 µs"}}},
		{"STALL in SET_RECORD_OFFSET: Linux's input is the offset 0", func(t *acpi.ERST) int {
			return replaceAction(t, acpi.SetRecordOffset,
				ent(0, acpi.Stall, acpi.GAS{}, 0, 0),
				ent(0, acpi.WriteRegister, reg32(offReg), 0, 0xffffffff))
		}, nil},
		{"GOTO past the action", func(t *acpi.ERST) int {
			return replaceAction(t, acpi.ExecuteOperation,
				ent(0, acpi.WriteRegisterValue, scratch, 5, 0xffffffff),
				ent(0, acpi.Goto, acpi.GAS{}, 5, 0)) + 1
		}, []want{{CodeGotoTarget, at, "GOTO target 5 (its Value) is outside EXECUTE_OPERATION, whose 2 instructions"}}},
		{"GOTO loop that never ends under either reading", func(t *acpi.ERST) int {
			return replaceAction(t, acpi.ExecuteOperation,
				ent(0, acpi.WriteRegisterValue, scratch, 0, 0xffffffff),
				ent(0, acpi.Goto, acpi.GAS{}, 0, 0)) + 1
		}, []want{{CodeEndlessLoop, at, "under the ACPI reading the GOTO at entry"}, {CodeEndlessLoop, at, "under Linux, which jumps to the running value"}}},
		{"polling loop with a way out, Linux-compatible", func(t *acpi.ERST) int {
			return replaceAction(t, acpi.CheckBusyStatus,
				ent(0, acpi.WriteRegisterValue, scratch, 0, 0xffffffff),
				ent(0, acpi.SkipNextInstructionIfTrue, reg32(cmdReg+4), 0, 1),
				ent(0, acpi.Goto, acpi.GAS{}, 0, 0),
				ent(0, acpi.ReadRegisterValue, reg32(cmdReg+4), 1, 1))
		}, nil},
		{"polling loop written for ACPI only", func(t *acpi.ERST) int {
			return replaceAction(t, acpi.CheckBusyStatus,
				ent(0, acpi.SkipNextInstructionIfTrue, reg32(cmdReg+4), 0, 1),
				ent(0, acpi.Goto, acpi.GAS{}, 0, 0),
				ent(0, acpi.ReadRegisterValue, reg32(cmdReg+4), 1, 1))
		}, []want{{CodeRunningValue, at, "compares the register with the running value"}, {CodeRunningValue, anyEntry, "jumps to the running value"}}},
		{"loop only Linux never leaves", func(t *acpi.ERST) int {
			return replaceAction(t, acpi.ExecuteOperation,
				noop(0),
				ent(0, acpi.WriteRegisterValue, scratch, 1, 0xffffffff),
				ent(0, acpi.Goto, acpi.GAS{}, 3, 0),
				ent(0, acpi.WriteRegisterValue, acpi.GAS{Space: acpi.SystemIO, BitWidth: 8, AccessSize: 1, Address: 0xb2}, 0x9c, 0xff)) + 2
		}, []want{{CodeEndlessLoop, at, "always finds 0x1 there and jumps to instruction 1"}, {CodeRunningValue, at, "so Linux jumps to instruction 1"}}},
		{"loop with a register read: endless under ACPI, not under Linux", func(t *acpi.ERST) int {
			return replaceAction(t, acpi.CheckBusyStatus,
				ent(0, acpi.ReadRegister, reg32(cmdReg+4), 0, 1),
				ent(0, acpi.Goto, acpi.GAS{}, 0, 0)) + 1
		}, []want{{CodeEndlessLoop, at, "under the ACPI reading"}, {CodeRunningValue, at, "whatever entry"}}},
		{"too many states to analyse", func(t *acpi.ERST) int {
			// An opaque GOTO first, then NOOPs that constants jump into.
			es := []acpi.Entry{ent(0, acpi.Goto, acpi.GAS{}, 0, 0)}
			for range 400 {
				es = append(es, noop(0))
			}
			for k := range 400 {
				es = append(es, ent(0, acpi.WriteRegisterValue, scratch, uint64(k+1), 0xffffffff), ent(0, acpi.Goto, acpi.GAS{}, uint64(k+1), 0))
			}
			return replaceAction(t, acpi.ExecuteOperation, es...)
		}, []want{{CodeAnalysisLimit, at, "Linux's reading"}, {CodeEndlessLoop, anyEntry, ""}, {CodeRunningValue, anyEntry, ""}}},
	} {
		cases++
		t.Run(tc.name, func(t *testing.T) {
			ran++
			tbl := goodTable()
			idx := tc.edit(tbl)
			fs := Check(tbl, nil)
			checkWellFormed(t, tbl, fs)
			var codes []string
			for _, w := range tc.want {
				if !slices.Contains(codes, w.code) {
					codes = append(codes, w.code)
				}
				entry := w.entry
				if entry == at {
					entry = idx
				}
				found := false
				for _, f := range fs {
					if f.Code == w.code && (w.entry == anyEntry || f.Entry == entry) && strings.Contains(f.Message, w.text) {
						found = true
					}
				}
				if !found {
					t.Errorf("no %s finding at entry %d saying %q", w.code, entry, w.text)
				}
				seenCodes[w.code] = true
			}
			sort.Strings(codes)
			if got := codeSet(fs); !slices.Equal(got, codes) {
				t.Errorf("codes %q, want %q", got, codes)
			}
			if t.Failed() || testing.Verbose() {
				t.Logf("findings:\n%s", findingLines(fs))
			}
		})
	}
	for _, r := range Rules {
		if ran == cases && !seenCodes[r.Code] {
			t.Errorf("no test case produces %s", r.Code)
		}
	}
}

func TestFindingJSON(t *testing.T) {
	fs := []Finding{
		{Severity: Error, Code: CodeChecksum, Entry: -1, Message: "bad"},
		{Severity: Info, Code: CodeMissingTimings, Entry: 0, Message: "m"},
		{Severity: Warning, Code: CodeMaskWiderThanReg, Entry: 12, Message: `"q"`},
	}
	got, err := json.Marshal(fs)
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"severity":"error","code":"checksum","entry":null,"message":"bad"},` +
		`{"severity":"info","code":"missing-timings","entry":0,"message":"m"},` +
		`{"severity":"warning","code":"mask-wider-than-register","entry":12,"message":"\"q\""}]`
	if string(got) != want {
		t.Errorf("JSON\n%s\nwant\n%s", got, want)
	}
	var back []Finding
	if err := json.Unmarshal(got, &back); err != nil || !slices.Equal(back, fs) {
		t.Errorf("decoded %v, %v; want %v", back, err, fs)
	}
	if err := json.Unmarshal([]byte(`{"severity":"fatal"}`), &back[0]); err == nil {
		t.Error("severity \"fatal\" decoded without error")
	}
	if _, err := json.Marshal(Finding{Severity: 7}); err == nil {
		t.Error("severity 7 encoded without error")
	}
}

func TestFindingString(t *testing.T) {
	for _, tc := range []struct {
		f    Finding
		want string
	}{
		{Finding{Error, CodeChecksum, -1, "m"}, "error [checksum] m"},
		{Finding{Warning, CodeMaskWiderThanReg, 5, "m"}, "warning [mask-wider-than-register] entry 5: m"},
		{Finding{Severity(9), "x", -1, "m"}, "Severity(9) [x] m"},
	} {
		if got := tc.f.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
}

// TestDecodeLengthBelowHeader: Decode accepts a table whose Length is
// below the 48-byte header when the header's bytes are there, so that
// Check can report CodeLength (and only what the header shows); what
// acpi.DecodeERST refuses otherwise, Decode refuses too.
func TestDecodeLengthBelowHeader(t *testing.T) {
	good := goodTable()
	good.Finalize()
	raw := good.Encode()
	binary.LittleEndian.PutUint32(raw[4:], 40)
	if _, err := acpi.DecodeERST(raw); !errors.Is(err, acpi.ErrLength) {
		t.Fatalf("acpi.DecodeERST: %v, want ErrLength", err)
	}
	tbl, err := Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	if tbl.Header.Length != 40 || len(tbl.Entries) != 0 {
		t.Errorf("Decode: Length %d, %d entries; want 40 and none", tbl.Header.Length, len(tbl.Entries))
	}
	fs := Check(tbl, raw)
	if got := codeSet(fs); !slices.Equal(got, []string{CodeChecksum, CodeLength}) || !hasFinding(fs, Error, CodeLength, -1, "Length is 40") {
		t.Errorf("Check: %v\n%s", got, findingLines(fs))
	}
	for _, b := range [][]byte{raw[:44], append([]byte("FACP"), raw[4:]...)} {
		if _, err := Decode(b); err == nil {
			t.Errorf("Decode(% x...) succeeded", b[:8])
		}
	}
	if tbl, err := Decode(good.Encode()); err != nil || len(tbl.Entries) != len(good.Entries) {
		t.Errorf("Decode of a good table: %v", err)
	}
}

// TestSeverityRubric: severities follow the rubric of Severity. A bad
// checksum is a warning (Linux logs it and uses the table); the 0x0C
// filler is info (no OS runs it); other reserved actions stay warnings.
func TestSeverityRubric(t *testing.T) {
	for code, want := range map[string]Severity{CodeChecksum: Warning, CodeFillerAction: Info, CodeUnknownAction: Warning, CodeLength: Error} {
		if severityOf[code] != want {
			t.Errorf("%s is %v, want %v", code, severityOf[code], want)
		}
	}
}
