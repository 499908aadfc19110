package cper

import (
	"encoding/binary"
	"fmt"
)

// Platform sections: memory (§N.2.5, §N.2.6), PCI Express (§N.2.7),
// PCI/PCI-X bus (§N.2.8), PCI component (§N.2.9), firmware error record
// reference (§N.2.10), DMAr (§N.2.11), CCIX PER (§N.2.12), CXL protocol
// (§N.2.13) and CXL component events (§N.2.14).

func init() {
	for t, d := range map[SectionType]sectionDecoder{
		SectionTypePlatformMemory:      {"Platform Memory Error Section", decodeMemory},
		SectionTypePlatformMemory2:     {"Platform Memory Error Section 2", platformMemory2.decode},
		SectionTypePCIe:                {"PCI Express Error Section", pcieSection.decode},
		SectionTypePCIXBus:             {"PCI/PCI-X Bus Error Section", pciBus.decode},
		SectionTypePCIDevice:           {"PCI/PCI-X Component Error Section", decodePCIDevice},
		SectionTypeFirmwareErrorRecord: {"Firmware Error Record Reference", decodeFirmware},
		SectionTypeDMArGeneric:         {"DMAr Generic Error Section", dmarGeneric.decode},
		SectionTypeDMArVTd:             {"Intel VT for Directed I/O Specific DMAr Error Section", dmarVTd.decode},
		SectionTypeDMArIOMMU:           {"IOMMU Specific DMAr Error Section", dmarIOMMU.decode},
		SectionTypeCCIXPER:             {"CCIX PER Log Error Section", decodeCCIX},
		SectionTypeCXLProtocol:         {"CXL Protocol Error Section", decodeCXLProtocol},
	} {
		sectionDecoders[t] = d
	}
	for _, t := range []SectionType{SectionTypeCXLGeneralMedia, SectionTypeCXLDRAM, SectionTypeCXLMemoryModule,
		SectionTypeCXLPhysicalSwitch, SectionTypeCXLVirtualSwitch, SectionTypeCXLMLDPort} {
		sectionDecoders[t] = sectionDecoder{"CXL Component Event Section", decodeCXLComponent}
	}
}

// §N.2.5 Table N-32: the Error Status field (also in §N.2.6, §N.2.8,
// §N.2.9): an error type and where the error was seen.
var errorStatus = &layout{name: "Error Status", size: 8, fields: []field{
	f("Error Type", 0, 8).bits(8, 8).enum(map[uint64]string{
		0x01: "ERR_INTERNAL: Error detected internal to the component",
		0x04: "ERR_MEM: Storage error in DRAM memory",
		0x05: "ERR_TLB: Storage error in TLB",
		0x06: "ERR_CACHE: Storage error in cache",
		0x07: "ERR_FUNCTION: Error in one or more functional units",
		0x08: "ERR_SELFTEST: Component failed self test",
		0x09: "ERR_FLOW: Overflow or undervalue of internal queue",
		0x10: "ERR_BUS: Error detected in the bus",
		0x11: "ERR_MAP: Virtual address not found on IO-TLB or IO-PDIR",
		0x12: "ERR_IMPROPER: Improper access error",
		0x13: "ERR_UNIMPL: Access to a memory address which is not mapped to any component",
		0x14: "ERR_LOL: Loss of Lockstep",
		0x15: "ERR_RESPONSE: Response not associated with a request",
		0x16: "ERR_PARITY: Bus parity error",
		0x17: "ERR_PROTOCOL: Detection of a protocol error",
		0x18: "ERR_ERROR: Detection of a PATH_ERROR",
		0x19: "ERR_TIMEOUT: Bus operation timeout",
		0x1A: "ERR_POISONED: A read was issued to data that has been poisoned",
	}),
	f("Address Signal", 0, 8).bits(16, 1).bool(),
	f("Control Signal", 0, 8).bits(17, 1).bool(),
	f("Data Signal", 0, 8).bits(18, 1).bool(),
	f("Detected By Responder", 0, 8).bits(19, 1).bool(),
	f("Detected By Requester", 0, 8).bits(20, 1).bool(),
	f("First Error", 0, 8).bits(21, 1).bool(),
	f("Overflow Dropped Errors", 0, 8).bits(22, 1).bool(),
}}

var memErrorTypes = enumList("Unknown", "No error", "Single-bit ECC", "Multi-bit ECC", "Single-symbol ChipKill ECC",
	"Multi-symbol ChipKill ECC", "Master abort", "Target abort", "Parity Error", "Watchdog timeout", "Invalid address",
	"Mirror Broken", "Memory Sparing", "Scrub corrected error", "Scrub uncorrected error", "Physical Memory Map-out event")

// §N.2.5 Table N-31 Platform Memory Error Section.
var platformMemory = &layout{
	name: "Platform Memory Error Section", size: 80, validSize: 8,
	fields: []field{
		f("Validation Bits", 0, 8).flags("Error Status", "Physical Address", "Physical Address Mask", "Node", "Card",
			"Module", "Bank", "Device", "Row", "Column", "Bit Position", "Requestor ID", "Responder ID", "Target ID",
			"Memory Error Type", "Rank Number", "Card Handle", "Module Handle", "Extended Row", "Bank Group",
			"Bank Address", "Chip Identification"),
		f("Error Status", 8, 8).v(0).hex().of(errorStatus),
		f("Physical Address", 16, 8).v(1).hex(),
		f("Physical Address Mask", 24, 8).v(2).hex(),
		f("Node", 32, 2).v(3),
		f("Card", 34, 2).v(4),
		f("Module", 36, 2).v(5),
		f("Bank", 38, 2).v(6),
		f("Bank Address", 38, 2).bits(0, 8).v(20),
		f("Bank Group", 38, 2).bits(8, 8).v(19),
		f("Device", 40, 2).v(7),
		f("Row", 42, 2).v(8),
		f("Column", 44, 2).v(9),
		f("Bit Position", 46, 2).v(10),
		f("Requestor ID", 48, 8).v(11).hex(),
		f("Responder ID", 56, 8).v(12).hex(),
		f("Target ID", 64, 8).v(13).hex(),
		f("Memory Error Type", 72, 1).v(14).enum(memErrorTypes),
		f("Extended Row Bits 16-17", 73, 1).bits(0, 2).v(18),
		f("Chip Identification", 73, 1).bits(5, 3).v(21),
		f("Rank Number", 74, 2).v(15),
		f("Card Handle", 76, 2).v(16).hex(),
		f("Module Handle", 78, 2).v(17).hex(),
	},
}

// decodeMemory decodes §N.2.5 and joins the row number: the Row field
// holds bits 0..15 and Extended bits 0..1 hold bits 16..17. The row is
// valid when either Row Valid (bit 8) or Extended Row Valid (bit 18) is
// set, as Linux's cper.c reads it (cper_mem_err_location).
func decodeMemory(b []byte) (Fields, error) {
	fs, err := platformMemory.decode(b)
	if len(b) < 8 {
		return fs, err
	}
	vb := binary.LittleEndian.Uint64(b)
	for i := range fs {
		if fs[i].Name != "Row" {
			continue
		}
		row := fs[i].Value
		if vb&(1<<18) != 0 && len(b) > 73 {
			row |= uint64(b[73]&3) << 16
		}
		fs[i].Valid = vb&(1<<8|1<<18) != 0
		fs[i].Value, fs[i].width, fs[i].Text = row, 18, fmt.Sprint(row)
	}
	return fs, err
}

// §N.2.6 Table N-33 Platform Memory Error Section 2.
var platformMemory2 = &layout{
	name: "Platform Memory Error Section 2", size: 96, validSize: 8,
	fields: []field{
		f("Validation Bits", 0, 8).flags("Error Status", "Physical Address", "Physical Address Mask", "Node", "Card",
			"Module", "Bank", "Device", "Row", "Column", "Rank", "Bit Position", "Chip ID", "Memory Error Type",
			"Status", "Requestor ID", "Responder ID", "Target ID", "Card Handle", "Module Handle", "Bank Group",
			"Bank Address"),
		f("Error Status", 8, 8).v(0).hex().of(errorStatus),
		f("Physical Address", 16, 8).v(1).hex(),
		f("Physical Address Mask", 24, 8).v(2).hex(),
		f("Node", 32, 2).v(3),
		f("Card", 34, 2).v(4),
		f("Module", 36, 2).v(5),
		f("Bank", 38, 2).v(6),
		f("Bank Address", 38, 2).bits(0, 8).v(21),
		f("Bank Group", 38, 2).bits(8, 8).v(20),
		f("Device", 40, 4).v(7),
		f("Row", 44, 4).v(8),
		f("Column", 48, 4).v(9),
		f("Rank", 52, 4).v(10),
		f("Bit Position", 56, 4).v(11),
		f("Chip ID", 60, 1).v(12),
		f("Memory Error Type", 61, 1).v(13).enum(memErrorTypes),
		f("Status", 62, 1).v(14).hex().of(&layout{name: "Status", size: 1, fields: []field{
			f("Error State", 0, 1).bits(0, 1).enum(enumList("Corrected", "Uncorrected")), // bit 0; 1..7 reserved
		}}),
		f("Reserved", 63, 1).hex(),
		f("Requestor ID", 64, 8).v(15).hex(),
		f("Responder ID", 72, 8).v(16).hex(),
		f("Target ID", 80, 8).v(17).hex(),
		f("Card Handle", 88, 4).v(18).hex(),
		f("Module Handle", 92, 4).v(19).hex(),
	},
}

var pciePortTypes = map[uint64]string{
	0: "PCI Express End Point", 1: "Legacy PCI End Point Device", 4: "Root Port", 5: "Upstream Switch Port",
	6: "Downstream Switch Port", 7: "PCI Express to PCI/PCI-X Bridge", 8: "PCI/PCI-X Bridge to PCI Express Bridge",
	9: "Root Complex Integrated Endpoint Device", 10: "Root Complex Event Collector",
}

var (
	// PCIe Base 6.0 §7.5.3.4 Max_Payload_Size and Max_Read_Request_Size.
	pciePayloadSizes = enumList("128 bytes", "256 bytes", "512 bytes", "1024 bytes", "2048 bytes", "4096 bytes")
	// §7.5.3.6 and §7.5.3.8: a link speed is an index into the Supported
	// Link Speeds Vector; these are the speeds its bits stand for.
	pcieLinkSpeeds = map[uint64]string{1: "2.5 GT/s", 2: "5.0 GT/s", 3: "8.0 GT/s", 4: "16.0 GT/s", 5: "32.0 GT/s", 6: "64.0 GT/s"}
	pcieLinkWidths = map[uint64]string{1: "x1", 2: "x2", 4: "x4", 8: "x8", 12: "x12", 16: "x16", 32: "x32"}
)

// PCI Express Capability Structure (PCIe Base 6.0 §7.5.3), the 60 bytes
// from its capability header that §N.2.7 carries.
var pcieCapability = &layout{name: "PCI Express Capability Structure", size: 60, fields: []field{
	f("Capability ID", 0, 1).hex(),
	f("Next Capability Pointer", 1, 1).hex(),
	f("Capability Version", 2, 2).bits(0, 4),
	f("Device/Port Type", 2, 2).bits(4, 4).enum(pciePortTypes),
	f("Slot Implemented", 2, 2).bits(8, 1).bool(),
	f("Interrupt Message Number", 2, 2).bits(9, 5),
	f("Device Capabilities", 4, 4).hex(),
	// §7.5.3.4: bits 5..7 Max_Payload_Size and 12..14 Max_Read_Request_Size
	// are fields of their own, below.
	f("Device Control", 8, 2).flags("Correctable Error Reporting Enable", "Non-Fatal Error Reporting Enable",
		"Fatal Error Reporting Enable", "Unsupported Request Reporting Enable", "Enable Relaxed Ordering", "-", "-", "-",
		"Extended Tag Field Enable", "Phantom Functions Enable", "Aux Power PM Enable", "Enable No Snoop", "-", "-", "-",
		"Initiate Function Level Reset"),
	f("Max Payload Size", 8, 2).bits(5, 3).enum(pciePayloadSizes),
	f("Max Read Request Size", 8, 2).bits(12, 3).enum(pciePayloadSizes),
	f("Device Status", 10, 2).flags("Correctable Error Detected", "Non-Fatal Error Detected", "Fatal Error Detected",
		"Unsupported Request Detected", "AUX Power Detected", "Transactions Pending", "Emergency Power Reduction Detected"),
	f("Link Capabilities", 12, 4).hex(),
	f("Max Link Speed", 12, 4).bits(0, 4).enum(pcieLinkSpeeds),
	f("Maximum Link Width", 12, 4).bits(4, 6).enum(pcieLinkWidths),
	f("Port Number", 12, 4).bits(24, 8),
	f("Link Control", 16, 2).hex(),
	// §7.5.3.8: bits 0..3 Current Link Speed and 4..9 Negotiated Link
	// Width are fields of their own, below; bit 10 is undefined.
	f("Link Status", 18, 2).flags("-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "", "Link Training", "Slot Clock Configuration",
		"Data Link Layer Link Active", "Link Bandwidth Management Status", "Link Autonomous Bandwidth Status"),
	f("Current Link Speed", 18, 2).bits(0, 4).enum(pcieLinkSpeeds),
	f("Negotiated Link Width", 18, 2).bits(4, 6).enum(pcieLinkWidths),
	// §7.5.3.9 Slot Capabilities.
	f("Slot Capabilities", 20, 4).flags("Attention Button Present", "Power Controller Present", "MRL Sensor Present",
		"Attention Indicator Present", "Power Indicator Present", "Hot-Plug Surprise", "Hot-Plug Capable",
		"-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "Electromechanical Interlock Present", "No Command Completed Support",
		"-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-"),
	f("Slot Power Limit Value", 20, 4).bits(7, 8),
	f("Slot Power Limit Scale", 20, 4).bits(15, 2).enum(enumList("1.0x", "0.1x", "0.01x", "0.001x")),
	f("Physical Slot Number", 20, 4).bits(19, 13),
	f("Slot Control", 24, 2).hex(),
	f("Slot Status", 26, 2).flags("Attention Button Pressed", "Power Fault Detected", "MRL Sensor Changed",
		"Presence Detect Changed", "Command Completed", "MRL Sensor State", "Presence Detect State",
		"Electromechanical Interlock Status", "Data Link Layer State Changed"),
	f("Root Control", 28, 2).hex(),
	f("Root Capabilities", 30, 2).hex(),
	// §7.5.3.14 Root Status.
	f("Root Status", 32, 4).hex(),
	f("PME Requester ID", 32, 4).bits(0, 16).hex(),
	f("PME Status", 32, 4).bits(16, 1).bool(),
	f("PME Pending", 32, 4).bits(17, 1).bool(),
	f("Device Capabilities 2", 36, 4).hex(),
	f("Device Control 2", 40, 2).hex(),
	f("Device Status 2", 42, 2).hex(),
	f("Link Capabilities 2", 44, 4).hex(),
	f("Link Control 2", 48, 2).hex(),
	f("Link Status 2", 50, 2).hex(),
	f("Slot Capabilities 2", 52, 4).hex(),
	f("Slot Control 2", 56, 2).hex(),
	f("Slot Status 2", 58, 2).hex(),
}}

// AER bits (PCIe Base 6.0 §7.8.4.2 and §7.8.4.5).
var (
	aerUncorrectable = []string{"Undefined", "", "", "", "Data Link Protocol Error", "Surprise Down Error", "", "", "",
		"", "", "", "Poisoned TLP Received", "Flow Control Protocol Error", "Completion Timeout", "Completer Abort",
		"Unexpected Completion", "Receiver Overflow", "Malformed TLP", "ECRC Error", "Unsupported Request Error",
		"ACS Violation", "Uncorrectable Internal Error", "MC Blocked TLP", "AtomicOp Egress Blocked",
		"TLP Prefix Blocked Error", "Poisoned TLP Egress Blocked", "DMWr Request Egress Blocked", "IDE Check Failed",
		"Misrouted IDE TLP", "PCRC Check Failed", "TLP Translation Egress Blocked"}
	aerCorrectable = []string{"Receiver Error", "", "", "", "", "", "Bad TLP", "Bad DLLP", "REPLAY_NUM Rollover", "", "",
		"", "Replay Timer Timeout", "Advisory Non-Fatal Error", "Corrected Internal Error", "Header Log Overflow"}
)

// Advanced Error Reporting Extended Capability (PCIe Base 6.0 §7.8.4),
// the 96 bytes §N.2.7 carries.
var aerCapability = &layout{name: "AER Extended Capability", size: 96, fields: []field{
	f("Capability ID", 0, 4).bits(0, 16).hex(),
	f("Capability Version", 0, 4).bits(16, 4),
	f("Next Capability Offset", 0, 4).bits(20, 12).hex(),
	f("Uncorrectable Error Status", 4, 4).flags(aerUncorrectable...),
	f("Uncorrectable Error Mask", 8, 4).flags(aerUncorrectable...),
	f("Uncorrectable Error Severity", 12, 4).flags(aerUncorrectable...),
	f("Correctable Error Status", 16, 4).flags(aerCorrectable...),
	f("Correctable Error Mask", 20, 4).flags(aerCorrectable...),
	f("Capabilities and Control", 24, 4).hex(),
	f("First Error Pointer", 24, 4).bits(0, 5),
	f("ECRC Generation Capable", 24, 4).bits(5, 1).bool(),
	f("ECRC Generation Enable", 24, 4).bits(6, 1).bool(),
	f("ECRC Check Capable", 24, 4).bits(7, 1).bool(),
	f("ECRC Check Enable", 24, 4).bits(8, 1).bool(),
	f("Multiple Header Recording Capable", 24, 4).bits(9, 1).bool(),
	f("Multiple Header Recording Enable", 24, 4).bits(10, 1).bool(),
	f("TLP Prefix Log Present", 24, 4).bits(11, 1).bool(),
	f("Completion Timeout Prefix/Header Log Capable", 24, 4).bits(12, 1).bool(),
	f("Header Log", 28, 16).raw(),
	f("Root Error Command", 44, 4).flags("Correctable Error Reporting Enable", "Non-Fatal Error Reporting Enable", "Fatal Error Reporting Enable"),
	f("Root Error Status", 48, 4).flags("ERR_COR Received", "Multiple ERR_COR Received", "ERR_FATAL/NONFATAL Received",
		"Multiple ERR_FATAL/NONFATAL Received", "First Uncorrectable Fatal", "Non-Fatal Error Messages Received",
		"Fatal Error Messages Received", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "",
		"-", "-", "-", "-", "-"), // bits 27..31: the message number below
	f("Advanced Error Interrupt Message Number", 48, 4).bits(27, 5),
	f("Error Source Identification ERR_COR", 52, 2).hex(),
	f("Error Source Identification ERR_FATAL/NONFATAL", 54, 2).hex(),
	f("TLP Prefix Log", 56, 16).raw(),
	f("Reserved", 72, 24).raw(),
}}

// §N.2.7 Table N-34 PCI Express Error Section.
var pcieSection = &layout{
	name: "PCI Express Error Section", size: 208, validSize: 8,
	fields: []field{
		f("Validation Bits", 0, 8).flags("Port Type", "Version", "Command Status", "Device ID", "Device Serial Number",
			"Bridge Control Status", "Capability Structure", "AER Info"),
		f("Port Type", 8, 4).v(0).enum(pciePortTypes),
		f("Version Minor", 12, 1).v(1).hex(),
		f("Version Major", 13, 1).v(1).hex(),
		f("Command", 16, 2).v(2).hex(),
		f("Status", 18, 2).v(2).hex(),
		f("Reserved", 20, 4).hex(),
		f("Vendor ID", 24, 2).v(3).hex(),
		f("Device ID", 26, 2).v(3).hex(),
		f("Class Code", 28, 3).v(3).hex(),
		f("Function Number", 31, 1).v(3),
		f("Device Number", 32, 1).v(3),
		f("Segment Number", 33, 2).v(3),
		f("Root Port/Primary Bus Number", 35, 1).v(3),
		f("Secondary Bus Number", 36, 1).v(3),
		f("Slot Number", 37, 2).bits(3, 13).v(3),
		f("Device ID Reserved", 39, 1).hex(),
		f("Device Serial Number", 40, 8).v(4).hex(),
		f("Secondary Status", 48, 2).v(5).hex(),
		f("Bridge Control", 50, 2).v(5).hex(),
		f("Capability Structure", 52, 60).v(6).raw().of(pcieCapability),
		f("AER Info", 112, 96).v(7).raw().of(aerCapability),
	},
}

// §N.2.8 Table N-35 PCI/PCI-X Bus Error Section.
var pciBus = &layout{
	name: "PCI/PCI-X Bus Error Section", size: 72, validSize: 8,
	fields: []field{
		f("Validation Bits", 0, 8).flags("Error Status", "Error Type", "Bus ID", "Bus Address", "Bus Data", "Bus Command",
			"Bus Requestor ID", "Bus Completer ID", "Target ID"),
		f("Error Status", 8, 8).v(0).hex().of(errorStatus),
		f("Error Type", 16, 2).v(1).enum(enumList("Unknown or OEM system specific error", "Data Parity Error",
			"System Error", "Master Abort", "Bus Timeout or No Device Present (No DEVSEL#)", "Master Data Parity Error",
			"Address Parity Error", "Command Parity Error")),
		f("Bus Number", 18, 2).bits(0, 8).v(2),
		f("Segment Number", 18, 2).bits(8, 8).v(2),
		f("Reserved", 20, 4).hex(),
		f("Bus Address", 24, 8).v(3).hex(),
		f("Bus Data", 32, 8).v(4).hex(),
		f("Bus Command", 40, 8).v(5).hex(),
		f("Command Type", 40, 8).bits(56, 1).v(5).enum(enumList("PCI", "PCI-X")),
		f("Bus Requestor ID", 48, 8).v(6).hex(),
		f("Bus Completer ID", 56, 8).v(7).hex(),
		f("Target ID", 64, 8).v(8).hex(),
	},
}

// §N.2.9 Table N-36 PCI/PCI-X Component Error Section, fixed part.
var pciDevice = &layout{
	name: "PCI/PCI-X Component Error Section", size: 40, validSize: 8,
	fields: []field{
		f("Validation Bits", 0, 8).flags("Error Status", "ID Info", "Memory Number", "IO Number", "Register Data Pair"),
		f("Error Status", 8, 8).v(0).hex().of(errorStatus),
		f("Vendor ID", 16, 2).v(1).hex(),
		f("Device ID", 18, 2).v(1).hex(),
		f("Class Code", 20, 3).v(1).hex(),
		f("Function Number", 23, 1).v(1),
		f("Device Number", 24, 1).v(1),
		f("Bus Number", 25, 1).v(1),
		f("Segment Number", 26, 1).v(1),
		f("ID Info Reserved", 27, 5).raw(),
		f("Memory Number", 32, 4).v(2),
		f("IO Number", 36, 4).v(3),
	},
}

var registerPair = &layout{name: "Register Data Pair", size: 16, fields: []field{
	f("Address", 0, 8).hex(), f("Value", 8, 8).hex(),
}}

func decodePCIDevice(b []byte) (Fields, error) {
	fs, err := pciDevice.decode(b)
	if err != nil {
		return fs, err
	}
	vb := binary.LittleEndian.Uint64(b)
	if vb&(1<<4) == 0 {
		return append(fs, Field{Name: "Register Data Pairs", Valid: false}), nil
	}
	n := int(binary.LittleEndian.Uint32(b[32:])) + int(binary.LittleEndian.Uint32(b[36:]))
	if n > (len(b)-40)/16 {
		err = fmt.Errorf("%w: Memory Number + IO Number is %d register pairs; the section holds %d", ErrSectionShort, n, (len(b)-40)/16)
		n = (len(b) - 40) / 16
	}
	items, _, _ := array(b, 40, n, registerPair, fixed(16))
	return append(fs, Field{Name: "Register Data Pairs", Valid: true, Items: items}), err
}

// §N.2.10 Table N-37 Firmware Error Record Reference.
var firmwareRef = &layout{
	name: "Firmware Error Record Reference", size: 32,
	fields: []field{
		f("Firmware Error Record Type", 0, 1).enum(enumList("IPF SAL Error Record",
			"SOC Firmware Error Record (Type1 Legacy CrashLog Support)", "SOC Firmware Error Record (Type2)")),
		f("Revision", 1, 1),
		f("Reserved", 2, 6).raw(),
		f("Record Identifier", 8, 8).hex(),
		f("Record Identifier GUID Extension", 16, 16).guid(),
	},
}

// decodeFirmware decodes §N.2.10, whose identifier depends on Revision.
//
// UEFI 2.10 Table N-37 says the 8-byte Record Identifier is ignored for
// Revision 1 and later, and that the GUID extension holds the identifier
// from Revision 2 on. The same table's Firmware Error Record Type row ties
// the GUID to Type2 (SOC Firmware Error Record Type2) records, so the
// text contradicts itself for other types at Revision 2. This follows the
// revision alone, as Linux's cper_print_fw_err does: Record Identifier
// valid at Revision 0, the GUID valid at Revision 2 and later, neither at
// Revision 1 (Linux prints neither then either).
func decodeFirmware(b []byte) (Fields, error) {
	fs, err := firmwareRef.decode(b)
	if len(fs) >= 4 {
		fs[3].Valid = b[1] == 0
	}
	if len(fs) == 5 {
		fs[4].Valid = b[1] >= 2
	}
	return fs, err
}

// §N.2.11.1 Table N-38 DMAr Generic Error Section.
var dmarGeneric = &layout{
	name: "DMAr Generic Error Section", size: 32,
	fields: []field{
		f("Requester ID", 0, 2).hex(),
		f("Segment Number", 2, 2),
		f("Fault Reason", 4, 1).enum(map[uint64]string{
			0x01: "Domain mapping table entry is not present",
			0x02: "Invalid domain mapping table entry",
			0x03: "DMAr unit's attempt to access the domain mapping table resulted in an error",
			0x04: "Reserved bit set to non-zero value in the domain mapping table",
			0x05: "DMA request to access an address beyond the device address width",
			0x06: "Invalid read or write access",
			0x07: "Invalid device request",
			0x08: "DMAr unit's attempt to access the address translation table resulted in an error",
			0x09: "Reserved bit set to non-zero value in the address translation table",
			0x0A: "Illegal command error",
			0x0B: "DMAr unit's attempt to access the command buffer resulted in an error",
		}),
		f("Access Type", 5, 1).enum(enumList("DMA Write", "DMA Read")),
		f("Address Type", 6, 1).enum(enumList("Untranslated Request", "Translation Request")),
		f("Architecture Type", 7, 1).enum(map[uint64]string{1: "VT-d", 2: "IOMMU"}),
		f("Device Address", 8, 8).hex(),
		f("Reserved", 16, 16).raw(),
	},
}

// VT-d Fault Recording Register (Intel VT-d 4.0 §11.4.14), 128 bits.
var vtdFaultRecord = &layout{name: "Fault Record", size: 16, fields: []field{
	// FI, bits 12..63: the page address of the faulting request, shown
	// as that address (its low 12 bits zero), not as a page number.
	f("Fault Address", 0, 8).masked(12, 52).hex(),
	f("Source Identifier", 8, 8).bits(0, 16).hex(),
	f("Privilege Mode Requested", 8, 8).bits(29, 1).bool(),
	f("Execute Permission Requested", 8, 8).bits(30, 1).bool(),
	f("PASID Present", 8, 8).bits(31, 1).bool(),
	f("Fault Reason", 8, 8).bits(32, 8).hex(),
	f("PASID Value", 8, 8).bits(40, 20).hex(),
	f("Address Type", 8, 8).bits(60, 2),
	f("Type", 8, 8).bits(62, 1).enum(enumList("Write Request", "Read/AtomicOp Request")),
	f("Fault", 8, 8).bits(63, 1).bool(),
}}

// §N.2.11.2 Table N-39 Intel VT for Directed I/O specific DMAr Error Section.
var dmarVTd = &layout{
	name: "Intel VT for Directed I/O Specific DMAr Error Section", size: 144,
	fields: []field{
		f("Version", 0, 1), f("Revision", 1, 1), f("OEM ID", 2, 6).raw(),
		f("Capability", 8, 8).hex(), f("Extended Capability", 16, 8).hex(),
		f("Global Command", 24, 4).hex(), f("Global Status", 28, 4).hex(), f("Fault Status", 32, 4).hex(),
		f("Reserved", 36, 12).raw(),
		f("Fault Record", 48, 16).raw().of(vtdFaultRecord),
		f("Root Entry", 64, 16).raw(), f("Context Entry", 80, 16).raw(),
		f("Level 6 Page Table Entry", 96, 8).hex(), f("Level 5 Page Table Entry", 104, 8).hex(),
		f("Level 4 Page Table Entry", 112, 8).hex(), f("Level 3 Page Table Entry", 120, 8).hex(),
		f("Level 2 Page Table Entry", 128, 8).hex(), f("Level 1 Page Table Entry", 136, 8).hex(),
	},
}

// §N.2.11.3 Table N-40 IOMMU specific DMAr Error Section.
var dmarIOMMU = &layout{
	name: "IOMMU Specific DMAr Error Section", size: 144,
	fields: []field{
		f("Revision", 0, 1), f("Reserved", 1, 7).raw(),
		f("Control", 8, 8).hex(), f("Status", 16, 8).hex(), f("Reserved 2", 24, 8).raw(),
		f("Event Log Entry", 32, 16).raw(), f("Reserved 3", 48, 16).raw(),
		f("Device Table Entry", 64, 32).raw(),
		f("Level 6 Page Table Entry", 96, 8).hex(), f("Level 5 Page Table Entry", 104, 8).hex(),
		f("Level 4 Page Table Entry", 112, 8).hex(), f("Level 3 Page Table Entry", 120, 8).hex(),
		f("Level 2 Page Table Entry", 128, 8).hex(), f("Level 1 Page Table Entry", 136, 8).hex(),
	},
}

// §N.2.12 Table N-41 CCIX PER Log Error Section, fixed part.
var ccixPER = &layout{
	name: "CCIX PER Log Error Section", size: 16, validOff: 4, validSize: 8,
	fields: []field{
		f("Length", 0, 4),
		f("Validation Bits", 4, 8).flags("CCIX Source ID", "CCIX Port ID", "CCIX PER Log"),
		f("CCIX Source ID", 12, 1).v(0),
		f("CCIX Port ID", 13, 1).v(1),
		f("Reserved", 14, 2).hex(),
	},
}

// tail appends the variable part of a section, from off to end (clamped
// to b), as hex, valid as given.
func tail(fs Fields, name string, b []byte, off, end int, valid bool) (Fields, error) {
	var err error
	if end > len(b) {
		err = fmt.Errorf("%w: %s ends at byte %d, the section at %d", ErrSectionShort, name, end, len(b))
		end = len(b)
	}
	if end < off {
		end = off
	}
	t := b[off:end]
	return append(fs, Field{Name: name, Valid: valid, kind: kBytes, Bytes: t, Text: fmt.Sprintf("%x", t)}), err
}

func decodeCCIX(b []byte) (Fields, error) {
	fs, err := ccixPER.decode(b)
	if err != nil {
		return fs, err
	}
	n := int(binary.LittleEndian.Uint32(b))
	if n < 16 {
		return fs, fmt.Errorf("%w: Length %d is shorter than the 16-byte header", ErrSectionShort, n)
	}
	return tail(fs, "CCIX PER Log", b, 16, n, b[4]&4 != 0)
}

// §N.2.13 Table N-42 CXL Protocol Error Section, fixed part.
var cxlProtocol = &layout{
	name: "CXL Protocol Error Section", size: 116, validSize: 8,
	fields: []field{
		f("Validation Bits", 0, 8).flags("CXL Agent Type", "CXL Agent Address", "Device ID", "Device Serial Number",
			"Capability Structure", "CXL DVSEC", "CXL Error Log"),
		// §N.2.13 Table N-42 CXL Agent Type (UEFI 2.10; names as CXL 2.0 and
		// Linux's cper_cxl.c give them).
		f("CXL Agent Type", 8, 1).v(0).enum(enumList("CXL 1.1 Device", "CXL 1.1 Host Downstream Port", "CXL 2.0 Device",
			"CXL 2.0 Logical Device", "CXL 2.0 Fabric Manager Managed Logical Device", "CXL 2.0 Root Port",
			"CXL 2.0 Downstream Switch Port", "CXL 2.0 Upstream Switch Port")),
		f("Reserved", 9, 7).raw(),
		f("CXL Agent Address", 16, 8).v(1).hex(), // decoded by agent type in decodeCXLProtocol
		f("Vendor ID", 24, 2).v(2).hex(),
		f("Device ID", 26, 2).v(2).hex(),
		f("Subsystem Vendor ID", 28, 2).v(2).hex(),
		f("Subsystem ID", 30, 2).v(2).hex(),
		f("Class Code", 32, 2).v(2).hex(),
		f("Slot Number", 34, 2).bits(3, 13).v(2),
		f("Device ID Reserved", 36, 4).hex(),
		f("Device Serial Number", 40, 8).v(3).hex(),
		f("Capability Structure", 48, 60).v(4).raw().of(pcieCapability),
		f("CXL DVSEC Length", 108, 2),
		f("CXL Error Log Length", 110, 2),
		f("Reserved 2", 112, 4).hex(),
	},
}

var cxlDeviceAddress = &layout{name: "CXL Agent Address", size: 8, fields: []field{
	f("Function Number", 0, 8).bits(0, 8), f("Device Number", 0, 8).bits(8, 8),
	f("Bus Number", 0, 8).bits(16, 8), f("Segment Number", 0, 8).bits(24, 16),
}}

func decodeCXLProtocol(b []byte) (Fields, error) {
	fs, err := cxlProtocol.decode(b)
	if err != nil {
		return fs, err
	}
	vb := binary.LittleEndian.Uint64(b)
	// Table N-42 CXL Agent Address: the RCRB base address for a CXL 1.1
	// host downstream port (type 1), the segment/bus/device/function of
	// every other agent type (Linux's cper_cxl.c reads it so too).
	if b[8] == 1 && fs[3].Valid {
		fs[3].Name = "Port RCRB Base Address"
	} else if fs[3].Valid {
		fs[3].Fields, _ = cxlDeviceAddress.decode(b[16:24])
	}
	dvsec := int(binary.LittleEndian.Uint16(b[108:]))
	elog := int(binary.LittleEndian.Uint16(b[110:]))
	fs, err = tail(fs, "CXL DVSEC", b, 116, 116+dvsec, vb&(1<<5) != 0)
	if err != nil {
		return fs, err
	}
	return tail(fs, "CXL Error Log", b, 116+dvsec, 116+dvsec+elog, vb&(1<<6) != 0)
}

// §N.2.14 Table N-43 CXL Component Events Section, fixed part.
var cxlComponent = &layout{
	name: "CXL Component Event Section", size: 32, validOff: 4, validSize: 8,
	fields: []field{
		f("Length", 0, 4),
		f("Validation Bits", 4, 8).flags("Device ID", "Device Serial Number", "CXL Component Event Log"),
		f("Vendor ID", 12, 2).v(0).hex(),
		f("Device ID", 14, 2).v(0).hex(),
		f("Function Number", 16, 1).v(0),
		f("Device Number", 17, 1).v(0),
		f("Bus Number", 18, 1).v(0),
		f("Segment Number", 19, 2).v(0),
		f("Slot Number", 21, 2).bits(3, 13).v(0),
		f("Device ID Reserved", 23, 1).hex(),
		f("Device Serial Number", 24, 8).v(1).hex(),
	},
}

func decodeCXLComponent(b []byte) (Fields, error) {
	fs, err := cxlComponent.decode(b)
	if err != nil {
		return fs, err
	}
	n := int(binary.LittleEndian.Uint32(b))
	if n < 32 {
		return fs, fmt.Errorf("%w: Length %d is shorter than the 32-byte header", ErrSectionShort, n)
	}
	return tail(fs, "CXL Component Event Log", b, 32, n, binary.LittleEndian.Uint64(b[4:])&4 != 0)
}
