package cper

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// wb builds a section body field by field, little-endian.
type wb struct{ b []byte }

func (w *wb) u8(v uint8) *wb   { w.b = append(w.b, v); return w }
func (w *wb) u16(v uint16) *wb { w.b = binary.LittleEndian.AppendUint16(w.b, v); return w }
func (w *wb) u32(v uint32) *wb { w.b = binary.LittleEndian.AppendUint32(w.b, v); return w }
func (w *wb) u64(v uint64) *wb { w.b = binary.LittleEndian.AppendUint64(w.b, v); return w }
func (w *wb) guid(s string) *wb {
	g := mustGUID(s)
	w.b = append(w.b, g[:]...)
	return w
}
func (w *wb) fill(n int, v byte) *wb { w.b = append(w.b, bytes.Repeat([]byte{v}, n)...); return w }
func (w *wb) text(s string, n int) *wb {
	w.b = append(w.b, s...)
	return w.fill(n-len(s), 0)
}

// flatten lists every decoded field as "path: text", "(not valid)" for
// fields whose validation bit is clear; array elements are "[i]".
func flatten(fs Fields, prefix string, out map[string]string) {
	for _, x := range fs {
		p := prefix + x.Name
		switch {
		case !x.Valid:
			out[p] = "(not valid)"
		case x.Items != nil:
			out[p] = fmt.Sprint(len(x.Items))
			for i, it := range x.Items {
				flatten(it, fmt.Sprintf("%s[%d]/", p, i), out)
			}
		default:
			out[p] = x.Text
			flatten(x.Fields, p+"/", out)
		}
	}
}

type sectionCase struct {
	name string
	typ  SectionType
	body []byte
	want map[string]string // path: text; every listed field must decode so
	err  error             // the decode error wanted, or nil
}

// sectionCases: one body per standard section, built from UEFI 2.10
// Appendix N field by field.
func sectionCases() []sectionCase {
	var cases []sectionCase

	// §N.2.4.1 Processor Generic Error Section, Table N-9.
	w := &wb{}
	w.u64(0x1FFF &^ (1 << 7))           // 0   Validation Bits: all but CPU Brand String (bit 7)
	w.u8(2)                             // 8   Processor Type: ARM
	w.u8(4)                             // 9   Processor ISA: ARM A64
	w.u8(0x01)                          // 10  Processor Error Type: Cache Error
	w.u8(2)                             // 11  Operation: Data Write
	w.u8(0x0A)                          // 12  Flags: Precise IP | Corrected
	w.u8(3)                             // 13  Level: 3
	w.u16(0)                            // 14  Reserved
	w.u64(0x000806EC)                   // 16  CPU Version Info
	w.text("Example CPU @ 3.0GHz", 128) // 24  CPU Brand String (its bit is clear)
	w.u64(7)                            // 152 Processor ID
	w.u64(0xFEE00000)                   // 160 Target Address
	w.u64(0x11)                         // 168 Requestor ID
	w.u64(0x22)                         // 176 Responder ID
	w.u64(0xFFFFFFFF81000000)           // 184 Instruction IP
	cases = append(cases, sectionCase{name: "processor generic", typ: SectionTypeProcessorGeneric, body: w.b, want: map[string]string{
		"Processor Type": "ARM (2)", "Processor ISA": "ARM A64 (4)", "Processor Error Type": "0x1 (Cache Error)",
		"Operation": "Data Write (2)", "Flags": "0xa (Precise IP|Corrected)", "Level": "3",
		"CPU Version Info": "0x806ec", "CPU Brand String": "(not valid)", "Processor ID": "0x7",
		"Target Address": "0xfee00000", "Requestor ID": "0x11", "Responder ID": "0x22", "Instruction IP": "0xffffffff81000000",
	}})

	// §N.2.4.2 IA32/X64 Processor Error Section, Table N-10, with one
	// error information structure (Table N-11) holding a cache check
	// (Table N-12) and one X64 register context (Tables N-16, N-18).
	w = &wb{}
	w.u64(1 | 1<<1 | 1<<2 | 1<<8) // 0  Validation Bits: APIC ID, CPUID, 1 error info, 1 context
	w.u64(0x0C)                   // 8  Local APIC ID
	w.u64(0x000806EC)             // 16 CPUID EAX
	w.u64(0x00100800)             // 24 CPUID EBX
	w.u64(0x7FFAFBBF)             // 32 CPUID ECX
	w.u64(0xBFEBFBFF)             // 40 CPUID EDX
	w.fill(16, 0)                 // 48 CPUID reserved
	// Error information structure at 64.
	w.guid(ia32CacheCheck) // 64  Error Structure Type: cache check
	w.u64(1 | 1<<4)        // 80  Validation Bits: Check Info, Instruction Pointer
	// 88 Check Info: validation = transaction type, operation, level,
	// uncorrected (bits 0,1,2,4); transaction type 1 (Data Access),
	// operation 3 (data read), level 2, uncorrected.
	w.u64(0x17 | 1<<16 | 3<<18 | 2<<22 | 1<<26)
	w.u64(0xAAAA)             // 96  Target Identifier (not valid)
	w.u64(0)                  // 104 Requestor Identifier (not valid)
	w.u64(0)                  // 112 Responder Identifier (not valid)
	w.u64(0xFFFFFFFF8100BEEF) // 120 Instruction Pointer
	// Context structure at 128.
	w.u16(3)   // 128 Register Context Type: 64-bit Mode Execution Context
	w.u16(244) // 130 Register Array Size: an X64 register state
	w.u32(0)   // 132 MSR Address
	w.u64(0)   // 136 MM Register Address
	for i := 0; i < 16; i++ {
		w.u64(uint64(0x100 + i)) // 144 RAX..R15
	}
	w.u16(0x10).u16(0x18).u16(0x18).u16(0x18).u16(0).u16(0) // CS DS SS ES FS GS
	w.u32(0)                                                // Reserved
	w.u64(0x246)                                            // RFLAGS
	w.u64(0xFFFFFFFF81234567)                               // RIP
	w.fill(6*8+2*16+2*2, 0)                                 // CR0..CR8, GDTR, IDTR, LDTR, TR
	cases = append(cases, sectionCase{name: "IA32/X64", typ: SectionTypeIA32X64, body: w.b, want: map[string]string{
		"Validation Bits/Processor Error Info Count":   "1",
		"Validation Bits/Processor Context Info Count": "1",
		"Local APIC ID":               "0xc",
		"CPUID Info/EAX":              "0x806ec",
		"Processor Error Information": "1",
		"Processor Error Information[0]/Error Structure Type":                 "a55701f5-e3ef-43de-ac72-249b573fad2c (Cache Check)",
		"Processor Error Information[0]/Check Info/Transaction Type":          "Data Access (1)",
		"Processor Error Information[0]/Check Info/Operation":                 "data read (3)",
		"Processor Error Information[0]/Check Info/Level":                     "2",
		"Processor Error Information[0]/Check Info/Uncorrected":               "true",
		"Processor Error Information[0]/Check Info/Processor Context Corrupt": "(not valid)",
		"Processor Error Information[0]/Target Identifier":                    "(not valid)",
		"Processor Error Information[0]/Instruction Pointer":                  "0xffffffff8100beef",
		"Processor Context Information[0]/Register Context Type":              "64-bit Mode Execution Context (3)",
		"Processor Context Information[0]/Register Array/RAX":                 "0x100",
		"Processor Context Information[0]/Register Array/R15":                 "0x10f",
		"Processor Context Information[0]/Register Array/CS":                  "0x10",
		"Processor Context Information[0]/Register Array/RIP":                 "0xffffffff81234567",
	}})

	// §N.2.4.4 ARM Processor Error Section, Table N-17, with one error
	// information structure (Table N-18, a cache error, Table N-19) and
	// one AArch64 GPR context (Tables N-22, N-27).
	w = &wb{}
	w.u32(1 | 1<<1)                    // 0  Validation Bits: MPIDR, affinity level
	w.u16(1)                           // 4  ERR_INFO_NUM
	w.u16(1)                           // 6  CONTEXT_INFO_NUM
	w.u32(40 + 32 + 8 + 256)           // 8  Section Length
	w.u8(1)                            // 12 Error affinity level
	w.fill(3, 0)                       // 13 Reserved
	w.u64(0x80000101)                  // 16 MPIDR_EL1
	w.u64(0x410FD0C1)                  // 24 MIDR_EL1
	w.u32(0)                           // 32 Running State (not valid)
	w.u32(0)                           // 36 PSCI State
	w.u8(0)                            // 40 Version
	w.u8(32)                           // 41 Length
	w.u16(1<<2 | 1<<4)                 // 42 Validation Bits: error information, physical fault address
	w.u8(1)                            // 44 Type: cache error
	w.u16(0)                           // 45 Multiple Error (not valid)
	w.u8(0)                            // 47 Flags (not valid)
	w.u64(0x7 | 2<<16 | 3<<18 | 1<<22) // 48 Error Information: transaction type, operation, level valid; Generic, Data Read, L1
	w.u64(0)                           // 56 Virtual Fault Address (not valid)
	w.u64(0x8000_1000)                 // 64 Physical Fault Address
	w.u16(0)                           // 72 Version
	w.u16(4)                           // 74 Register Context Type: AArch64 GPRs
	w.u32(256)                         // 76 Register Array Size
	for i := 0; i < 32; i++ {
		w.u64(uint64(i)) // 80 X0..X30, SP
	}
	cases = append(cases, sectionCase{name: "ARM", typ: SectionTypeARM, body: w.b, want: map[string]string{
		"MPIDR_EL1": "0x80000101", "Error Affinity Level": "1", "Running State": "(not valid)",
		"Error Information[0]/Type":                               "0x1 (Cache Error)",
		"Error Information[0]/Error Information/Transaction Type": "Generic (2)",
		"Error Information[0]/Error Information/Operation":        "Data Read (3)",
		"Error Information[0]/Error Information/Level":            "1",
		"Error Information[0]/Error Information/Corrected":        "(not valid)",
		"Error Information[0]/Virtual Fault Address":              "(not valid)",
		"Error Information[0]/Physical Fault Address":             "0x80001000",
		"Context Information[0]/Register Context Type":            "AArch64 General Purpose Registers (4)",
		"Context Information[0]/Register Array/X30":               "0x1e",
		"Context Information[0]/Register Array/SP":                "0x1f",
	}})

	// §N.2.5 Platform Memory Error Section, Table N-31.
	w = &wb{}
	w.u64(1 | 1<<1 | 1<<3 | 1<<14 | 1<<19 | 1<<20) // 0  Validation Bits: status, address, node, type, bank group, bank address
	w.u64(4<<8 | 1<<18)                            // 8  Error Status: ERR_MEM, data signal
	w.u64(0x12345000)                              // 16 Physical Address
	w.u64(0)                                       // 24 Physical Address Mask (not valid)
	w.u16(1)                                       // 32 Node
	w.u16(0)                                       // 34 Card (not valid)
	w.u16(0)                                       // 36 Module
	w.u16(0x0203)                                  // 38 Bank: group 2, address 3
	w.u16(0).u16(0).u16(0).u16(0)                  // 40 Device, Row, Column, Bit Position
	w.u64(0).u64(0).u64(0)                         // 48 Requestor, Responder, Target ID
	w.u8(3)                                        // 72 Memory Error Type: Multi-bit ECC
	w.u8(0)                                        // 73 Extended
	w.u16(0).u16(0).u16(0)                         // 74 Rank Number, Card Handle, Module Handle
	cases = append(cases, sectionCase{name: "memory", typ: SectionTypePlatformMemory, body: w.b, want: map[string]string{
		"Error Status/Error Type": "ERR_MEM: Storage error in DRAM memory (4)", "Error Status/Data Signal": "true",
		"Physical Address": "0x12345000", "Physical Address Mask": "(not valid)", "Node": "1", "Card": "(not valid)",
		"Bank": "(not valid)", "Bank Group": "2", "Bank Address": "3", "Memory Error Type": "Multi-bit ECC (3)",
	}})

	// §N.2.6 Platform Memory Error Section 2, Table N-33.
	w = &wb{}
	w.u64(1<<1 | 1<<7 | 1<<10 | 1<<13) // 0  Validation Bits: address, device, rank, type
	w.u64(0)                           // 8  Error Status (not valid)
	w.u64(0xABCDE000)                  // 16 Physical Address
	w.u64(0)                           // 24 Mask
	w.u16(0).u16(0).u16(0).u16(0)      // 32 Node, Card, Module, Bank
	w.u32(0x10203)                     // 40 Device
	w.u32(0).u32(0)                    // 44 Row, Column
	w.u32(5)                           // 52 Rank
	w.u32(0)                           // 56 Bit Position
	w.u8(0).u8(2).u8(0).u8(0)          // 60 Chip ID, Memory Error Type: Single-bit ECC, Status, Reserved
	w.u64(0).u64(0).u64(0)             // 64 Requestor, Responder, Target ID
	w.u32(0).u32(0)                    // 88 Card Handle, Module Handle
	cases = append(cases, sectionCase{name: "memory 2", typ: SectionTypePlatformMemory2, body: w.b, want: map[string]string{
		"Error Status": "(not valid)", "Physical Address": "0xabcde000", "Device": "66051", "Rank": "5",
		"Memory Error Type": "Single-bit ECC (2)", "Module Handle": "(not valid)",
	}})

	// §N.2.7 PCI Express Error Section, Table N-34, with the capability
	// structure and the AER capability.
	w = &wb{}
	w.u64(0xFF)                      // 0  Validation Bits: all eight
	w.u32(4)                         // 8  Port Type: Root Port
	w.u8(0x10).u8(0x02).u16(0)       // 12 Version 2.10 (minor, major BCD), reserved
	w.u16(0x0547).u16(0x4010)        // 16 Command, Status
	w.u32(0)                         // 20 Reserved
	w.u16(0x8086).u16(0x2030)        // 24 Vendor ID, Device ID
	w.u8(0).u8(0x04).u8(0x06)        // 28 Class Code 060400
	w.u8(0).u8(1).u16(0).u8(0).u8(1) // 31 Function 0, Device 1, Segment 0, Primary bus 0, Secondary bus 1
	w.u16(5 << 3).u8(0)              // 37 Slot 5, reserved
	w.u64(0x0123456789ABCDEF)        // 40 Device Serial Number
	w.u16(0).u16(0)                  // 48 Secondary status, Bridge control
	// 52 PCI Express Capability Structure (60 bytes).
	w.u8(0x10).u8(0)  // cap ID, next
	w.u16(0x42)       // PCIe capabilities: version 2, Root Port
	w.u32(0)          // device capabilities
	w.u16(0x0007)     // device control: error reporting enables
	w.u16(0x0004)     // device status: fatal error detected
	w.u32(0x00000044) // link capabilities: 16 GT/s-ish speed 4, width 4? (bits 4-9 = 4)
	w.u16(0)          // link control
	w.u16(0x2043)     // link status: speed 3, width 4, DLL link active
	w.fill(60-20, 0)  // rest of the capability
	// 112 AER (96 bytes).
	w.u32(0x0001 | 2<<16)            // extended capability header: AER, version 2
	w.u32(1<<14 | 1<<18)             // uncorrectable status: completion timeout, malformed TLP
	w.u32(0)                         // uncorrectable mask
	w.u32(1 << 18)                   // uncorrectable severity: malformed TLP fatal
	w.u32(1 << 6)                    // correctable status: bad TLP
	w.u32(1 << 13)                   // correctable mask: advisory non-fatal
	w.u32(18)                        // capabilities and control: first error pointer 18
	w.u32(0x4A000001).fill(12, 0xAB) // header log
	w.u32(7)                         // root error command
	w.u32(1<<2 | 1<<6)               // root error status: ERR_FATAL/NONFATAL received, fatal messages
	w.u16(0x0008).u16(0x0100)        // error source ids
	w.fill(96-56, 0)                 // TLP prefix log and the rest
	cases = append(cases, sectionCase{name: "PCIe", typ: SectionTypePCIe, body: w.b, want: map[string]string{
		"Port Type": "Root Port (4)", "Version Major": "0x2", "Version Minor": "0x10", "Vendor ID": "0x8086",
		"Class Code": "0x60400", "Device Number": "1", "Secondary Bus Number": "1", "Slot Number": "5",
		"Device Serial Number":                         "0x123456789abcdef",
		"Capability Structure/Device/Port Type":        "Root Port (4)",
		"Capability Structure/Device Status":           "0x4 (Fatal Error Detected)",
		"Capability Structure/Current Link Speed":      "8.0 GT/s (3)",
		"Capability Structure/Negotiated Link Width":   "x4 (4)",
		"AER Info/Capability ID":                       "0x1",
		"AER Info/Uncorrectable Error Status":          "0x44000 (Completion Timeout|Malformed TLP)",
		"AER Info/Uncorrectable Error Severity":        "0x40000 (Malformed TLP)",
		"AER Info/Correctable Error Status":            "0x40 (Bad TLP)",
		"AER Info/Correctable Error Mask":              "0x2000 (Advisory Non-Fatal Error)",
		"AER Info/First Error Pointer":                 "18",
		"AER Info/Root Error Status":                   "0x44 (ERR_FATAL/NONFATAL Received|Fatal Error Messages Received)",
		"AER Info/Error Source Identification ERR_COR": "0x8",
		"AER Info/Header Log":                          "0100004aabababababababababababab",
	}})

	// §N.2.8 PCI/PCI-X Bus Error Section, Table N-35.
	w = &wb{}
	w.u64(1<<1 | 1<<2 | 1<<3 | 1<<5) // 0  Validation Bits: type, bus id, address, command
	w.u64(0)                         // 8  Error Status (not valid)
	w.u16(3)                         // 16 Error Type: Master Abort
	w.u16(0x0105)                    // 18 Bus ID: segment 1, bus 5
	w.u32(0)                         // 20 Reserved
	w.u64(0xF0000000)                // 24 Bus Address
	w.u64(0)                         // 32 Bus Data (not valid)
	w.u64(1<<56 | 6)                 // 40 Bus Command: PCI-X, command 6
	w.u64(0).u64(0).u64(0)           // 48 Requestor, Completer, Target
	cases = append(cases, sectionCase{name: "PCI bus", typ: SectionTypePCIXBus, body: w.b, want: map[string]string{
		"Error Type": "Master Abort (3)", "Bus Number": "5", "Segment Number": "1", "Bus Address": "0xf0000000",
		"Bus Data": "(not valid)", "Command Type": "PCI-X (1)",
	}})

	// §N.2.9 PCI/PCI-X Component Error Section, Table N-36, with two
	// register data pairs.
	w = &wb{}
	w.u64(1<<1 | 1<<2 | 1<<3 | 1<<4) // 0  Validation Bits: id, memory number, io number, pairs
	w.u64(0)                         // 8  Error Status (not valid)
	w.u16(0x10DE).u16(0x1234)        // 16 Vendor ID, Device ID
	w.u8(0).u8(0).u8(3)              // 20 Class Code 030000
	w.u8(1).u8(0).u8(0x41).u8(0)     // 23 Function 1, Device 0, Bus 0x41, Segment 0
	w.fill(5, 0)                     // 27 Reserved
	w.u32(1).u32(1)                  // 32 Memory Number, IO Number
	w.u64(0xFB000000).u64(0xDEAD)    // 40 pair 0
	w.u64(0x3F8).u64(0x41)           // 56 pair 1
	cases = append(cases, sectionCase{name: "PCI component", typ: SectionTypePCIDevice, body: w.b, want: map[string]string{
		"Vendor ID": "0x10de", "Function Number": "1", "Bus Number": "65", "Memory Number": "1",
		"Register Data Pairs": "2", "Register Data Pairs[1]/Address": "0x3f8", "Register Data Pairs[1]/Value": "0x41",
	}})

	// §N.2.10 Firmware Error Record Reference, Table N-37.
	w = &wb{}
	w.u8(2).u8(2).fill(6, 0)                       // 0 Type2, revision 2, reserved
	w.u64(0x1122334455667788)                      // 8 Record Identifier
	w.guid("11111111-2222-3333-4444-555555555555") // 16 Record identifier GUID
	cases = append(cases, sectionCase{name: "firmware", typ: SectionTypeFirmwareErrorRecord, body: w.b, want: map[string]string{
		"Firmware Error Record Type": "SOC Firmware Error Record (Type2) (2)", "Revision": "2",
		"Record Identifier": "(not valid)", "Record Identifier GUID Extension": "11111111-2222-3333-4444-555555555555",
	}})

	// §N.2.11.1 DMAr Generic Error Section, Table N-38.
	w = &wb{}
	w.u16(0x0100).u16(0)          // 0 Requester ID, Segment
	w.u8(5).u8(1).u8(0).u8(1)     // 4 Fault Reason 5, DMA Read, Untranslated, VT-d
	w.u64(0xFFFF0000).fill(16, 0) // 8 Device Address, reserved
	cases = append(cases, sectionCase{name: "DMAr generic", typ: SectionTypeDMArGeneric, body: w.b, want: map[string]string{
		"Requester ID": "0x100", "Fault Reason": "DMA request to access an address beyond the device address width (5)",
		"Access Type": "DMA Read (1)", "Address Type": "Untranslated Request (0)", "Architecture Type": "VT-d (1)",
		"Device Address": "0xffff0000",
	}})

	// §N.2.11.2 VT-d DMAr Error Section, Table N-39.
	w = &wb{}
	w.u8(1).u8(0).fill(6, 0)                                        // 0 Version, Revision, OEM ID
	w.u64(0xD2008C40660462).u64(0xF050DA)                           // 8 Capability, Extended Capability
	w.u32(0xC0000000).u32(0xC0000000).u32(2)                        // 24 Global Command, Global Status, Fault Status
	w.fill(12, 0)                                                   // 36 Reserved
	w.u64(0xABCDE << 12)                                            // 48 Fault Record low: FI
	w.u64(0x0100 | 6<<32 | 1<<62 | 1<<63)                           // 56 Fault Record high: SID 0x100, reason 6, read, fault
	w.fill(32, 0)                                                   // 64 Root Entry, Context Entry
	w.u64(0).u64(0).u64(0x1003).u64(0x2003).u64(0x3003).u64(0x4003) // 96 PTEs L6..L1
	cases = append(cases, sectionCase{name: "DMAr VT-d", typ: SectionTypeDMArVTd, body: w.b, want: map[string]string{
		"Version": "1", "Fault Status": "0x2", "Fault Record/Fault Address": "0xabcde000",
		"Fault Record/Source Identifier": "0x100", "Fault Record/Fault Reason": "0x6",
		"Fault Record/Type": "Read/AtomicOp Request (1)", "Fault Record/Fault": "true", "Level 1 Page Table Entry": "0x4003",
	}})

	// §N.2.11.3 IOMMU DMAr Error Section, Table N-40.
	w = &wb{}
	w.u8(1).fill(7, 0)                               // 0 Revision, reserved
	w.u64(0x1).u64(0x2)                              // 8 Control, Status
	w.fill(8, 0)                                     // 24 Reserved
	w.u64(0x20000000_00000100).u64(0)                // 32 Event Log Entry
	w.fill(16, 0)                                    // 48 Reserved
	w.fill(32, 0x11)                                 // 64 Device Table Entry
	w.u64(0).u64(0).u64(0).u64(0).u64(0).u64(0x6003) // 96 PTEs
	cases = append(cases, sectionCase{name: "DMAr IOMMU", typ: SectionTypeDMArIOMMU, body: w.b, want: map[string]string{
		"Revision": "1", "Control": "0x1", "Status": "0x2", "Event Log Entry": "00010000000000200000000000000000",
		"Level 1 Page Table Entry": "0x6003",
	}})

	// §N.2.12 CCIX PER Log Error Section, Table N-41.
	w = &wb{}
	w.u32(16 + 8)                 // 0  Length
	w.u64(1 | 1<<2)               // 4  Validation Bits: source ID, PER log
	w.u8(7).u8(3).u16(0)          // 12 Source ID, Port ID (not valid), reserved
	w.u32(0x01020304).u32(0xAABB) // 16 PER log (8 bytes)
	cases = append(cases, sectionCase{name: "CCIX PER", typ: SectionTypeCCIXPER, body: w.b, want: map[string]string{
		"Length": "24", "CCIX Source ID": "7", "CCIX Port ID": "(not valid)", "CCIX PER Log": "04030201bbaa0000",
	}})

	// §N.2.13 CXL Protocol Error Section, Table N-42, a CXL 1.1 device
	// with a 4-byte DVSEC and an 8-byte error log.
	w = &wb{}
	w.u64(0x7F)                                       // 0   Validation Bits: all seven
	w.u8(0).fill(7, 0)                                // 8   CXL Agent Type: CXL 1.1 Device
	w.u64(2 | 3<<8 | 0x40<<16 | 1<<24)                // 16  Agent Address: function 2, device 3, bus 0x40, segment 1
	w.u16(0x8086).u16(0x0D93).u16(0x8086).u16(0x0001) // 24 Vendor, Device, Subsystem vendor, Subsystem
	w.u16(0x0502).u16(9 << 3).u32(0)                  // 32 Class code, slot 9, reserved
	w.u64(0xCAFE)                                     // 40  Device Serial Number
	w.fill(60, 0)                                     // 48  Capability Structure
	w.u16(4).u16(8).u32(0)                            // 108 DVSEC length, error log length, reserved
	w.u32(0x1E981E98)                                 // 116 DVSEC
	w.u64(0x0000000000000001)                         // 120 Error Log
	cases = append(cases, sectionCase{name: "CXL protocol", typ: SectionTypeCXLProtocol, body: w.b, want: map[string]string{
		"CXL Agent Type": "CXL 1.1 Device (0)", "CXL Agent Address/Function Number": "2", "CXL Agent Address/Device Number": "3",
		"CXL Agent Address/Bus Number": "64", "CXL Agent Address/Segment Number": "1", "Vendor ID": "0x8086",
		"Slot Number": "9", "Device Serial Number": "0xcafe", "CXL DVSEC": "981e981e", "CXL Error Log": "0100000000000000",
	}})

	// §N.2.14 CXL Component Events Section, Table N-43, General Media.
	w = &wb{}
	w.u32(32 + 4)             // 0  Length
	w.u64(1 | 1<<2)           // 4  Validation Bits: device ID, event log
	w.u16(0x1E98).u16(0x0001) // 12 Vendor, Device
	w.u8(0).u8(0).u8(0x38)    // 16 Function, Device, Bus
	w.u16(0).u16(0).u8(0)     // 19 Segment, Slot, reserved
	w.u64(0x5555)             // 24 Serial (not valid)
	w.u32(0xDEADBEEF)         // 32 Event log
	cases = append(cases, sectionCase{name: "CXL component", typ: SectionTypeCXLGeneralMedia, body: w.b, want: map[string]string{
		"Length": "36", "Vendor ID": "0x1e98", "Bus Number": "56", "Device Serial Number": "(not valid)",
		"CXL Component Event Log": "efbeadde",
	}})

	// Linux struct mce (arch/x86/include/uapi/asm/mce.h), the 128-byte
	// layout of Linux 5.10+.
	w = &wb{}
	w.u64(1<<63 | 1<<61 | 1<<57 | 1<<58 | 0x0135) // 0   status: VAL UC PCC ADDRV, MCA code 0x135
	w.u64(0x86)                                   // 8   misc
	w.u64(0x7F000)                                // 16  addr
	w.u64(5)                                      // 24  mcgstatus: RIPV, MCIP
	w.u64(0).u64(0x1234).u64(1700000000)          // 32  ip, tsc, time
	w.u8(0).u8(0).u8(3).u8(0)                     // 56  cpuvendor Intel, inject_flags, severity, pad
	w.u32(0x806EC)                                // 60  cpuid
	w.u8(0x10).u8(4).u8(2).u8(1)                  // 64  cs, bank 4, cpu 2, finished
	w.u32(2).u32(0).u32(4)                        // 68  extcpu, socketid, apicid
	w.u64(0x1000C14)                              // 80  mcgcap
	w.u64(0).u64(0).u64(0xABCD)                   // 88  synd, ipid, ppin
	w.u32(0xF0).u32(0)                            // 112 microcode, padding
	w.u64(0)                                      // 120 kflags
	cases = append(cases, sectionCase{name: "MCE", typ: SectionTypeMCE, body: w.b, want: map[string]string{
		"Layout": "128 bytes, with kflags (Linux 5.10 and later)", "status/MCA Error Code": "0x135",
		"status/Flags": "0x530 (PCC|ADDRV|UC|VAL)", "addr": "0x7f000", "mcgstatus": "0x5 (RIPV|MCIP)",
		"cpuvendor": "Intel (0)", "bank": "4", "apicid": "4", "ppin": "0xabcd", "microcode": "0xf0",
	}})
	mce88 := w.b[:88]
	cases = append(cases, sectionCase{name: "MCE 88", typ: SectionTypeMCE, body: mce88, want: map[string]string{
		"Layout": "88 bytes, up to mcgcap (Linux before 4.9)", "mcgcap": "0x1000c14",
	}})
	return cases
}

func TestSectionDecoders(t *testing.T) {
	seen := map[SectionType]bool{}
	for _, tc := range sectionCases() {
		t.Run(tc.name, func(t *testing.T) {
			seen[tc.typ] = true
			s := Section{Descriptor: SectionDescriptor{Type: tc.typ, Length: uint32(len(tc.body))}, Body: tc.body}
			d := DecodeSection(&s)
			if d == nil {
				t.Fatalf("no decoder for %v", tc.typ)
			}
			if !errors.Is(d.Err, tc.err) || (tc.err == nil) != (d.Err == nil) {
				t.Errorf("error %v, want %v", d.Err, tc.err)
			}
			got := map[string]string{}
			flatten(d.Fields, "", got)
			for k, want := range tc.want {
				if g, ok := got[k]; !ok {
					t.Errorf("%s: missing; fields: %v", k, keys(got))
				} else if g != want {
					t.Errorf("%s = %q, want %q", k, g, want)
				}
			}
			if j, err := json.Marshal(d); err != nil || !json.Valid(j) {
				t.Errorf("JSON: %v", err)
			}
		})
	}
	for typ := range sectionDecoders {
		if !seen[typ] && typ != SectionTypeCXLDRAM && typ != SectionTypeCXLMemoryModule && typ != SectionTypeCXLPhysicalSwitch &&
			typ != SectionTypeCXLVirtualSwitch && typ != SectionTypeCXLMLDPort {
			t.Errorf("no test case for %v", typ)
		}
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestSectionShort: every decoder reports a body shorter than its
// structure, keeps the fields that fit, and never panics on any prefix.
func TestSectionShort(t *testing.T) {
	for _, tc := range sectionCases() {
		for n := 0; n < len(tc.body); n++ {
			s := Section{Descriptor: SectionDescriptor{Type: tc.typ}, Body: tc.body[:n]}
			d := DecodeSection(&s)
			if tc.typ == SectionTypeMCE && n >= 88 {
				continue // an older struct mce layout
			}
			if d.Err == nil || !errors.Is(d.Err, ErrSectionShort) {
				t.Errorf("%s cut to %d bytes: error %v, want ErrSectionShort", tc.name, n, d.Err)
				break
			}
		}
	}
}

// TestSectionJSON: invalid fields are null, 64-bit values "0x..."
// strings, enums {"value","name"}.
func TestSectionJSON(t *testing.T) {
	tc := sectionCases()[0]
	d := DecodeSection(&Section{Descriptor: SectionDescriptor{Type: tc.typ}, Body: tc.body})
	j, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"cpu_brand_string":null`,
		`"instruction_ip":"0xffffffff81000000"`,
		`"processor_type":{"value":2,"name":"ARM"}`,
		`"flags":{"value":10,"names":["Precise IP","Corrected"]}`,
		`"level":3`,
	} {
		if !strings.Contains(string(j), want) {
			t.Errorf("JSON lacks %s:\n%s", want, j)
		}
	}
}

// TestUnknownSectionHex: a section type without a decoder is shown in hex
// under its GUID.
func TestUnknownSectionHex(t *testing.T) {
	g := mustGUID("01234567-89ab-cdef-0123-456789abcdef")
	r := &Record{Sections: []Section{{Descriptor: SectionDescriptor{Type: SectionType(g), Length: 3}, Body: []byte{1, 2, 0xff}}}}
	var out bytes.Buffer
	if err := WriteText(&out, r); err != nil {
		t.Fatal(err)
	}
	if s := out.String(); !strings.Contains(s, "01234567-89ab-cdef-0123-456789abcdef") || !strings.Contains(s, "01 02 ff") {
		t.Errorf("unknown section:\n%s", s)
	}
	if j := r.JSON(); j.Sections[0].Decoded != nil {
		t.Errorf("unknown section decoded: %s", j.Sections[0].Decoded)
	}
}
