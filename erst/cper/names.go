package cper

// Named GUID tables. Values were checked against edk2
// MdePkg/Include/Guid/Cper.h, Linux include/linux/cper.h and
// drivers/acpi/apei/erst.c, and Microsoft's cperguid.h.

// NotificationType is the header's NotificationType GUID (§N.2.1): the
// error notification mechanism that produced the record. String returns
// the short name ("MCE") for known types and the GUID otherwise.
type NotificationType GUID

// Notification types. The first eleven are UEFI's (§N.2.1); the rest are
// Microsoft extensions from cperguid.h.
var (
	NotifyCMC          = NotificationType(mustGUID("2dce8bb1-bdd7-450e-b9ad-9cf4ebd4f890")) // Corrected Machine Check
	NotifyCPE          = NotificationType(mustGUID("4e292f96-d843-4a55-a8c2-d481f27ebeee")) // Corrected Platform Error
	NotifyMCE          = NotificationType(mustGUID("e8f56ffe-919c-4cc5-ba88-65abe14913bb")) // Machine Check Exception
	NotifyPCIe         = NotificationType(mustGUID("cf93c01f-1a16-4dfc-b8bc-9c4daf67c104")) // PCI Express error
	NotifyINIT         = NotificationType(mustGUID("cc5263e8-9308-454a-89d0-340bd39bc98e")) // INIT record (IPF)
	NotifyNMI          = NotificationType(mustGUID("5bad89ff-b7e6-42c9-814a-cf2485d6e98a")) // Non-Maskable Interrupt
	NotifyBOOT         = NotificationType(mustGUID("3d61a466-ab40-409a-a698-f362d464b38f")) // Boot error record
	NotifyDMAr         = NotificationType(mustGUID("667dd791-c6b3-4c27-8a6b-0f8e722deb41")) // DMA remapping error
	NotifySEA          = NotificationType(mustGUID("9a78788a-bbe8-11e4-809e-67611e5d46b0")) // Arm Synchronous External Abort
	NotifySEI          = NotificationType(mustGUID("5c284c81-b0ae-4e87-a322-b04c85624323")) // Arm SError Interrupt
	NotifyPEI          = NotificationType(mustGUID("09a9d5ac-5204-4214-96e5-94992e752bcd")) // Platform Error Interrupt
	NotifyGeneric      = NotificationType(mustGUID("3e62a467-ab40-409a-a698-f362d464b38f")) // Microsoft GENERIC_NOTIFY_TYPE_GUID
	NotifyBMC          = NotificationType(mustGUID("487565ba-6494-4367-95ca-4eff893522f6")) // Microsoft BMC_NOTIFY_TYPE_GUID
	NotifySCI          = NotificationType(mustGUID("e9d59197-94ee-4a4f-8ad8-9b7d8bd93d2e")) // Microsoft SCI_NOTIFY_TYPE_GUID
	NotifyEXTINT       = NotificationType(mustGUID("fe84086e-b557-43cf-ac1b-17982e078470")) // Microsoft EXTINT_NOTIFY_TYPE_GUID
	NotifyDeviceDriver = NotificationType(mustGUID("0033f803-2e70-4e88-992c-6f26daf3db7a")) // Microsoft DEVICE_DRIVER_NOTIFY_TYPE_GUID
	NotifyCMCI         = NotificationType(mustGUID("919448b2-3739-4b7f-a8f1-e0062805c2a3")) // Microsoft CMCI_NOTIFY_TYPE_GUID
)

var notificationNames = map[NotificationType]string{
	NotifyCMC:          "CMC",
	NotifyCPE:          "CPE",
	NotifyMCE:          "MCE",
	NotifyPCIe:         "PCIe",
	NotifyINIT:         "INIT",
	NotifyNMI:          "NMI",
	NotifyBOOT:         "BOOT",
	NotifyDMAr:         "DMAr",
	NotifySEA:          "SEA",
	NotifySEI:          "SEI",
	NotifyPEI:          "PEI",
	NotifyGeneric:      "GENERIC",
	NotifyBMC:          "BMC",
	NotifySCI:          "SCI",
	NotifyEXTINT:       "EXTINT",
	NotifyDeviceDriver: "DEVICE_DRIVER",
	NotifyCMCI:         "CMCI",
}

// GUID returns n as a plain GUID.
func (n NotificationType) GUID() GUID { return GUID(n) }

// Known reports whether n is in the table above.
func (n NotificationType) Known() bool { _, ok := notificationNames[n]; return ok }

// String returns the short name of n, or its GUID when unknown.
func (n NotificationType) String() string {
	if s, ok := notificationNames[n]; ok {
		return s
	}
	return GUID(n).String()
}

// CreatorID is the header's CreatorID GUID (§N.2.1): who wrote the record.
type CreatorID GUID

// Record creators.
var (
	// CreatorLinuxPstore is Linux's CPER_CREATOR_PSTORE (drivers/acpi/apei/erst.c).
	// Linux's x86 MCE code (arch/x86/kernel/cpu/mce/apei.c) defines
	// CPER_CREATOR_MCE with the same value, so MCE records written through
	// apei_write_mce carry this creator too.
	CreatorLinuxPstore = CreatorID(mustGUID("75a574e3-5052-4b29-8a8e-be2c6490b89d"))
	// CreatorWHEA is Microsoft's WHEA_RECORD_CREATOR_GUID (the Windows kernel).
	CreatorWHEA = CreatorID(mustGUID("cf07c4bd-b789-4e18-b3c4-1f732cb57131"))
	// CreatorDeviceDriver is Microsoft's DEFAULT_DEVICE_DRIVER_CREATOR_GUID.
	CreatorDeviceDriver = CreatorID(mustGUID("57217c8d-5e66-44fb-8033-9b74cacedf5b"))
)

var creatorNames = map[CreatorID]string{
	CreatorLinuxPstore:  "LinuxPstore",
	CreatorWHEA:         "WHEA",
	CreatorDeviceDriver: "WHEADeviceDriver",
}

// GUID returns c as a plain GUID.
func (c CreatorID) GUID() GUID { return GUID(c) }

// Known reports whether c is in the table above.
func (c CreatorID) Known() bool { _, ok := creatorNames[c]; return ok }

// String returns the short name of c, or its GUID when unknown.
func (c CreatorID) String() string {
	if s, ok := creatorNames[c]; ok {
		return s
	}
	return GUID(c).String()
}

// SectionType is a section descriptor's SectionType GUID (§N.2.2): the
// format of the section body.
type SectionType GUID

// Section types. UEFI §N.2.2 defines the standard ones; edk2 adds
// PlatformMemory2; Linux pstore defines DMESG, DMESG_Z and MCE in erst.c;
// Microsoft's cperguid.h defines the WHEA ones (UEFI §N.2.3 non-standard
// section bodies).
var (
	SectionTypeProcessorGeneric    = SectionType(mustGUID("9876ccad-47b4-4bdb-b65e-16f193c4f3db")) // §N.2.4.1
	SectionTypeIA32X64             = SectionType(mustGUID("dc3ea0b0-a144-4797-b95b-53fa242b6e1d")) // §N.2.4.2
	SectionTypeIPF                 = SectionType(mustGUID("e429faf1-3cb7-11d4-bca7-0080c73c8881")) // §N.2.4.3
	SectionTypeARM                 = SectionType(mustGUID("e19e3d16-bc11-11e4-9caa-c2051d5d46b0")) // §N.2.4.4
	SectionTypePlatformMemory      = SectionType(mustGUID("a5bc1114-6f64-4ede-b863-3e83ed7c83b1")) // §N.2.5
	SectionTypePlatformMemory2     = SectionType(mustGUID("61ec04fc-48e6-d813-25c9-8daa44750b12")) // edk2 EFI_ERROR_SECTION_PLATFORM_MEMORY2_GUID
	SectionTypePCIe                = SectionType(mustGUID("d995e954-bbc1-430f-ad91-b44dcb3c6f35")) // §N.2.7
	SectionTypePCIXBus             = SectionType(mustGUID("c5753963-3b84-4095-bf78-eddad3f9c9dd")) // §N.2.2 table
	SectionTypePCIDevice           = SectionType(mustGUID("eb5e4685-ca66-4769-b6a2-26068b001326")) // §N.2.2 table
	SectionTypeFirmwareErrorRecord = SectionType(mustGUID("81212a96-09ed-4996-9471-8d729c8e69ed")) // §N.2.10
	SectionTypeDMArGeneric         = SectionType(mustGUID("5b51fef7-c79d-4434-8f1b-aa62de3e2c64")) // §N.2.2 table
	SectionTypeDMArVTd             = SectionType(mustGUID("71761d37-32b2-45cd-a7d0-b0fedd93e8cf")) // §N.2.2 table
	SectionTypeDMArIOMMU           = SectionType(mustGUID("036f84e1-7f37-428c-a79e-575fdfaa84ec")) // §N.2.2 table
	SectionTypeCCIXPER             = SectionType(mustGUID("91335ef6-ebfb-4478-a6a6-88b728cf75d7")) // §N.2.12
	SectionTypeCXLProtocol         = SectionType(mustGUID("80b9efb4-52b5-4de3-a777-68784b771048")) // §N.2.13
	SectionTypeCXLGeneralMedia     = SectionType(mustGUID("fbcd0a77-c260-417f-85a9-088b1621eba6")) // §N.2.14 General Media Event
	SectionTypeCXLDRAM             = SectionType(mustGUID("601dcbb3-9c06-4eab-b8af-4e9bfb5c9624")) // §N.2.14 DRAM Event
	SectionTypeCXLMemoryModule     = SectionType(mustGUID("fe927475-dd59-4339-a586-79bab113b774")) // §N.2.14 Memory Module Event
	SectionTypeCXLPhysicalSwitch   = SectionType(mustGUID("77cf9271-9c02-470b-9fe4-bc7b75f2da97")) // §N.2.14 Physical Switch Event
	SectionTypeCXLVirtualSwitch    = SectionType(mustGUID("40d26425-3396-4c4d-a5da-3d47263af425")) // §N.2.14 Virtual Switch Event
	SectionTypeCXLMLDPort          = SectionType(mustGUID("8dc44363-0c96-4710-b7bf-04bb99534c3f")) // §N.2.14 MLD Port Event
	SectionTypeDmesg               = SectionType(mustGUID("c197e04e-d545-4a70-9c17-a5549419eb12")) // Linux CPER_SECTION_TYPE_DMESG
	SectionTypeDmesgZ              = SectionType(mustGUID("4f118707-04dd-4055-b5dd-956d34ddfac6")) // Linux CPER_SECTION_TYPE_DMESG_Z (compressed)
	SectionTypeMCE                 = SectionType(mustGUID("fe08ffbe-95e4-4be7-bc73-4096044a38fc")) // Linux CPER_SECTION_TYPE_MCE
	SectionTypeWHEAErrorPacket     = SectionType(mustGUID("e71254e9-c1b9-4940-ab76-909703a4320f")) // WHEA_ERROR_PACKET_SECTION_GUID
	SectionTypeXPFMCA              = SectionType(mustGUID("8a1e1d01-42f9-4557-9c33-565e5cc3f7e8")) // XPF_MCA_SECTION_GUID
	SectionTypeWHEANMI             = SectionType(mustGUID("e71254e7-c1b9-4940-ab76-909703a4320f")) // NMI_SECTION_GUID
	SectionTypeWHEAGeneric         = SectionType(mustGUID("e71254e8-c1b9-4940-ab76-909703a4320f")) // GENERIC_SECTION_GUID
)

var sectionNames = map[SectionType]string{
	SectionTypeProcessorGeneric:    "ProcessorGeneric",
	SectionTypeIA32X64:             "IA32X64",
	SectionTypeIPF:                 "IPF",
	SectionTypeARM:                 "ARM",
	SectionTypePlatformMemory:      "PlatformMemory",
	SectionTypePlatformMemory2:     "PlatformMemory2",
	SectionTypePCIe:                "PCIe",
	SectionTypePCIXBus:             "PCIXBus",
	SectionTypePCIDevice:           "PCIDevice",
	SectionTypeFirmwareErrorRecord: "FirmwareErrorRecord",
	SectionTypeDMArGeneric:         "DMArGeneric",
	SectionTypeDMArVTd:             "DMArVTd",
	SectionTypeDMArIOMMU:           "DMArIOMMU",
	SectionTypeCCIXPER:             "CCIX_PER",
	SectionTypeCXLProtocol:         "CXLProtocol",
	SectionTypeCXLGeneralMedia:     "CXLGeneralMedia",
	SectionTypeCXLDRAM:             "CXLDRAM",
	SectionTypeCXLMemoryModule:     "CXLMemoryModule",
	SectionTypeCXLPhysicalSwitch:   "CXLPhysicalSwitch",
	SectionTypeCXLVirtualSwitch:    "CXLVirtualSwitch",
	SectionTypeCXLMLDPort:          "CXLMLDPort",
	SectionTypeDmesg:               "DMESG",
	SectionTypeDmesgZ:              "DMESG_Z",
	SectionTypeMCE:                 "MCE",
	SectionTypeWHEAErrorPacket:     "WHEAErrorPacket",
	SectionTypeXPFMCA:              "XPF_MCA",
	SectionTypeWHEANMI:             "WHEA_NMI",
	SectionTypeWHEAGeneric:         "WHEA_Generic",
}

// GUID returns s as a plain GUID.
func (s SectionType) GUID() GUID { return GUID(s) }

// Known reports whether s is in the table above.
func (s SectionType) Known() bool { _, ok := sectionNames[s]; return ok }

// String returns the short name of s, or its GUID when unknown.
func (s SectionType) String() string {
	if n, ok := sectionNames[s]; ok {
		return n
	}
	return GUID(s).String()
}
