package cper

import (
	"encoding/json"
	"strings"
	"testing"
)

// Regression tests for decoder faults found by a field-by-field review
// against UEFI 2.10 Appendix N, Linux's drivers/firmware/efi/cper*.c and
// libcper. Every body is laid out field by field from the spec tables,
// not made by this package's encoder.

// decodeFlat decodes body as a section of type typ and flattens it as
// flatten does.
func decodeFlat(t *testing.T, typ SectionType, body []byte) (map[string]string, *SectionDecode) {
	t.Helper()
	d := DecodeSection(&Section{Descriptor: SectionDescriptor{Type: typ, Length: uint32(len(body))}, Body: body})
	if d == nil {
		t.Fatalf("no decoder for %v", typ)
	}
	got := map[string]string{}
	flatten(d.Fields, "", got)
	return got, d
}

func wantFields(t *testing.T, got, want map[string]string) {
	t.Helper()
	for k, w := range want {
		if g, ok := got[k]; !ok {
			t.Errorf("%s: missing", k)
		} else if g != w {
			t.Errorf("%s = %q, want %q", k, g, w)
		}
	}
}

// x64Section is an IA32/X64 section (§N.2.4.2 Table N-10) with one cache
// check error structure (Table N-11) and one X64 register context
// (Tables N-16, N-18) whose GDTR and IDTR are 16 distinct bytes each.
func x64Section() []byte {
	w := &wb{}
	w.u64(1<<2 | 1<<8)     // 0   Validation Bits: 1 error info, 1 context; APIC ID, CPUID not valid
	w.u64(0)               // 8   Local APIC ID
	w.fill(48, 0)          // 16  CPUID Info
	w.guid(ia32CacheCheck) // 64  Error Structure Type: cache check
	w.u64(0)               // 80  Validation Bits: none
	w.fill(40, 0)          // 88  Check Info, Target, Requestor, Responder, IP
	w.u16(3)               // 128 Register Context Type: 64-bit Mode Execution Context
	w.u16(244)             // 130 Register Array Size
	w.u32(0)               // 132 MSR Address
	w.u64(0)               // 136 MM Register Address
	w.fill(128, 0)         // 144 RAX..R15 (register array offset 0)
	w.fill(12, 0)          // 272 CS..GS (128)
	w.u32(0)               // 284 Reserved (140)
	w.fill(64, 0)          // 288 RFLAGS, RIP, CR0..CR4, CR8 (144)
	for i := 0; i < 16; i++ {
		w.u8(byte(0x01 + i)) // 352 GDTR (208): 16 bytes, 0x01 first
	}
	for i := 0; i < 16; i++ {
		w.u8(byte(0xA0 + i)) // 368 IDTR (224): 16 bytes, 0xa0 first
	}
	w.u16(0x28).u16(0x40) // 384 LDTR (240), TR (242)
	return w.b
}

// Fault 1: GDTR and IDTR are 16 bytes (Table N-18 offsets 208 and 224);
// both halves are shown, in text and JSON.
func TestX64DescriptorTableRegisters(t *testing.T) {
	got, d := decodeFlat(t, SectionTypeIA32X64, x64Section())
	wantFields(t, got, map[string]string{
		"Processor Context Information[0]/Register Array/GDTR": "0x100f0e0d0c0b0a090807060504030201",
		"Processor Context Information[0]/Register Array/IDTR": "0xafaeadacabaaa9a8a7a6a5a4a3a2a1a0",
		"Processor Context Information[0]/Register Array/LDTR": "0x28",
		"Processor Context Information[0]/Register Array/TR":   "0x40",
	})
	j, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"gdtr":"0x100f0e0d0c0b0a090807060504030201"`, `"idtr":"0xafaeadacabaaa9a8a7a6a5a4a3a2a1a0"`} {
		if !strings.Contains(string(j), want) {
			t.Errorf("JSON lacks %s:\n%s", want, j)
		}
	}
}

// Fault 2: a GUID field in JSON is the bare GUID, its name in a sibling
// key, as section descriptors have type and type_name.
func TestGUIDFieldJSON(t *testing.T) {
	_, d := decodeFlat(t, SectionTypeIA32X64, x64Section())
	j, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Fields struct {
			Info []map[string]any `json:"processor_error_information"`
		} `json:"fields"`
	}
	if err := json.Unmarshal(j, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Fields.Info) != 1 {
		t.Fatalf("error information: %s", j)
	}
	info := v.Fields.Info[0]
	if g := info["error_structure_type"]; g != ia32CacheCheck {
		t.Errorf("error_structure_type = %v, want the bare GUID %s", g, ia32CacheCheck)
	}
	if n := info["error_structure_type_name"]; n != "Cache Check" {
		t.Errorf("error_structure_type_name = %v, want Cache Check", n)
	}
	// An unnamed GUID has no name key.
	w := &wb{}
	w.u8(2).u8(2).fill(6, 0)                       // 0  Type2, Revision 2, Reserved
	w.u64(0)                                       // 8  Record Identifier
	w.guid("11111111-2222-3333-4444-555555555555") // 16 GUID extension
	_, d = decodeFlat(t, SectionTypeFirmwareErrorRecord, w.b)
	j, _ = json.Marshal(d)
	if !strings.Contains(string(j), `"record_identifier_guid_extension":"11111111-2222-3333-4444-555555555555"`) ||
		strings.Contains(string(j), "_name") {
		t.Errorf("firmware JSON: %s", j)
	}
}

// Fault 4: Firmware Error Record Reference (§N.2.10 Table N-37): the
// 8-byte Record Identifier is valid at Revision 0 only; the GUID
// extension from Revision 2 on, whatever the type (Linux's reading).
func TestFirmwareRevisions(t *testing.T) {
	body := func(typ, rev uint8) []byte {
		w := &wb{}
		w.u8(typ)                                      // 0  Firmware Error Record Type
		w.u8(rev)                                      // 1  Revision
		w.fill(6, 0)                                   // 2  Reserved
		w.u64(0x1122334455667788)                      // 8  Record Identifier
		w.guid("ed782c67-8094-48bd-bfca-5dc5a0619384") // 16 Record Identifier GUID Extension
		return w.b
	}
	for _, tc := range []struct {
		typ, rev uint8
		id, guid string
	}{
		{0, 0, "0x1122334455667788", "(not valid)"},
		{1, 1, "(not valid)", "(not valid)"},
		{0, 2, "(not valid)", "ed782c67-8094-48bd-bfca-5dc5a0619384"}, // IPF SAL at Revision 2: Linux prints the GUID
		{2, 2, "(not valid)", "ed782c67-8094-48bd-bfca-5dc5a0619384"},
		{2, 3, "(not valid)", "ed782c67-8094-48bd-bfca-5dc5a0619384"},
	} {
		got, _ := decodeFlat(t, SectionTypeFirmwareErrorRecord, body(tc.typ, tc.rev))
		if got["Record Identifier"] != tc.id || got["Record Identifier GUID Extension"] != tc.guid {
			t.Errorf("type %d revision %d: Record Identifier %q, GUID %q; want %q, %q", tc.typ, tc.rev,
				got["Record Identifier"], got["Record Identifier GUID Extension"], tc.id, tc.guid)
		}
	}
}

// pcieSectionWithCap is a PCI Express Error Section (§N.2.7 Table N-34)
// with only the capability structure valid, its registers as given.
func pcieSectionWithCap(devControl, linkStatus uint16, linkCap, slotCap, rootStatus uint32) []byte {
	w := &wb{}
	w.u64(1 << 6)     // 0  Validation Bits: Capability Structure
	w.fill(44, 0)     // 8  Port Type .. Bridge Control
	w.u8(0x10).u8(0)  // 52 Capability ID, Next Capability Pointer (PCIe Base §7.5.3.1)
	w.u16(0x0142)     // 54 PCI Express Capabilities: version 2, Root Port, slot implemented
	w.u32(0)          // 56 Device Capabilities
	w.u16(devControl) // 60 Device Control
	w.u16(0)          // 62 Device Status
	w.u32(linkCap)    // 64 Link Capabilities
	w.u16(0)          // 68 Link Control
	w.u16(linkStatus) // 70 Link Status
	w.u32(slotCap)    // 72 Slot Capabilities
	w.u16(0).u16(0)   // 76 Slot Control, Slot Status
	w.u16(0).u16(0)   // 80 Root Control, Root Capabilities
	w.u32(rootStatus) // 84 Root Status
	w.fill(24, 0)     // 88 Device Capabilities 2 .. Slot Status 2
	w.fill(96, 0)     // 112 AER Info (not valid)
	return w.b
}

// Fault 5: Slot Capabilities and Root Status are decoded; multi-bit
// fields are shown as fields, not as flag bits.
func TestPCIeCapabilityFields(t *testing.T) {
	body := pcieSectionWithCap(
		0x0007|2<<5|5<<12,          // Device Control: error reporting enables, MPS 512, MRRS 4096
		0x2000|3<<0|8<<4,           // Link Status: DLL Link Active, 8.0 GT/s, x8
		4|16<<4|7<<24,              // Link Capabilities: 16.0 GT/s, x16, port 7
		1|1<<6|250<<7|1<<15|42<<19, // Slot Capabilities: button, hot-plug capable, 250 * 0.1 W, slot 42
		0x0308|1<<16|1<<17,         // Root Status: PME requester 03:01.0, PME Status, PME Pending
	)
	got, _ := decodeFlat(t, SectionTypePCIe, body)
	wantFields(t, got, map[string]string{
		"Capability Structure/Device Control":         "0x5047 (Correctable Error Reporting Enable|Non-Fatal Error Reporting Enable|Fatal Error Reporting Enable)",
		"Capability Structure/Max Payload Size":       "512 bytes (2)",
		"Capability Structure/Max Read Request Size":  "4096 bytes (5)",
		"Capability Structure/Link Status":            "0x2083 (Data Link Layer Link Active)",
		"Capability Structure/Current Link Speed":     "8.0 GT/s (3)",
		"Capability Structure/Negotiated Link Width":  "x8 (8)",
		"Capability Structure/Max Link Speed":         "16.0 GT/s (4)",
		"Capability Structure/Maximum Link Width":     "x16 (16)",
		"Capability Structure/Slot Capabilities":      "0x150fd41 (Attention Button Present|Hot-Plug Capable)",
		"Capability Structure/Slot Power Limit Value": "250",
		"Capability Structure/Slot Power Limit Scale": "0.1x (1)",
		"Capability Structure/Physical Slot Number":   "42",
		"Capability Structure/Root Status":            "0x30308",
		"Capability Structure/PME Requester ID":       "0x308",
		"Capability Structure/PME Status":             "true",
		"Capability Structure/PME Pending":            "true",
	})
	// A reserved bit outside every field is still shown.
	got, _ = decodeFlat(t, SectionTypePCIe, pcieSectionWithCap(1<<7, 1<<10, 0, 1<<31, 0))
	wantFields(t, got, map[string]string{
		"Capability Structure/Device Control":       "0x80",
		"Capability Structure/Link Status":          "0x400 (bit10)",
		"Capability Structure/Slot Capabilities":    "0x80000000",
		"Capability Structure/Physical Slot Number": "4096",
	})
}

// Fault 6: the CXL Agent Address is an RCRB base address only for agent
// type 1 (CXL 1.1 host downstream port); types 0 and 2..7 are devices and
// ports with a segment/bus/device/function (§N.2.13 Table N-42).
func TestCXLAgentAddress(t *testing.T) {
	body := func(agent uint8) []byte {
		w := &wb{}
		w.u64(1 | 1<<1)                         // 0   Validation Bits: agent type, agent address
		w.u8(agent).fill(7, 0)                  // 8   CXL Agent Type, Reserved
		w.u64(5 | 2<<8 | 0x3A<<16 | 0x0001<<24) // 16  Agent Address: function 5, device 2, bus 0x3a, segment 1
		w.fill(92, 0)                           // 24  Device ID .. Capability Structure (not valid)
		w.u16(0).u16(0).u32(0)                  // 108 DVSEC length, error log length, reserved
		return w.b
	}
	for agent := uint8(0); agent <= 7; agent++ {
		got, _ := decodeFlat(t, SectionTypeCXLProtocol, body(agent))
		if agent == 1 {
			wantFields(t, got, map[string]string{"Port RCRB Base Address": "0x13a0205"})
			if _, ok := got["CXL Agent Address"]; ok {
				t.Errorf("agent type 1: the RCRB address is shown as a device address")
			}
			continue
		}
		if strings.HasPrefix(got["CXL Agent Type"], "Unknown") {
			t.Errorf("agent type %d has no name: %s", agent, got["CXL Agent Type"])
		}
		if _, ok := got["Port RCRB Base Address"]; ok {
			t.Errorf("agent type %d: labelled as an RCRB address", agent)
		}
		wantFields(t, got, map[string]string{
			"CXL Agent Address/Function Number": "5", "CXL Agent Address/Device Number": "2",
			"CXL Agent Address/Bus Number": "58", "CXL Agent Address/Segment Number": "1",
		})
	}
}

// Fault 7: the VT-d fault record's FI (bits 63:12 of the first qword,
// Intel VT-d §11.4.14) is the faulting page address, shown as such.
func TestVTdFaultAddress(t *testing.T) {
	w := &wb{}
	w.u8(1).u8(0).fill(6, 0)                    // 0   Version, Revision, OEM ID
	w.u64(0).u64(0)                             // 8   Capability, Extended Capability
	w.u32(0).u32(0).u32(0)                      // 24  Global Command, Global Status, Fault Status
	w.fill(12, 0)                               // 36  Reserved
	w.u64(0x7_F123_4000 | 0xABC)                // 48  Fault Record low: FI = address 0x7f1234000; bits 0..11 reserved, set here
	w.u64(0x00A0 | 0x5<<32)                     // 56  Fault Record high: SID 0xa0, reason 5
	w.fill(32, 0)                               // 64  Root Entry, Context Entry
	w.u64(0).u64(0).u64(0).u64(0).u64(0).u64(0) // 96  Page table entries
	got, _ := decodeFlat(t, SectionTypeDMArVTd, w.b)
	wantFields(t, got, map[string]string{
		"Fault Record/Fault Address":     "0x7f1234000",
		"Fault Record/Source Identifier": "0xa0",
		"Fault Record/Fault Reason":      "0x5",
	})
}

// Fault 8: the ARM cache and TLB error structures (§N.2.4.4.1 Tables
// N-19, N-20) define validation bits 0..6 only; bits 7..11 are the bus
// structure's (Table N-21).
func TestARMErrorInfoValidationNames(t *testing.T) {
	body := func(typ uint8) []byte {
		w := &wb{}
		w.u32(0)           // 0  Validation Bits
		w.u16(1).u16(0)    // 4  Error Information Count 1, Context Information Count 0
		w.u32(40 + 32)     // 8  Section Length
		w.u8(0).fill(3, 0) // 12 Error Affinity Level, Reserved
		w.u64(0).u64(0)    // 16 MPIDR_EL1, MIDR_EL1
		w.u32(0).u32(0)    // 32 Running State, PSCI State
		w.u8(0).u8(32)     // 40 Version, Length
		w.u16(1 << 2)      // 42 Validation Bits: Error Information
		w.u8(typ)          // 44 Type (UEFI 2.11 bit set)
		w.u16(0).u8(0)     // 45 Multiple Error, Flags
		w.u64(0xFFF)       // 48 Error Information: validation bits 0..11 set, all fields 0
		w.u64(0).u64(0)    // 56 Virtual, Physical Fault Address
		return w.b
	}
	common := "Transaction Type|Operation|Level|Processor Context Corrupt|Corrected|Precise PC|Restartable PC"
	for _, tc := range []struct {
		typ  uint8
		want string
	}{
		{1, "0xfff (" + common + "|bit7|bit8|bit9|bit10|bit11)"},                                              // cache
		{2, "0xfff (" + common + "|bit7|bit8|bit9|bit10|bit11)"},                                              // TLB
		{4, "0xfff (" + common + "|Participation Type|Time Out|Address Space|Memory Attributes|Access Mode)"}, // bus
	} {
		got, _ := decodeFlat(t, SectionTypeARM, body(tc.typ))
		wantFields(t, got, map[string]string{"Error Information[0]/Error Information/Validation Bits": tc.want})
	}
}

// Fault 9: Memory Error Section 2's Status byte (§N.2.6 Table N-33,
// offset 62): bit 0 says corrected (0) or uncorrected (1).
func TestMemory2Status(t *testing.T) {
	for _, tc := range []struct {
		status uint8
		want   string
	}{{0x01, "Uncorrected (1)"}, {0x00, "Corrected (0)"}, {0xFE, "Corrected (0)"}} {
		w := &wb{}
		w.u64(1 << 14)        // 0  Validation Bits: Status
		w.fill(52, 0)         // 8  Error Status .. Bit Position (not valid)
		w.u8(0).u8(0)         // 60 Chip ID, Memory Error Type
		w.u8(tc.status).u8(0) // 62 Status, Reserved
		w.fill(32, 0)         // 64 Requestor ID .. Module Handle
		got, _ := decodeFlat(t, SectionTypePlatformMemory2, w.b)
		wantFields(t, got, map[string]string{"Status/Error State": tc.want})
	}
}

// Fault 10: the memory section's row (§N.2.5 Table N-31) is valid when
// Row Valid (bit 8) or Extended Row Valid (bit 18) is set, and is the
// whole 18-bit number: Row bits 0..15, Extended bits 0..1 as bits 16..17
// (Linux cper.c cper_get_mem_extension).
func TestMemoryExtendedRow(t *testing.T) {
	body := func(valid uint64) []byte {
		w := &wb{}
		w.u64(valid)           // 0  Validation Bits
		w.fill(34, 0)          // 8  Error Status .. Device... up to Row
		w.u16(0x1234)          // 42 Row
		w.u16(0).u16(0)        // 44 Column, Bit Position
		w.u64(0).u64(0).u64(0) // 48 Requestor, Responder, Target ID
		w.u8(0)                // 72 Memory Error Type
		w.u8(0x3 | 0x5<<5)     // 73 Extended: row bits 16..17 = 3, chip id 5
		w.u16(0).u16(0).u16(0) // 74 Rank, Card Handle, Module Handle
		return w.b
	}
	for _, tc := range []struct {
		valid uint64
		want  string
	}{
		{1 << 18, "201268"},      // 0x31234: extended alone
		{1<<8 | 1<<18, "201268"}, // both
		{1 << 8, "4660"},         // 0x1234: row alone, extended bits not valid
		{0, "(not valid)"},
	} {
		got, _ := decodeFlat(t, SectionTypePlatformMemory, body(tc.valid))
		wantFields(t, got, map[string]string{"Row": tc.want})
	}
}

// The AER Root Error Status's bits 27..31 (PCIe Base §7.8.4.10) are the
// Advanced Error Interrupt Message Number, shown as a field, not as flags.
func TestAERRootErrorStatusMessageNumber(t *testing.T) {
	body := pcieSectionWithCap(0, 0, 0, 0, 0)
	body[0] |= 1 << 7                  // 0   Validation Bits: AER Info too
	put32(body, 112, 0x0001|2<<16)     // 112 AER extended capability header: AER, version 2
	put32(body, 112+48, 1<<2|0x15<<27) // 160 Root Error Status: ERR_FATAL/NONFATAL Received, message number 21
	got, _ := decodeFlat(t, SectionTypePCIe, body)
	wantFields(t, got, map[string]string{
		"AER Info/Root Error Status":                       "0xa8000004 (ERR_FATAL/NONFATAL Received)",
		"AER Info/Advanced Error Interrupt Message Number": "21",
	})
}
