package cper

import (
	"encoding/binary"
	"fmt"
)

// Processor sections: UEFI 2.10 §N.2.4.1 (generic), §N.2.4.2 (IA32/X64),
// §N.2.4.4 (ARM).

func init() {
	sectionDecoders[SectionTypeProcessorGeneric] = sectionDecoder{"Processor Generic Error Section", procGeneric.decode}
	sectionDecoders[SectionTypeIA32X64] = sectionDecoder{"IA32/X64 Processor Error Section", decodeIA32X64}
	sectionDecoders[SectionTypeARM] = sectionDecoder{"ARM Processor Error Section", decodeARM}
	for g, n := range map[string]string{
		ia32CacheCheck: "Cache Check", ia32TLBCheck: "TLB Check",
		ia32BusCheck: "Bus Check", ia32MSCheck: "MS Check",
	} {
		guidNames[mustGUID(g)] = n
	}
}

// §N.2.4.1 Table N-9 Processor Generic Error Section.
var procGeneric = &layout{
	name: "Processor Generic Error Section", size: 192, validSize: 8,
	fields: []field{
		f("Validation Bits", 0, 8).flags("Processor Type", "Processor ISA", "Processor Error Type", "Operation", "Flags", "Level",
			"CPU Version Info", "CPU Brand String", "Processor ID", "Target Address", "Requestor ID", "Responder ID", "Instruction IP"),
		f("Processor Type", 8, 1).v(0).enum(enumList("IA32/X64", "IA64", "ARM")),
		f("Processor ISA", 9, 1).v(1).enum(enumList("IA32", "IA64", "X64", "ARM A32/T32", "ARM A64")),
		f("Processor Error Type", 10, 1).v(2).flags("Cache Error", "TLB Error", "Bus Error", "Micro-Architectural Error"),
		f("Operation", 11, 1).v(3).enum(enumList("Unknown or generic", "Data Read", "Data Write", "Instruction Execution")),
		f("Flags", 12, 1).v(4).flags("Restartable", "Precise IP", "Overflow", "Corrected"),
		f("Level", 13, 1).v(5),
		f("Reserved", 14, 2).hex(),
		f("CPU Version Info", 16, 8).v(6).hex(),
		f("CPU Brand String", 24, 128).v(7).ascii(),
		f("Processor ID", 152, 8).v(8).hex(),
		f("Target Address", 160, 8).v(9).hex(),
		f("Requestor ID", 168, 8).v(10).hex(),
		f("Responder ID", 176, 8).v(11).hex(),
		f("Instruction IP", 184, 8).v(12).hex(),
	},
}

// §N.2.4.2 Table N-10 IA32/X64 Processor Error Section, fixed part.
var ia32Head = &layout{
	name: "IA32/X64 Processor Error Section", size: 64, validSize: 8,
	fields: []field{
		f("Validation Bits", 0, 8).hex().of(&layout{name: "Validation Bits", size: 8, fields: []field{
			f("Local APIC ID Valid", 0, 8).bits(0, 1).bool(),
			f("CPUID Info Valid", 0, 8).bits(1, 1).bool(),
			f("Processor Error Info Count", 0, 8).bits(2, 6),
			f("Processor Context Info Count", 0, 8).bits(8, 6),
		}}),
		f("Local APIC ID", 8, 8).v(0).hex(),
		// CPUID Info: the raw EAX, EBX, ECX, EDX of CPUID(1), 8 bytes each,
		// then 16 reserved bytes (§N.2.4.2; edk2 CpuIdInfo[48]).
		f("CPUID Info", 16, 48).v(1).raw().of(&layout{name: "CPUID Info", size: 48, fields: []field{
			f("EAX", 0, 8).hex(), f("EBX", 8, 8).hex(), f("ECX", 16, 8).hex(), f("EDX", 24, 8).hex(),
		}}),
	},
}

// Error structure types of the IA32/X64 processor error information
// structure (§N.2.4.2.1).
const (
	ia32CacheCheck = "a55701f5-e3ef-43de-ac72-249b573fad2c"
	ia32TLBCheck   = "fc06b535-5e1f-4562-9f25-0a3b9adb63c3"
	ia32BusCheck   = "1cf3f8b3-c5b1-49a2-aa59-5eef92ffa63c"
	ia32MSCheck    = "48ab7f57-dc34-4f6c-a7d3-b0b5b0a74314"
)

// §N.2.4.2.1 Table N-11 IA32/X64 Processor Error Information Structure.
var ia32ErrInfo = &layout{
	name: "IA32/X64 Processor Error Information Structure", size: 64, validOff: 16, validSize: 8,
	fields: []field{
		f("Error Structure Type", 0, 16).guid(),
		f("Validation Bits", 16, 8).flags("Check Info", "Target Address", "Requestor ID", "Responder ID", "Instruction Pointer"),
		f("Check Info", 24, 8).v(0).hex(), // decoded by type in decodeIA32X64
		f("Target Identifier", 32, 8).v(1).hex(),
		f("Requestor Identifier", 40, 8).v(2).hex(),
		f("Responder Identifier", 48, 8).v(3).hex(),
		f("Instruction Pointer", 56, 8).v(4).hex(),
	},
}

var ia32CheckOps = enumList("generic error", "generic read", "generic write", "data read", "data write",
	"instruction fetch", "prefetch", "eviction", "snoop")

// checkInfo builds the Cache/TLB/Bus check layouts (§N.2.4.2.2-4): bits
// 0..15 are the validation bits of the fields after them.
func checkInfo(name string, bus bool) *layout {
	l := &layout{name: name, size: 8, validSize: 2, fields: []field{
		f("Validation Bits", 0, 2).flags("Transaction Type", "Operation", "Level", "Processor Context Corrupt",
			"Uncorrected", "Precise IP", "Restartable IP", "Overflow", "Participation Type", "Time Out", "Address Space"),
		f("Transaction Type", 0, 8).bits(16, 2).v(0).enum(enumList("Instruction", "Data Access", "Generic")),
		f("Operation", 0, 8).bits(18, 4).v(1).enum(ia32CheckOps),
		f("Level", 0, 8).bits(22, 3).v(2),
		f("Processor Context Corrupt", 0, 8).bits(25, 1).v(3).bool(),
		f("Uncorrected", 0, 8).bits(26, 1).v(4).bool(),
		f("Precise IP", 0, 8).bits(27, 1).v(5).bool(),
		f("Restartable IP", 0, 8).bits(28, 1).v(6).bool(),
		f("Overflow", 0, 8).bits(29, 1).v(7).bool(),
	}}
	if bus {
		l.fields = append(l.fields,
			f("Participation Type", 0, 8).bits(30, 2).v(8).enum(enumList("Local processor originated request",
				"Local processor responded to request", "Local processor observed", "Generic")),
			f("Time Out", 0, 8).bits(32, 1).v(9).bool(),
			f("Address Space", 0, 8).bits(33, 2).v(10).enum(enumList("Memory Access", "Reserved", "I/O", "Other Transaction")),
		)
	}
	return l
}

var (
	ia32CacheCheckInfo = checkInfo("Cache Check", false)
	ia32TLBCheckInfo   = checkInfo("TLB Check", false)
	ia32BusCheckInfo   = checkInfo("Bus Check", true)
	// §N.2.4.2.5 Table N-15 MS Check Structure.
	ia32MSCheckInfo = &layout{name: "MS Check", size: 8, validSize: 2, fields: []field{
		f("Validation Bits", 0, 2).flags("Error Type", "Processor Context Corrupt", "Uncorrected", "Precise IP", "Restartable IP", "Overflow"),
		f("Error Type", 0, 8).bits(16, 3).v(0).enum(enumList("No Error", "Unclassified", "Microcode ROM Parity Error",
			"External Error", "FRC Error", "Internal Unclassified")),
		f("Processor Context Corrupt", 0, 8).bits(19, 1).v(1).bool(),
		f("Uncorrected", 0, 8).bits(20, 1).v(2).bool(),
		f("Precise IP", 0, 8).bits(21, 1).v(3).bool(),
		f("Restartable IP", 0, 8).bits(22, 1).v(4).bool(),
		f("Overflow", 0, 8).bits(23, 1).v(5).bool(),
	}}
	ia32CheckLayouts = map[GUID]*layout{
		mustGUID(ia32CacheCheck): ia32CacheCheckInfo,
		mustGUID(ia32TLBCheck):   ia32TLBCheckInfo,
		mustGUID(ia32BusCheck):   ia32BusCheckInfo,
		mustGUID(ia32MSCheck):    ia32MSCheckInfo,
	}
)

// §N.2.4.2.6 Table N-16 IA32/X64 Processor Context Information.
var ia32Context = &layout{
	name: "IA32/X64 Processor Context Information", size: 16,
	fields: []field{
		f("Register Context Type", 0, 2).enum(enumList("Unclassified Data", "MSR Registers", "32-bit Mode Execution Context",
			"64-bit Mode Execution Context", "FXSAVE Context", "32-bit Mode Debug Registers (DR0-DR7)",
			"64-bit Mode Debug Registers (DR0-DR7)", "Memory Mapped Registers")),
		f("Register Array Size", 2, 2),
		f("MSR Address", 4, 4).hex(),
		f("MM Register Address", 8, 8).hex(),
	},
}

// regs lays out consecutive registers of size bytes from off.
func regs(off, size int, names ...string) []field {
	out := make([]field, len(names))
	for i, n := range names {
		out[i] = f(n, off+i*size, size).hex()
	}
	return out
}

// §N.2.4.2.7 Table N-17 IA32 Register State (type 2) and Table N-18 X64
// Register State (type 3).
var (
	ia32Regs = &layout{name: "IA32 Register State", size: 92, fields: concat(
		regs(0, 4, "EAX", "EBX", "ECX", "EDX", "ESI", "EDI", "EBP", "ESP"),
		regs(32, 2, "CS", "DS", "SS", "ES", "FS", "GS"),
		regs(44, 4, "EFLAGS", "EIP", "CR0", "CR1", "CR2", "CR3", "CR4"),
		regs(72, 8, "GDTR", "IDTR"),
		regs(88, 2, "LDTR", "TR"),
	)}
	x64Regs = &layout{name: "X64 Register State", size: 244, fields: concat(
		regs(0, 8, "RAX", "RBX", "RCX", "RDX", "RSI", "RDI", "RBP", "RSP",
			"R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15"),
		regs(128, 2, "CS", "DS", "SS", "ES", "FS", "GS"),
		[]field{f("Reserved", 140, 4).hex()},
		regs(144, 8, "RFLAGS", "RIP", "CR0", "CR1", "CR2", "CR3", "CR4", "CR8"),
		regs(208, 16, "GDTR", "IDTR"),
		regs(240, 2, "LDTR", "TR"),
	)}
)

func concat(parts ...[]field) []field {
	var out []field
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// array decodes n structures of l, one after another from b[off:], each
// stride(b at its start) bytes long. It stops at the first that does not
// fit and says so.
func array(b []byte, off, n int, l *layout, stride func(elem []byte) int) ([]Fields, int, error) {
	items := []Fields{}
	for i := 0; i < n; i++ {
		if off > len(b) {
			return items, off, fmt.Errorf("%w: %s %d of %d starts at byte %d, past the end (%d)", ErrSectionShort, l.name, i, n, off, len(b))
		}
		fs, err := l.decode(b[off:])
		items = append(items, fs)
		if err != nil {
			return items, off, fmt.Errorf("%s %d of %d at byte %d: %w", l.name, i, n, off, err)
		}
		off += stride(b[off:])
	}
	return items, off, nil
}

func fixed(n int) func([]byte) int { return func([]byte) int { return n } }

func decodeIA32X64(b []byte) (Fields, error) {
	fs, err := ia32Head.decode(b)
	if err != nil {
		return fs, err
	}
	vb := binary.LittleEndian.Uint64(b)
	nErr, nCtx := int(vb>>2&0x3f), int(vb>>8&0x3f)

	infos, off, err := array(b, 64, nErr, ia32ErrInfo, fixed(64))
	for i, it := range infos {
		// Check Info decoded by the structure's type.
		start := 64 + 64*i
		if ci, ok := it.Get("Check Info"); ok && ci.Valid && start+40 <= len(b) {
			var g GUID
			copy(g[:], b[start:])
			if l, ok := ia32CheckLayouts[g]; ok {
				ci.Fields, _ = l.decode(b[start+24 : start+32])
				it[2] = ci
			}
		}
	}
	fs = append(fs, Field{Name: "Processor Error Information", Valid: true, Items: infos})
	if err != nil {
		return fs, err
	}

	ctxs := []Fields{}
	for i := 0; i < nCtx; i++ {
		c, err := ia32Context.decode(b[min(off, len(b)):])
		if err != nil {
			fs = append(fs, Field{Name: "Processor Context Information", Valid: true, Items: append(ctxs, c)})
			return fs, fmt.Errorf("context %d of %d at byte %d: %w", i, nCtx, off, err)
		}
		typ := binary.LittleEndian.Uint16(b[off:])
		size := int(binary.LittleEndian.Uint16(b[off+2:]))
		regStart := off + 16
		if regStart+size > len(b) {
			ctxs = append(ctxs, c)
			fs = append(fs, Field{Name: "Processor Context Information", Valid: true, Items: ctxs})
			return fs, fmt.Errorf("%w: context %d of %d declares a %d-byte register array at byte %d; the section ends at %d", ErrSectionShort, i, nCtx, size, regStart, len(b))
		}
		arr := b[regStart : regStart+size]
		c = append(c, registerArray(arr, map[uint64]*layout{2: ia32Regs, 3: x64Regs}[uint64(typ)]))
		ctxs = append(ctxs, c)
		off = regStart + size
	}
	fs = append(fs, Field{Name: "Processor Context Information", Valid: true, Items: ctxs})
	return fs, nil
}

// registerArray decodes a register array with l, or shows it as hex when
// there is no layout for its type or it is not l's size.
func registerArray(arr []byte, l *layout) Field {
	out := Field{Name: "Register Array", Valid: true, kind: kBytes, Bytes: arr, Text: fmt.Sprintf("%x", arr)}
	if l != nil && len(arr) >= l.size {
		out.Text = fmt.Sprintf("%d bytes", len(arr))
		out.Fields, _ = l.decode(arr)
	}
	return out
}

// §N.2.4.4 Table N-17 ARM Processor Error Section, fixed part.
var armHead = &layout{
	name: "ARM Processor Error Section", size: 40, validSize: 4,
	fields: []field{
		f("Validation Bits", 0, 4).flags("MPIDR", "Error Affinity Level", "Running State", "Vendor Specific Info"),
		f("Error Information Count", 4, 2),
		f("Context Information Count", 6, 2),
		f("Section Length", 8, 4),
		f("Error Affinity Level", 12, 1).v(1),
		f("Reserved", 13, 3).raw(),
		f("MPIDR_EL1", 16, 8).v(0).hex(),
		f("MIDR_EL1", 24, 8).hex(),
		f("Running State", 32, 4).v(2).flags("Running"),
		f("PSCI State", 36, 4).hex(),
	},
}

// §N.2.4.4.1 Table N-18 ARM Processor Error Information Structure.
//
// Type is a bit set, encoded two ways. The UEFI 2.9A errata and 2.10 put
// cache at bit 1, TLB at bit 2, bus at bit 3 and micro-architectural at
// bit 4, bit 0 reserved (Linux's cper-arm.c since 2024 and QEMU's GHES
// error injection write this); UEFI 2.11 and libcper count from bit 0
// (cache 0, TLB 1, bus 2, micro-architectural 3). This follows the 2.11
// encoding, as libcper's examples do: a 2.10 record's cache error (0x02)
// reads here as a TLB error. The raw Type is always shown beside the name.
var armErrInfo = &layout{
	name: "ARM Processor Error Information", size: 32, validOff: 2, validSize: 2,
	fields: []field{
		f("Version", 0, 1),
		f("Length", 1, 1),
		f("Validation Bits", 2, 2).flags("Multiple Error", "Flags", "Error Information", "Virtual Fault Address", "Physical Fault Address"),
		f("Type", 4, 1).flags("Cache Error", "TLB Error", "Bus Error", "Micro-Architectural Error"),
		f("Multiple Error", 5, 2).v(0),
		f("Flags", 7, 1).v(1).flags("First Error Captured", "Last Error Captured", "Propagated", "Overflow"),
		f("Error Information", 8, 8).v(2).hex(), // decoded by Type in decodeARM
		f("Virtual Fault Address", 16, 8).v(3).hex(),
		f("Physical Fault Address", 24, 8).v(4).hex(),
	},
}

var (
	armCacheOps = enumList("Generic Error", "Generic Read", "Generic Write", "Data Read", "Data Write",
		"Instruction Fetch", "Prefetch", "Eviction", "Snooping", "Snooped", "Management")
	armTLBOps = enumList("Generic Error", "Generic Read", "Generic Write", "Data Read", "Data Write",
		"Instruction Fetch", "Prefetch", "Local Management Operation", "External Management Operation")
)

// armCheck builds the ARM cache, TLB and bus error structures
// (§N.2.4.4.1 Tables N-19, N-20, N-21). Validation bits 0..6 are common;
// only the bus structure defines bits 7..11 (reserved in the other two).
func armCheck(name string, ops map[uint64]string, bus bool) *layout {
	valid := []string{"Transaction Type", "Operation", "Level", "Processor Context Corrupt",
		"Corrected", "Precise PC", "Restartable PC"}
	if bus {
		valid = append(valid, "Participation Type", "Time Out", "Address Space", "Memory Attributes", "Access Mode")
	}
	l := &layout{name: name, size: 8, validSize: 2, fields: []field{
		f("Validation Bits", 0, 2).flags(valid...),
		f("Transaction Type", 0, 8).bits(16, 2).v(0).enum(enumList("Instruction", "Data Access", "Generic")),
		f("Operation", 0, 8).bits(18, 4).v(1).enum(ops),
		f("Level", 0, 8).bits(22, 3).v(2),
		f("Processor Context Corrupt", 0, 8).bits(25, 1).v(3).bool(),
		f("Corrected", 0, 8).bits(26, 1).v(4).bool(),
		f("Precise PC", 0, 8).bits(27, 1).v(5).bool(),
		f("Restartable PC", 0, 8).bits(28, 1).v(6).bool(),
	}}
	if bus {
		l.fields = append(l.fields,
			f("Participation Type", 0, 8).bits(29, 2).v(7).enum(enumList("Local Processor Originated Request",
				"Local Processor Responded to Request", "Local Processor Observed", "Generic")),
			f("Time Out", 0, 8).bits(31, 1).v(8).bool(),
			f("Address Space", 0, 8).bits(32, 2).v(9).enum(map[uint64]string{0: "External Memory Access", 1: "Internal Memory Access", 3: "Device Memory Access"}),
			f("Memory Attributes", 0, 8).bits(34, 9).v(10).hex(),
			f("Access Mode", 0, 8).bits(43, 1).v(11).enum(enumList("Secure", "Normal")),
		)
	}
	return l
}

var armCheckLayouts = map[uint8]*layout{
	1: armCheck("Cache Error", armCacheOps, false),
	2: armCheck("TLB Error", armTLBOps, false),
	4: armCheck("Bus Error", armCacheOps, true),
}

// §N.2.4.4.2 Table N-22 ARM Processor Context Information header and the
// register arrays of Tables N-23 to N-30.
var (
	armContext = &layout{name: "ARM Processor Context Information", size: 8, fields: []field{
		f("Version", 0, 2),
		f("Register Context Type", 2, 2).enum(enumList("AArch32 General Purpose Registers", "AArch32 EL1 Context Registers",
			"AArch32 EL2 Context Registers", "AArch32 Secure Context Registers", "AArch64 General Purpose Registers",
			"AArch64 EL1 Context Registers", "AArch64 EL2 Context Registers", "AArch64 EL3 Context Registers",
			"Miscellaneous System Register Structure")),
		f("Register Array Size", 4, 4),
	}}
	armRegs = map[uint64]*layout{
		0: regSet("AArch32 GPRs", 4, "R0", "R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R9", "R10", "R11", "R12",
			"R13_sp", "R14_lr", "R15_pc"),
		1: regSet("AArch32 EL1", 4, "DFAR", "DFSR", "IFAR", "ISR", "MAIR0", "MAIR1", "MIDR", "MPIDR", "NMRR", "PRRR",
			"SCTLR_NS", "SPSR", "SPSR_abt", "SPSR_fiq", "SPSR_irq", "SPSR_svc", "SPSR_und", "TPIDRPRW", "TPIDRURO",
			"TPIDRURW", "TTBCR", "TTBR0", "TTBR1", "DACR"),
		2: regSet("AArch32 EL2", 4, "ELR_hyp", "HAMAIR0", "HAMAIR1", "HCR", "HCR2", "HDFAR", "HIFAR", "HPFAR", "HSR",
			"HTCR", "HTPIDR", "HTTBR", "SPSR_hyp", "VTCR", "VTTBR", "DACR32_EL2"),
		3: regSet("AArch32 secure", 4, "SCTLR_S", "SPSR_mon"),
		4: regSet("AArch64 GPRs", 8, "X0", "X1", "X2", "X3", "X4", "X5", "X6", "X7", "X8", "X9", "X10", "X11", "X12",
			"X13", "X14", "X15", "X16", "X17", "X18", "X19", "X20", "X21", "X22", "X23", "X24", "X25", "X26", "X27",
			"X28", "X29", "X30", "SP"),
		5: regSet("AArch64 EL1", 8, "ELR_EL1", "ESR_EL1", "FAR_EL1", "ISR_EL1", "MAIR_EL1", "MIDR_EL1", "MPIDR_EL1",
			"SCTLR_EL1", "SP_EL0", "SP_EL1", "SPSR_EL1", "TCR_EL1", "TPIDR_EL0", "TPIDR_EL1", "TPIDRRO_EL0",
			"TTBR0_EL1", "TTBR1_EL1"),
		6: regSet("AArch64 EL2", 8, "ELR_EL2", "ESR_EL2", "FAR_EL2", "HACR_EL2", "HCR_EL2", "HPFAR_EL2", "MAIR_EL2",
			"SCTLR_EL2", "SP_EL2", "SPSR_EL2", "TCR_EL2", "TPIDR_EL2", "TTBR0_EL2", "VTCR_EL2", "VTTBR_EL2"),
		7: regSet("AArch64 EL3", 8, "ELR_EL3", "ESR_EL3", "FAR_EL3", "MAIR_EL3", "SCTLR_EL3", "SP_EL3", "SPSR_EL3",
			"TCR_EL3", "TPIDR_EL3", "TTBR0_EL3"),
		// Table N-30: MRS encoding (op2:3, CRm:4, CRn:4, op1:3, o0:1) and the value.
		8: {name: "Miscellaneous System Register", size: 10, fields: []field{
			f("MRS Op2", 0, 2).bits(0, 3), f("MRS CRm", 0, 2).bits(3, 4), f("MRS CRn", 0, 2).bits(7, 4),
			f("MRS Op1", 0, 2).bits(11, 3), f("MRS O0", 0, 2).bits(14, 1), f("Value", 2, 8).hex(),
		}},
	}
)

func regSet(name string, size int, names ...string) *layout {
	return &layout{name: name, size: size * len(names), fields: regs(0, size, names...)}
}

func decodeARM(b []byte) (Fields, error) {
	fs, err := armHead.decode(b)
	if err != nil {
		return fs, err
	}
	nErr := int(binary.LittleEndian.Uint16(b[4:]))
	nCtx := int(binary.LittleEndian.Uint16(b[6:]))
	end := len(b)
	sl := int(binary.LittleEndian.Uint32(b[8:]))
	if sl >= 40 && sl < end {
		end = sl // Section Length bounds what follows
	}
	// The section's own length should be the descriptor's; when the
	// structures decode whole, a difference is still reported.
	var lenErr error
	if sl != len(b) {
		lenErr = fmt.Errorf("%w: ARM Section Length %d, the descriptor's SectionLength %d", ErrSectionLength, sl, len(b))
	}
	b = b[:end]

	infos, off, err := array(b, 40, nErr, armErrInfo, fixed(32))
	for i, it := range infos {
		start := 40 + 32*i
		if ei, ok := it.Get("Error Information"); ok && ei.Valid && start+16 <= len(b) {
			if l, ok := armCheckLayouts[b[start+4]]; ok {
				ei.Fields, _ = l.decode(b[start+8 : start+16])
				it[6] = ei
			}
		}
	}
	fs = append(fs, Field{Name: "Error Information", Valid: true, Items: infos})
	if err != nil {
		return fs, err
	}
	ctxs := []Fields{}
	for i := 0; i < nCtx; i++ {
		c, err := armContext.decode(b[min(off, len(b)):])
		if err != nil {
			fs = append(fs, Field{Name: "Context Information", Valid: true, Items: append(ctxs, c)})
			return fs, fmt.Errorf("context %d of %d at byte %d: %w", i, nCtx, off, err)
		}
		typ := binary.LittleEndian.Uint16(b[off+2:])
		size := int(binary.LittleEndian.Uint32(b[off+4:]))
		regStart := off + 8
		if size > len(b)-regStart {
			ctxs = append(ctxs, c)
			fs = append(fs, Field{Name: "Context Information", Valid: true, Items: ctxs})
			return fs, fmt.Errorf("%w: context %d of %d declares a %d-byte register array at byte %d; the section ends at %d", ErrSectionShort, i, nCtx, size, regStart, len(b))
		}
		c = append(c, registerArray(b[regStart:regStart+size], armRegs[uint64(typ)]))
		ctxs = append(ctxs, c)
		off = regStart + size
	}
	fs = append(fs, Field{Name: "Context Information", Valid: true, Items: ctxs})
	if off < len(b) {
		vs := binary.LittleEndian.Uint32(b)&(1<<3) != 0 // Vendor Specific Info Valid
		fs = append(fs, Field{Name: "Vendor Specific Error Info", Valid: vs, kind: kBytes, Bytes: b[off:], Text: fmt.Sprintf("%x", b[off:])})
	}
	return fs, lenErr
}
