// Package lint checks an ERST table (ACPI 6.5 §18.5) against what the
// ACPI specification, Linux and QEMU require of it, and explains each
// problem so that a firmware engineer can fix it: what is wrong, where,
// and what an OS does about it ("Linux rejects the table", "Linux fixes
// this up", ...).
//
// The Linux rules follow drivers/acpi/apei/apei-base.c (apei_check_gar,
// __apei_exec_run, apei_exec_collect_resources) and erst.c
// (erst_check_table, erst_init, the erst_exec_* instructions). Where Linux
// reads a table differently from the specification (it takes the GOTO
// target, STALL time and SKIP comparison from the running value rather
// than from the entry's Value field) the finding says both.
package lint

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/goerst/erst/acpi"
)

// Severity says how much a finding matters.
type Severity uint8

// Severities, in increasing order.
const (
	// Info is worth knowing; nothing fails because of it.
	Info Severity = iota
	// Warning breaks the specification or works only by luck (an OS
	// fix-up, a lenient device), but Linux uses the table.
	Warning
	// Error makes Linux reject the table or an operation fail, or breaks
	// the specification in a way that an OS cannot work around.
	Error
)

var severityNames = [...]string{Info: "info", Warning: "warning", Error: "error"}

// String returns "info", "warning" or "error".
func (s Severity) String() string {
	if int(s) < len(severityNames) {
		return severityNames[s]
	}
	return fmt.Sprintf("Severity(%d)", uint8(s))
}

// MarshalText encodes s as its name.
func (s Severity) MarshalText() ([]byte, error) {
	if int(s) >= len(severityNames) {
		return nil, fmt.Errorf("lint: invalid severity %d", uint8(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText decodes a severity name.
func (s *Severity) UnmarshalText(b []byte) error {
	for i, n := range severityNames {
		if string(b) == n {
			*s = Severity(i)
			return nil
		}
	}
	return fmt.Errorf("lint: unknown severity %q", b)
}

// Finding is one problem in a table.
type Finding struct {
	Severity Severity
	Code     string // stable identifier, one of the Code* constants
	Entry    int    // index into the table's entries, or -1 for the table as a whole
	Message  string // what is wrong, what an OS does about it, how to fix it
}

// findingJSON is Finding on the wire: entry is null for the whole table.
type findingJSON struct {
	Severity Severity `json:"severity"`
	Code     string   `json:"code"`
	Entry    *int     `json:"entry"`
	Message  string   `json:"message"`
}

// MarshalJSON encodes f as {"severity","code","entry","message"}, with
// entry null when the finding is about the whole table.
func (f Finding) MarshalJSON() ([]byte, error) {
	j := findingJSON{Severity: f.Severity, Code: f.Code, Message: f.Message}
	if f.Entry >= 0 {
		j.Entry = &f.Entry
	}
	return json.Marshal(j)
}

// UnmarshalJSON decodes what MarshalJSON writes.
func (f *Finding) UnmarshalJSON(b []byte) error {
	var j findingJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*f = Finding{Severity: j.Severity, Code: j.Code, Entry: -1, Message: j.Message}
	if j.Entry != nil {
		f.Entry = *j.Entry
	}
	return nil
}

// String formats f on one line: "error [checksum] message" or
// "warning [mask-wider-than-register] entry 5: message".
func (f Finding) String() string {
	if f.Entry >= 0 {
		return fmt.Sprintf("%s [%s] entry %d: %s", f.Severity, f.Code, f.Entry, f.Message)
	}
	return fmt.Sprintf("%s [%s] %s", f.Severity, f.Code, f.Message)
}

// Finding codes. Each has one severity, given in [Rules].
const (
	CodeLength             = "length"
	CodeChecksum           = "checksum"
	CodeEntryCount         = "entry-count"
	CodeTrailingBytes      = "trailing-bytes"
	CodeHeaderLength       = "header-length"
	CodeReservedNonzero    = "reserved-nonzero"
	CodeUnknownAction      = "unknown-action"
	CodeFillerAction       = "filler-action"
	CodeUnknownInstruction = "unknown-instruction"
	CodeMissingAction      = "missing-action"
	CodeMissingOptional    = "missing-optional-action"
	CodeMissingTimings     = "missing-timings"
	CodeGASAddress         = "gas-address"
	CodeGASAccessSize      = "gas-access-size"
	CodeGASAccessFixup     = "gas-access-fixup"
	CodeGASBitRange        = "gas-bit-range"
	CodeGASSpace           = "gas-space"
	CodeGASIOWidth         = "gas-io-width"
	CodeGASIORange         = "gas-io-range"
	CodeMaskWiderThanReg   = "mask-wider-than-register"
	CodeRegisterOverlap    = "register-overlap"
	CodeRegisterMixedWidth = "register-mixed-width"
	CodeGotoTarget         = "goto-target"
	CodeEndlessLoop        = "endless-loop"
	CodeStallTooLong       = "stall-too-long"
	CodeRunningValue       = "running-value"
	CodeAnalysisLimit      = "analysis-limit"
)

// Rule describes one finding code.
type Rule struct {
	Code     string
	Severity Severity
	Summary  string
}

// Rules lists every code [Check] reports, with its severity.
var Rules = []Rule{
	{CodeLength, Error, "Length is shorter than the 48-byte ERST header"},
	{CodeChecksum, Warning, "the table's bytes do not sum to zero (Linux warns and uses the table)"},
	{CodeEntryCount, Error, "Instruction Entry Count disagrees with Length"},
	{CodeTrailingBytes, Warning, "Length leaves bytes after the last whole entry"},
	{CodeHeaderLength, Error, "Serialization Header Length is neither 48 nor 12"},
	{CodeReservedNonzero, Warning, "a reserved field or flag bit is not zero"},
	{CodeUnknownAction, Warning, "an entry has a reserved action code"},
	{CodeFillerAction, Info, "an entry has the reserved action 0x0C, the filler much firmware uses; no OS runs it"},
	{CodeUnknownInstruction, Error, "an entry has a reserved instruction code"},
	{CodeMissingAction, Error, "an action Linux needs has no entries"},
	{CodeMissingOptional, Warning, "a BEGIN_* or END_OPERATION action has no entries"},
	{CodeMissingTimings, Info, "GET_EXECUTE_OPERATION_TIMINGS (ACPI 6.3+) has no entries"},
	{CodeGASAddress, Error, "a register's address is 0"},
	{CodeGASAccessSize, Error, "a register's Access Size is outside 1..4"},
	{CodeGASAccessFixup, Warning, "a register's access is narrower than its width; Linux raises it"},
	{CodeGASBitRange, Error, "Bit Width + Bit Offset exceed the access width"},
	{CodeGASSpace, Error, "a register is in a space other than SystemMemory or SystemIO"},
	{CodeGASIOWidth, Error, "a 64-bit access to an I/O port"},
	{CodeGASIORange, Error, "an I/O register beyond port 0xFFFF"},
	{CodeMaskWiderThanReg, Warning, "Mask has bits beyond the register's Bit Width"},
	{CodeRegisterOverlap, Warning, "two registers' accesses partly overlap"},
	{CodeRegisterMixedWidth, Info, "one register is accessed with different widths"},
	{CodeGotoTarget, Error, "a GOTO's target is outside its action"},
	{CodeEndlessLoop, Error, "an action can loop forever"},
	{CodeStallTooLong, Warning, "a STALL is longer than Linux allows (50 µs)"},
	{CodeRunningValue, Warning, "Linux takes an operand from the running value, not from Value"},
	{CodeAnalysisLimit, Info, "an action is too complex to analyse fully"},
}

var severityOf = func() map[string]Severity {
	m := make(map[string]Severity, len(Rules))
	for _, r := range Rules {
		m[r.Code] = r.Severity
	}
	return m
}()

// HasErrors reports whether any finding has severity [Error].
func HasErrors(fs []Finding) bool {
	for _, f := range fs {
		if f.Severity == Error {
			return true
		}
	}
	return false
}

// FillerAction is the reserved action code (ACPI 6.5 Table 18.27) that
// much AMI-based firmware uses for a filler entry. No OS runs it, so [Check]
// reports it as [CodeFillerAction] ([Info]), not as [CodeUnknownAction].
const FillerAction acpi.Action = 0x0C

// Linux limits (drivers/acpi/apei/erst.c).
const (
	// FirmwareMaxStall is FIRMWARE_MAX_STALL: Linux caps every STALL and
	// STALL_WHILE_TRUE interval at 50 µs.
	FirmwareMaxStall = 50
	// ioSpaceLimit is the end of the x86 I/O port space.
	ioSpaceLimit = 0x10000
)

// Check returns the problems of table t, whose bytes as read are raw (nil
// means t.Encode()); [Decode] reads raw into a table Check accepts. Errors come first, then warnings, then infos; within
// a severity, findings about the whole table come before those about
// entries, in entry order.
func Check(t *acpi.ERST, raw []byte) []Finding {
	if raw == nil {
		raw = t.Encode()
	}
	c := &checker{t: t}
	c.header(raw)
	// Below the 48-byte header, Length holds no entries and Linux rejects
	// the table before looking at any (erst_check_table): the header's
	// findings are all there is to say.
	if t.Header.Length >= acpi.ERSTHeaderSize {
		for i := range t.Entries {
			c.entry(i)
		}
		c.actions()
		c.registers()
	}
	sort.SliceStable(c.out, func(i, j int) bool {
		a, b := c.out[i], c.out[j]
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		return a.Entry < b.Entry
	})
	return c.out
}

type checker struct {
	t   *acpi.ERST
	out []Finding
}

func (c *checker) add(code string, entry int, format string, args ...any) {
	sev, ok := severityOf[code]
	if !ok {
		panic("lint: finding code " + code + " is not in Rules")
	}
	c.out = append(c.out, Finding{Severity: sev, Code: code, Entry: entry, Message: fmt.Sprintf(format, args...)})
}

// where names an entry by its action and instruction.
func (c *checker) where(i int) string {
	e := &c.t.Entries[i]
	return e.Action.String() + "/" + e.Instruction.String()
}

func (c *checker) header(raw []byte) {
	t := c.t
	length := t.Header.Length
	if int(length) <= len(raw) {
		raw = raw[:length]
	}
	if sum := acpi.Sum(raw); sum != 0 {
		c.add(CodeChecksum, -1,
			"Checksum is 0x%02X but should be 0x%02X: the table's %d bytes sum to 0x%02X, not 0 (ACPI 6.5 §5.2.6). "+
				"Linux only logs \"Incorrect checksum in table [ERST]\" and uses the table; fwts fails it and other OSes may reject it. "+
				"Recompute the checksum after the last change to the table.",
			t.Header.Checksum, t.Header.Checksum-sum, len(raw), sum)
	}
	if length < acpi.ERSTHeaderSize {
		c.add(CodeLength, -1,
			"Length is %d, shorter than the %d-byte ERST header. Linux's erst_check_table rejects the table (\"[Firmware Bug]: ERST table is invalid.\") and does not use ERST.",
			length, acpi.ERSTHeaderSize)
	} else {
		body := length - acpi.ERSTHeaderSize
		holds := body / acpi.EntrySize
		if t.EntryCount != holds {
			c.add(CodeEntryCount, -1,
				"Instruction Entry Count is %d but Length %d holds (%d - 48) / 32 = %d entries. "+
					"Linux's erst_check_table requires them to agree: it logs \"[Firmware Bug]: ERST table is invalid.\" and does not use ERST. "+
					"ACPICA's disassembler shows the %d entries that Length holds. Make the count %d, or Length %d for %d entries.",
				t.EntryCount, length, length, holds, holds, holds,
				uint64(acpi.ERSTHeaderSize)+uint64(t.EntryCount)*acpi.EntrySize, t.EntryCount)
		}
		if rest := body % acpi.EntrySize; rest != 0 {
			c.add(CodeTrailingBytes, -1,
				"Length %d leaves %d bytes after the last whole entry. Linux ignores them (it rounds the entry count down); ACPICA shows them as a partial entry. "+
					"Make Length 48 + 32 × the number of entries.",
				length, rest)
		}
	}
	switch t.HeaderLength {
	case acpi.ERSTHeaderSize, acpi.ERSTHeaderSize - acpi.HeaderSize:
	default:
		c.add(CodeHeaderLength, -1,
			"Serialization Header Length is %d. Linux accepts only 48 (the whole header, as ACPI means) or 12 (the ERST part alone, as much firmware writes); "+
				"anything else makes erst_check_table reject the table (\"[Firmware Bug]: ERST table is invalid.\") and Linux does not use ERST. Use 48.",
			t.HeaderLength)
	}
	if t.Reserved != 0 {
		c.add(CodeReservedNonzero, -1,
			"the Reserved field at offset 40 is 0x%X; ACPI 6.5 Table 18.25 requires 0. Linux ignores it, but a later revision of the specification may give it a meaning. Write 0.",
			t.Reserved)
	}
}

func (c *checker) entry(i int) {
	e := &c.t.Entries[i]
	w := c.where(i)
	if !e.Action.Known() {
		code, filler := CodeUnknownAction, ""
		if e.Action == FillerAction {
			code, filler = CodeFillerAction, " Much (AMI-based) firmware puts such a filler at 0x0C."
		}
		if e.Instruction.AccessesRegister() {
			c.add(code, i,
				"%s: action 0x%02X is reserved (ACPI 6.5 Table 18.27), so no OS runs this entry. Linux still checks and maps its register at boot, so a bad register here makes Linux reject the table.%s "+
					"Remove the entry or give it a defined action.",
				w, uint8(e.Action), filler)
		} else {
			c.add(code, i,
				"%s: action 0x%02X is reserved (ACPI 6.5 Table 18.27), so no OS runs this entry; as its instruction touches no register, Linux ignores it entirely.%s "+
					"Remove the entry or give it a defined action.",
				w, uint8(e.Action), filler)
		}
	}
	if !e.Instruction.Known() {
		c.add(CodeUnknownInstruction, i,
			"%s: instruction 0x%02X is reserved (ACPI 6.5 Table 18.28). Linux rejects the whole table (\"Invalid action table, unknown instruction type: %d\") and does not use ERST, whatever the entry's action.",
			w, uint8(e.Instruction), uint8(e.Instruction))
	}
	if rsvd := e.Flags &^ acpi.FlagPreserveRegister; rsvd != 0 {
		c.add(CodeReservedNonzero, i,
			"%s: Flags is 0x%02X, which sets the reserved bits 0x%02X; only bit 0 (PRESERVE_REGISTER) is defined (ACPI 6.5 Table 18.26). Linux ignores the other bits. Clear them.",
			w, e.Flags, rsvd)
	}
	if e.Reserved != 0 {
		c.add(CodeReservedNonzero, i,
			"%s: the Reserved byte is 0x%02X; ACPI 6.5 Table 18.26 requires 0. Linux ignores it. Write 0.",
			w, e.Reserved)
	}
	if e.Instruction.AccessesRegister() {
		c.register(i)
	}
	if e.Instruction == acpi.Stall && e.Value > FirmwareMaxStall {
		c.add(CodeStallTooLong, i,
			"%s: STALL of %d µs (its Value). Linux caps every STALL at %d µs (FIRMWARE_MAX_STALL) and logs \"Too long stall time for stall instruction\", so the firmware gets a shorter delay than it asks for. "+
				"Stall in steps of at most %d µs, or poll with STALL_WHILE_TRUE.",
			w, e.Value, FirmwareMaxStall, FirmwareMaxStall)
	}
}

// accessBits returns the access width Linux uses for g (apei_check_gar,
// after its fix-up) and whether the fix-up changed it; 0 when the Access
// Size is invalid.
func accessBits(g acpi.GAS) (bits int, fixed bool) {
	bits = g.AccessSize.Bits()
	if bits == 0 {
		return 0, false
	}
	switch {
	case g.BitWidth == 32 && g.BitOffset == 0 && g.Address&3 == 0 && bits < 32:
		return 32, true
	case g.BitWidth == 64 && g.BitOffset == 0 && g.Address&7 == 0 && bits < 64:
		return 64, true
	}
	return bits, false
}

// gasString is Linux's "[addr/width/offset/access/space]" for a GAR.
func gasString(g acpi.GAS) string {
	return fmt.Sprintf("[0x%x/%d/%d/%d/%d]", g.Address, g.BitWidth, g.BitOffset, uint8(g.AccessSize), uint8(g.Space))
}

// register checks the GAS of entry i as Linux's apei_check_gar does, and
// the rest of what it takes for the access to touch the register only.
func (c *checker) register(i int) {
	e := &c.t.Entries[i]
	g := e.Register
	w := c.where(i)
	if g.Address == 0 {
		c.add(CodeGASAddress, i,
			"%s: the register address is 0. Linux rejects the table (\"[Firmware Bug]: APEI: Invalid physical address in GAR %s\") and does not use ERST. Fill in the register's address.",
			w, gasString(g))
	}
	bits, fixed := accessBits(g)
	if bits == 0 {
		c.add(CodeGASAccessSize, i,
			"%s: Access Size is %d; Linux needs 1 (byte), 2 (word), 3 (dword) or 4 (qword) and rejects the table (\"[Firmware Bug]: APEI: Invalid access size code in GAR %s\"), so ERST is not used. "+
				"ACPI's 0 (undefined, legacy) is not accepted for APEI registers. Set the access size the register needs.",
			w, uint8(g.AccessSize), gasString(g))
	} else {
		declared := g.AccessSize.Bits()
		if fixed {
			c.add(CodeGASAccessFixup, i,
				"%s: Register Bit Width is %d but Access Size is %d (%d bits). Linux fixes this common BIOS bug up and accesses the register as %d bits (apei_check_gar); "+
					"an OS without the fix-up accesses only %d bits. Set Access Size to %d.",
				w, g.BitWidth, uint8(g.AccessSize), declared, bits, declared, map[int]int{32: 3, 64: 4}[bits])
		}
		if end := int(g.BitWidth) + int(g.BitOffset); end > bits {
			hint := ""
			if (g.BitWidth == 32 || g.BitWidth == 64) && g.BitOffset == 0 {
				hint = fmt.Sprintf(" (Linux would raise the access to %d bits, but only at a %d-byte aligned address; 0x%X is not)", g.BitWidth, g.BitWidth/8, g.Address)
			}
			c.add(CodeGASBitRange, i,
				"%s: Register Bit Width %d + Bit Offset %d = %d bits do not fit the %d-bit access%s. Linux rejects the table (\"[Firmware Bug]: APEI: Invalid bit width + offset in GAR %s\") and does not use ERST. "+
					"Make the access at least as wide as the register.",
				w, g.BitWidth, g.BitOffset, end, bits, hint, gasString(g))
		}
	}
	switch g.Space {
	case acpi.SystemMemory:
	case acpi.SystemIO:
		if bits == 64 {
			c.add(CodeGASIOWidth, i,
				"%s: a 64-bit access to I/O port 0x%X. x86 has no 64-bit port access: Linux's acpi_os_read_port/acpi_os_write_port refuse widths above 32 (older kernels hit BUG()), "+
					"so this instruction, and every operation that runs it, fails. Use at most a DWord access.",
				w, g.Address)
		}
		if size := uint64(max(bits, 8) / 8); g.Address >= ioSpaceLimit || g.Address+size > ioSpaceLimit {
			c.add(CodeGASIORange, i,
				"%s: I/O port 0x%X is beyond the 64 KiB x86 port space. Linux cannot reserve it (\"APEI: Can not request [io ...] for APEI ERST registers\") and does not use ERST. Check the address and the space.",
				w, g.Address)
		}
	default:
		c.add(CodeGASSpace, i,
			"%s: the register is in address space %v (0x%02X). Linux accepts only SystemMemory (0) and SystemIO (1) for APEI registers and rejects the table (\"[Firmware Bug]: APEI: Invalid address space type in GAR %s\"), so ERST is not used.",
			w, g.Space, uint8(g.Space), gasString(g))
	}
	if g.BitWidth < 64 && e.Mask>>g.BitWidth != 0 {
		regMask := uint64(1)<<g.BitWidth - 1
		consequence := fmt.Sprintf("Here the access is only %d bits, so nothing outside the register is touched, but the table says two different things about the register's size.", bits)
		if bits > int(g.BitWidth)+int(g.BitOffset) && (e.Mask<<g.BitOffset)>>(int(g.BitWidth)+int(g.BitOffset)) != 0 {
			consequence = fmt.Sprintf("Here the access is %d bits wide, so Linux reads and writes bits of the access outside the register, that is, neighbouring registers.", bits)
		} else if bits == 0 {
			consequence = "The access size is invalid, so nothing can be said about what an access touches."
		}
		c.add(CodeMaskWiderThanReg, i,
			"%s: Mask 0x%X is wider than the %d-bit register (Register Bit Width %d). Linux masks with Mask, not with Bit Width: it keeps all Mask bits of what it reads and writes. %s Set Mask to 0x%X.",
			w, e.Mask, g.BitWidth, g.BitWidth, consequence, e.Mask&regMask)
	}
}

// Actions that Linux runs with apei_exec_run_optional: BEGIN_* and END.
// Linux never uses BEGIN_DUMMY_WRITE_OPERATION at all.
var optionalActions = []acpi.Action{
	acpi.BeginWriteOperation, acpi.BeginReadOperation, acpi.BeginClearOperation,
	acpi.EndOperation, acpi.BeginDummyWriteOperation,
}

// Actions Linux runs with apei_exec_run, which fails with -ENOENT when an
// action has no entries, and what then fails.
var mandatoryActions = []struct {
	a      acpi.Action
	effect string
}{
	{acpi.SetRecordOffset, "every record write and read fails with -ENOENT"},
	{acpi.ExecuteOperation, "every record write, read and clear fails with -ENOENT"},
	{acpi.CheckBusyStatus, "every record write, read and clear fails with -ENOENT"},
	{acpi.GetCommandStatus, "every record write, read and clear fails with -ENOENT"},
	{acpi.GetRecordIdentifier, "Linux cannot list the stored records, so pstore and erst-dbg see none"},
	{acpi.SetRecordIdentifier, "every record read and clear fails with -ENOENT"},
	{acpi.GetRecordCount, "the record count (erst-dbg's APEI_ERST_GET_RECORD_COUNT) fails with -ENOENT"},
}

// The actions erst_init runs at boot to find the Error Log Address Range.
var rangeActions = []acpi.Action{
	acpi.GetErrorLogAddressRange, acpi.GetErrorLogAddressLength, acpi.GetErrorLogAddressRangeAttributes,
}

func (c *checker) actions() {
	entries := map[acpi.Action][]int{}
	var order []acpi.Action
	for i, e := range c.t.Entries {
		if _, ok := entries[e.Action]; !ok {
			order = append(order, e.Action)
		}
		entries[e.Action] = append(entries[e.Action], i)
	}

	var missing []string
	for _, a := range rangeActions {
		if len(entries[a]) == 0 {
			missing = append(missing, a.String())
		}
	}
	if len(missing) > 0 {
		them := "them"
		if len(missing) == 1 {
			them = "it"
		}
		c.add(CodeMissingAction, -1,
			"missing %s: Linux runs the three GET_ERROR_LOG_ADDRESS_* actions (range, length, attributes) at boot to find the Error Log Address Range (erst_get_erange); "+
				"without %s it logs \"ERST: Failed to get Error Log Address Range.\" and will not use ERST on this machine. Add %s (ACPI 6.5 §18.5.1.1).",
			joinAnd(missing), them, them)
	}
	for _, m := range mandatoryActions {
		if len(entries[m.a]) == 0 {
			c.add(CodeMissingAction, -1,
				"missing %s: Linux treats this action as mandatory, so %s. Add the action (ACPI 6.5 §18.5.1.1).",
				m.a, m.effect)
		}
	}
	for _, a := range optionalActions {
		if len(entries[a]) == 0 {
			why := "Linux runs it only when present (apei_exec_run_optional) and works without it, but ACPI requires it and the firmware then cannot tell which operation EXECUTE_OPERATION is for"
			if a == acpi.BeginDummyWriteOperation {
				why = "Linux never uses it, but ACPI requires it: it lets an OS exercise the write path without storing a record"
			}
			c.add(CodeMissingOptional, -1, "missing %s: %s. Add the action (ACPI 6.5 §18.5.1.1).", a, why)
		}
	}
	if len(entries[acpi.GetExecuteOperationTimings]) == 0 {
		c.add(CodeMissingTimings, -1,
			"missing GET_EXECUTE_OPERATION_TIMINGS. The action exists since ACPI 6.3; Linux treats it as optional and then assumes its default 1 ms timeout for an operation, "+
				"which slow (flash-backed) stores exceed. Add it if the table claims ACPI 6.3 or later.")
	}

	for _, a := range order {
		c.sequence(a, entries[a])
	}
}

// joinAnd joins names as "A, B and C".
func joinAnd(names []string) string {
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// Decode decodes the table in raw for [Check]. It is [acpi.DecodeERST], except
// that a Length below the 48-byte ERST header is not an error where the
// header's bytes are there: that is a problem of the table, which Check
// reports as [CodeLength] (Linux's erst_check_table rejects it), not a
// reason it cannot be checked. The table keeps the Length it has and has
// no entries.
func Decode(raw []byte) (*acpi.ERST, error) {
	t, err := acpi.DecodeERST(raw)
	if err == nil || !errors.Is(err, acpi.ErrLength) || len(raw) < acpi.ERSTHeaderSize {
		return t, err
	}
	h, herr := acpi.DecodeHeader(raw)
	if herr != nil || h.Length >= acpi.ERSTHeaderSize {
		return t, err
	}
	b := bytes.Clone(raw[:acpi.ERSTHeaderSize])
	binary.LittleEndian.PutUint32(b[4:], acpi.ERSTHeaderSize) // Length: the header alone
	if t, err = acpi.DecodeERST(b); err != nil {
		return nil, err
	}
	t.Header.Length = h.Length
	return t, nil
}
