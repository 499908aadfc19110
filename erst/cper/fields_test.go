package cper

import (
	"slices"
	"testing"
)

// Every field of the memory sections and Linux's struct mce, each with a
// value no other field has, and every validation bit on its own: a field
// read from the wrong offset or under the wrong validation bit fails here.

// memoryAllFields is a Platform Memory Error Section (UEFI 2.10 §N.2.5
// Table N-31) with all 22 validation bits set and every field distinct.
func memoryAllFields(valid uint64) []byte {
	w := &wb{}
	w.u64(valid)              // 0  Validation Bits
	w.u64(4<<8 | 0x55<<16)    // 8  Error Status: ERR_MEM; bits 16, 18, 20, 22
	w.u64(0x000000ABCDEF1000) // 16 Physical Address
	w.u64(0xFFFFFFFFFFFFF000) // 24 Physical Address Mask
	w.u16(0x0101)             // 32 Node
	w.u16(0x0202)             // 34 Card
	w.u16(0x0303)             // 36 Module
	w.u16(0x0504)             // 38 Bank: group 5 (15:8), address 4 (7:0)
	w.u16(0x0606)             // 40 Device
	w.u16(0x0707)             // 42 Row
	w.u16(0x0808)             // 44 Column
	w.u16(0x0909)             // 46 Bit Position
	w.u64(0x0A0A0A0A0A0A0A0A) // 48 Requestor ID
	w.u64(0x0B0B0B0B0B0B0B0B) // 56 Responder ID
	w.u64(0x0C0C0C0C0C0C0C0C) // 64 Target ID
	w.u8(13)                  // 72 Memory Error Type: Scrub corrected error
	w.u8(0x2 | 6<<5)          // 73 Extended: row bits 16..17 = 2, Chip Identification 6 (7:5)
	w.u16(0x0D0D)             // 74 Rank Number
	w.u16(0x0E0E)             // 76 Card Handle
	w.u16(0x0F0F)             // 78 Module Handle
	return w.b
}

// memoryValidBits: Table N-31's validation bit of each field.
var memoryValidBits = map[string][]int{
	"Error Status": {0}, "Physical Address": {1}, "Physical Address Mask": {2}, "Node": {3}, "Card": {4},
	"Module": {5}, "Bank": {6}, "Device": {7}, "Row": {8, 18}, "Column": {9}, "Bit Position": {10},
	"Requestor ID": {11}, "Responder ID": {12}, "Target ID": {13}, "Memory Error Type": {14},
	"Rank Number": {15}, "Card Handle": {16}, "Module Handle": {17}, "Extended Row Bits 16-17": {18},
	"Bank Group": {19}, "Bank Address": {20}, "Chip Identification": {21},
}

func TestMemoryEveryField(t *testing.T) {
	got, d := decodeFlat(t, SectionTypePlatformMemory, memoryAllFields(1<<22-1))
	if d.Err != nil {
		t.Fatal(d.Err)
	}
	want := map[string]string{
		"Validation Bits":                      "0x3fffff (Error Status|Physical Address|Physical Address Mask|Node|Card|Module|Bank|Device|Row|Column|Bit Position|Requestor ID|Responder ID|Target ID|Memory Error Type|Rank Number|Card Handle|Module Handle|Extended Row|Bank Group|Bank Address|Chip Identification)",
		"Error Status":                         "0x550400",
		"Error Status/Error Type":              "ERR_MEM: Storage error in DRAM memory (4)",
		"Error Status/Address Signal":          "true",
		"Error Status/Control Signal":          "false",
		"Error Status/Data Signal":             "true",
		"Error Status/Detected By Responder":   "false",
		"Error Status/Detected By Requester":   "true",
		"Error Status/First Error":             "false",
		"Error Status/Overflow Dropped Errors": "true",
		"Physical Address":                     "0xabcdef1000",
		"Physical Address Mask":                "0xfffffffffffff000",
		"Node":                                 "257",
		"Card":                                 "514",
		"Module":                               "771",
		"Bank":                                 "1284",
		"Bank Address":                         "4",
		"Bank Group":                           "5",
		"Device":                               "1542",
		"Row":                                  "132871", // 0x20707: Extended bits 0..1 are row bits 16..17
		"Column":                               "2056",
		"Bit Position":                         "2313",
		"Requestor ID":                         "0xa0a0a0a0a0a0a0a",
		"Responder ID":                         "0xb0b0b0b0b0b0b0b",
		"Target ID":                            "0xc0c0c0c0c0c0c0c",
		"Memory Error Type":                    "Scrub corrected error (13)",
		"Extended Row Bits 16-17":              "2",
		"Chip Identification":                  "6",
		"Rank Number":                          "3341",
		"Card Handle":                          "0xe0e",
		"Module Handle":                        "0xf0f",
	}
	wantFields(t, got, want)
	if len(got) != len(want) {
		t.Errorf("%d fields decoded, %d asserted: %v", len(got), len(want), keys(got))
	}
}

// memory2AllFields is a Platform Memory Error Section 2 (§N.2.6 Table
// N-33) with every field distinct.
func memory2AllFields(valid uint64) []byte {
	w := &wb{}
	w.u64(valid)              // 0  Validation Bits
	w.u64(5<<8 | 0x2A<<16)    // 8  Error Status: ERR_TLB; bits 17, 19, 21
	w.u64(0x0000001234567000) // 16 Physical Address
	w.u64(0xFFFFFFFFFFFFE000) // 24 Physical Address Mask
	w.u16(0x0101)             // 32 Node
	w.u16(0x0202)             // 34 Card
	w.u16(0x0303)             // 36 Module
	w.u16(0x0706)             // 38 Bank: group 7, address 6
	w.u32(0x04040404)         // 40 Device
	w.u32(0x05050505)         // 44 Row
	w.u32(0x06060606)         // 48 Column
	w.u32(0x07070707)         // 52 Rank
	w.u32(0x08080808)         // 56 Bit Position
	w.u8(9)                   // 60 Chip ID
	w.u8(4)                   // 61 Memory Error Type: Single-symbol ChipKill ECC
	w.u8(1)                   // 62 Status: uncorrected
	w.u8(0)                   // 63 Reserved
	w.u64(0x0A0A0A0A0A0A0A0A) // 64 Requestor ID
	w.u64(0x0B0B0B0B0B0B0B0B) // 72 Responder ID
	w.u64(0x0C0C0C0C0C0C0C0C) // 80 Target ID
	w.u32(0x0D0D0D0D)         // 88 Card Handle
	w.u32(0x0E0E0E0E)         // 92 Module Handle
	return w.b
}

var memory2ValidBits = map[string][]int{
	"Error Status": {0}, "Physical Address": {1}, "Physical Address Mask": {2}, "Node": {3}, "Card": {4},
	"Module": {5}, "Bank": {6}, "Device": {7}, "Row": {8}, "Column": {9}, "Rank": {10}, "Bit Position": {11},
	"Chip ID": {12}, "Memory Error Type": {13}, "Status": {14}, "Requestor ID": {15}, "Responder ID": {16},
	"Target ID": {17}, "Card Handle": {18}, "Module Handle": {19}, "Bank Group": {20}, "Bank Address": {21},
	"Reserved": nil,
}

func TestMemory2EveryField(t *testing.T) {
	got, d := decodeFlat(t, SectionTypePlatformMemory2, memory2AllFields(1<<22-1))
	if d.Err != nil {
		t.Fatal(d.Err)
	}
	want := map[string]string{
		"Validation Bits":                      "0x3fffff (Error Status|Physical Address|Physical Address Mask|Node|Card|Module|Bank|Device|Row|Column|Rank|Bit Position|Chip ID|Memory Error Type|Status|Requestor ID|Responder ID|Target ID|Card Handle|Module Handle|Bank Group|Bank Address)",
		"Error Status":                         "0x2a0500",
		"Error Status/Error Type":              "ERR_TLB: Storage error in TLB (5)",
		"Error Status/Address Signal":          "false",
		"Error Status/Control Signal":          "true",
		"Error Status/Data Signal":             "false",
		"Error Status/Detected By Responder":   "true",
		"Error Status/Detected By Requester":   "false",
		"Error Status/First Error":             "true",
		"Error Status/Overflow Dropped Errors": "false",
		"Physical Address":                     "0x1234567000",
		"Physical Address Mask":                "0xffffffffffffe000",
		"Node":                                 "257",
		"Card":                                 "514",
		"Module":                               "771",
		"Bank":                                 "1798",
		"Bank Address":                         "6",
		"Bank Group":                           "7",
		"Device":                               "67372036",
		"Row":                                  "84215045",
		"Column":                               "101058054",
		"Rank":                                 "117901063",
		"Bit Position":                         "134744072",
		"Chip ID":                              "9",
		"Memory Error Type":                    "Single-symbol ChipKill ECC (4)",
		"Status":                               "0x1",
		"Status/Error State":                   "Uncorrected (1)",
		"Reserved":                             "0x0",
		"Requestor ID":                         "0xa0a0a0a0a0a0a0a",
		"Responder ID":                         "0xb0b0b0b0b0b0b0b",
		"Target ID":                            "0xc0c0c0c0c0c0c0c",
		"Card Handle":                          "0xd0d0d0d",
		"Module Handle":                        "0xe0e0e0e",
	}
	wantFields(t, got, want)
	if len(got) != len(want) {
		t.Errorf("%d fields decoded, %d asserted: %v", len(got), len(want), keys(got))
	}
}

// TestMemoryValidationBits sets one validation bit at a time: exactly the
// fields the spec puts under that bit are valid.
func TestMemoryValidationBits(t *testing.T) {
	for _, tc := range []struct {
		name string
		typ  SectionType
		body func(uint64) []byte
		bits map[string][]int
	}{
		{"memory", SectionTypePlatformMemory, memoryAllFields, memoryValidBits},
		{"memory 2", SectionTypePlatformMemory2, memory2AllFields, memory2ValidBits},
	} {
		for bit := 0; bit < 22; bit++ {
			d := DecodeSection(&Section{Descriptor: SectionDescriptor{Type: tc.typ}, Body: tc.body(1 << bit)})
			for _, x := range d.Fields {
				if x.Name == "Validation Bits" {
					continue
				}
				vb, ok := tc.bits[x.Name]
				if !ok {
					t.Errorf("%s: field %q has no validation bit in the test's table", tc.name, x.Name)
					continue
				}
				want := slices.Contains(vb, bit) || vb == nil // nil: always valid
				if x.Valid != want {
					t.Errorf("%s: only bit %d set: %s valid %v, want %v", tc.name, bit, x.Name, x.Valid, want)
				}
			}
		}
	}
}

// TestMCEEveryField: all 25 fields of Linux's struct mce
// (arch/x86/include/uapi/asm/mce.h, 128 bytes since Linux 5.10), each a
// distinct value.
func TestMCEEveryField(t *testing.T) {
	w := &wb{}
	w.u64(0xBC000000_0ABC0135) // 0   status: VAL UC EN MISCV ADDRV; MSEC 0xabc; MCA code 0x135
	w.u64(0x1111)              // 8   misc
	w.u64(0x22223000)          // 16  addr
	w.u64(0x7)                 // 24  mcgstatus: RIPV EIPV MCIP
	w.u64(0xFFFFFFFF81444444)  // 32  ip
	w.u64(0x55555555)          // 40  tsc
	w.u64(1700000006)          // 48  time
	w.u8(2)                    // 56  cpuvendor: AMD
	w.u8(0x08)                 // 57  inject_flags
	w.u8(9)                    // 58  severity
	w.u8(0x0A)                 // 59  pad
	w.u32(0x000A0F11)          // 60  cpuid
	w.u8(0x33)                 // 64  cs
	w.u8(14)                   // 65  bank
	w.u8(15)                   // 66  cpu
	w.u8(16)                   // 67  finished
	w.u32(17)                  // 68  extcpu
	w.u32(18)                  // 72  socketid
	w.u32(19)                  // 76  apicid
	w.u64(0x1000C20)           // 80  mcgcap
	w.u64(0x2121)              // 88  synd
	w.u64(0x2222)              // 96  ipid
	w.u64(0x2323)              // 104 ppin
	w.u32(0x24)                // 112 microcode
	w.u32(0)                   // 116 padding before the u64
	w.u64(0x25)                // 120 kflags
	got, d := decodeFlat(t, SectionTypeMCE, w.b)
	if d.Err != nil {
		t.Fatal(d.Err)
	}
	want := map[string]string{
		"Layout":                           "128 bytes, with kflags (Linux 5.10 and later)",
		"status":                           "0xbc0000000abc0135",
		"status/MCA Error Code":            "0x135",
		"status/Model Specific Error Code": "0xabc",
		"status/Flags":                     "0x5e0 (ADDRV|MISCV|EN|UC|VAL)",
		"misc":                             "0x1111",
		"addr":                             "0x22223000",
		"mcgstatus":                        "0x7 (RIPV|EIPV|MCIP)",
		"ip":                               "0xffffffff81444444",
		"tsc":                              "0x55555555",
		"time":                             "1700000006",
		"cpuvendor":                        "AMD (2)",
		"inject_flags":                     "0x8",
		"severity":                         "9",
		"pad":                              "0xa",
		"cpuid":                            "0xa0f11",
		"cs":                               "0x33",
		"bank":                             "14",
		"cpu":                              "15",
		"finished":                         "16",
		"extcpu":                           "17",
		"socketid":                         "18",
		"apicid":                           "19",
		"mcgcap":                           "0x1000c20",
		"synd":                             "0x2121",
		"ipid":                             "0x2222",
		"ppin":                             "0x2323",
		"microcode":                        "0x24",
		"kflags":                           "0x25",
	}
	wantFields(t, got, want)
	if len(got) != len(want) {
		t.Errorf("%d fields decoded, %d asserted: %v", len(got), len(want), keys(got))
	}
}
