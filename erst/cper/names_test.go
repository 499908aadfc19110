package cper

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestGUIDByteOrder(t *testing.T) {
	// CPER_NOTIFY_MCE as Linux spells it: GUID_INIT(0xE8F56FFE, 0x919C,
	// 0x4cc5, 0xBA, 0x88, 0x65, 0xAB, 0xE1, 0x49, 0x13, 0xBB): the first
	// three fields little-endian, the rest as written.
	want := GUID{0xfe, 0x6f, 0xf5, 0xe8, 0x9c, 0x91, 0xc5, 0x4c, 0xba, 0x88, 0x65, 0xab, 0xe1, 0x49, 0x13, 0xbb}
	for _, s := range []string{
		"e8f56ffe-919c-4cc5-ba88-65abe14913bb",
		"E8F56FFE-919C-4CC5-BA88-65ABE14913BB",
		"{e8f56ffe-919c-4cc5-ba88-65abe14913bb}",
	} {
		g, err := ParseGUID(s)
		if err != nil || g != want {
			t.Errorf("ParseGUID(%q) = % x, %v", s, g[:], err)
		}
	}
	if got := want.String(); got != "e8f56ffe-919c-4cc5-ba88-65abe14913bb" {
		t.Errorf("String = %s", got)
	}
	if NotifyMCE != NotificationType(want) {
		t.Error("NotifyMCE has the wrong bytes")
	}
}

func TestParseGUIDErrors(t *testing.T) {
	for _, s := range []string{
		"",
		"e8f56ffe-919c-4cc5-ba88-65abe14913b",    // short
		"e8f56ffe-919c-4cc5-ba88-65abe14913bbb",  // long
		"e8f56ffe9919c-4cc5-ba88-65abe14913bb",   // dash missing
		"e8f56ffe-919c-4cc5-ba88-65abe14913bg",   // not hex
		"{e8f56ffe-919c-4cc5-ba88-65abe14913bb",  // one brace
		"e8f56ffe-919c-4cc5-ba8-865abe14913bb",   // dash misplaced
		"(e8f56ffe-919c-4cc5-ba88-65abe14913bb)", // wrong brackets
	} {
		if _, err := ParseGUID(s); !errors.Is(err, ErrBadGUID) {
			t.Errorf("ParseGUID(%q) = %v, want ErrBadGUID", s, err)
		}
	}
}

func TestGUIDText(t *testing.T) {
	g := GUID(CreatorWHEA)
	b, err := json.Marshal(map[string]GUID{"g": g})
	if err != nil || string(b) != `{"g":"cf07c4bd-b789-4e18-b3c4-1f732cb57131"}` {
		t.Errorf("json = %s, %v", b, err)
	}
	var back map[string]GUID
	if err := json.Unmarshal(b, &back); err != nil || back["g"] != g {
		t.Errorf("unmarshal = %v, %v", back, err)
	}
	if err := json.Unmarshal([]byte(`{"g":"nope"}`), &back); !errors.Is(err, ErrBadGUID) {
		t.Errorf("unmarshal bad = %v", err)
	}
	if !(GUID{}).IsZero() || g.IsZero() {
		t.Error("IsZero")
	}
}

func TestNames(t *testing.T) {
	unknown := mustGUID("01234567-89ab-cdef-0123-456789abcdef")
	tests := []struct {
		v interface {
			String() string
			Known() bool
		}
		name, guid string
	}{
		{NotifyCMC, "CMC", "2dce8bb1-bdd7-450e-b9ad-9cf4ebd4f890"},
		{NotifyCPE, "CPE", "4e292f96-d843-4a55-a8c2-d481f27ebeee"},
		{NotifyMCE, "MCE", "e8f56ffe-919c-4cc5-ba88-65abe14913bb"},
		{NotifyPCIe, "PCIe", "cf93c01f-1a16-4dfc-b8bc-9c4daf67c104"},
		{NotifyINIT, "INIT", "cc5263e8-9308-454a-89d0-340bd39bc98e"},
		{NotifyNMI, "NMI", "5bad89ff-b7e6-42c9-814a-cf2485d6e98a"},
		{NotifyBOOT, "BOOT", "3d61a466-ab40-409a-a698-f362d464b38f"},
		{NotifyDMAr, "DMAr", "667dd791-c6b3-4c27-8a6b-0f8e722deb41"},
		{NotifySEA, "SEA", "9a78788a-bbe8-11e4-809e-67611e5d46b0"},
		{NotifySEI, "SEI", "5c284c81-b0ae-4e87-a322-b04c85624323"},
		{NotifyPEI, "PEI", "09a9d5ac-5204-4214-96e5-94992e752bcd"},
		{NotifyGeneric, "GENERIC", "3e62a467-ab40-409a-a698-f362d464b38f"},
		{NotifyBMC, "BMC", "487565ba-6494-4367-95ca-4eff893522f6"},
		{NotifySCI, "SCI", "e9d59197-94ee-4a4f-8ad8-9b7d8bd93d2e"},
		{NotifyEXTINT, "EXTINT", "fe84086e-b557-43cf-ac1b-17982e078470"},
		{NotifyDeviceDriver, "DEVICE_DRIVER", "0033f803-2e70-4e88-992c-6f26daf3db7a"},
		{NotifyCMCI, "CMCI", "919448b2-3739-4b7f-a8f1-e0062805c2a3"},
		{CreatorLinuxPstore, "LinuxPstore", "75a574e3-5052-4b29-8a8e-be2c6490b89d"},
		{CreatorWHEA, "WHEA", "cf07c4bd-b789-4e18-b3c4-1f732cb57131"},
		{CreatorDeviceDriver, "WHEADeviceDriver", "57217c8d-5e66-44fb-8033-9b74cacedf5b"},
		{SectionTypeProcessorGeneric, "ProcessorGeneric", "9876ccad-47b4-4bdb-b65e-16f193c4f3db"},
		{SectionTypeIA32X64, "IA32X64", "dc3ea0b0-a144-4797-b95b-53fa242b6e1d"},
		{SectionTypeIPF, "IPF", "e429faf1-3cb7-11d4-bca7-0080c73c8881"},
		{SectionTypeARM, "ARM", "e19e3d16-bc11-11e4-9caa-c2051d5d46b0"},
		{SectionTypePlatformMemory, "PlatformMemory", "a5bc1114-6f64-4ede-b863-3e83ed7c83b1"},
		{SectionTypePlatformMemory2, "PlatformMemory2", "61ec04fc-48e6-d813-25c9-8daa44750b12"},
		{SectionTypePCIe, "PCIe", "d995e954-bbc1-430f-ad91-b44dcb3c6f35"},
		{SectionTypePCIXBus, "PCIXBus", "c5753963-3b84-4095-bf78-eddad3f9c9dd"},
		{SectionTypePCIDevice, "PCIDevice", "eb5e4685-ca66-4769-b6a2-26068b001326"},
		{SectionTypeFirmwareErrorRecord, "FirmwareErrorRecord", "81212a96-09ed-4996-9471-8d729c8e69ed"},
		{SectionTypeDMArGeneric, "DMArGeneric", "5b51fef7-c79d-4434-8f1b-aa62de3e2c64"},
		{SectionTypeDMArVTd, "DMArVTd", "71761d37-32b2-45cd-a7d0-b0fedd93e8cf"},
		{SectionTypeDMArIOMMU, "DMArIOMMU", "036f84e1-7f37-428c-a79e-575fdfaa84ec"},
		{SectionTypeCCIXPER, "CCIX_PER", "91335ef6-ebfb-4478-a6a6-88b728cf75d7"},
		{SectionTypeCXLProtocol, "CXLProtocol", "80b9efb4-52b5-4de3-a777-68784b771048"},
		{SectionTypeCXLGeneralMedia, "CXLGeneralMedia", "fbcd0a77-c260-417f-85a9-088b1621eba6"},
		{SectionTypeCXLDRAM, "CXLDRAM", "601dcbb3-9c06-4eab-b8af-4e9bfb5c9624"},
		{SectionTypeCXLMemoryModule, "CXLMemoryModule", "fe927475-dd59-4339-a586-79bab113b774"},
		{SectionTypeCXLPhysicalSwitch, "CXLPhysicalSwitch", "77cf9271-9c02-470b-9fe4-bc7b75f2da97"},
		{SectionTypeCXLVirtualSwitch, "CXLVirtualSwitch", "40d26425-3396-4c4d-a5da-3d47263af425"},
		{SectionTypeCXLMLDPort, "CXLMLDPort", "8dc44363-0c96-4710-b7bf-04bb99534c3f"},
		{SectionTypeDmesg, "DMESG", "c197e04e-d545-4a70-9c17-a5549419eb12"},
		{SectionTypeDmesgZ, "DMESG_Z", "4f118707-04dd-4055-b5dd-956d34ddfac6"},
		{SectionTypeMCE, "MCE", "fe08ffbe-95e4-4be7-bc73-4096044a38fc"},
		{SectionTypeWHEAErrorPacket, "WHEAErrorPacket", "e71254e9-c1b9-4940-ab76-909703a4320f"},
		{SectionTypeXPFMCA, "XPF_MCA", "8a1e1d01-42f9-4557-9c33-565e5cc3f7e8"},
		{SectionTypeWHEANMI, "WHEA_NMI", "e71254e7-c1b9-4940-ab76-909703a4320f"},
		{SectionTypeWHEAGeneric, "WHEA_Generic", "e71254e8-c1b9-4940-ab76-909703a4320f"},
		{NotificationType(unknown), "01234567-89ab-cdef-0123-456789abcdef", ""},
		{CreatorID(unknown), "01234567-89ab-cdef-0123-456789abcdef", ""},
		{SectionType(unknown), "01234567-89ab-cdef-0123-456789abcdef", ""},
	}
	for _, tc := range tests {
		if got := tc.v.String(); got != tc.name {
			t.Errorf("String = %q, want %q", got, tc.name)
		}
		if tc.v.Known() != (tc.guid != "") {
			t.Errorf("%s: Known = %v", tc.name, tc.v.Known())
		}
		var g GUID
		switch v := tc.v.(type) {
		case NotificationType:
			g = v.GUID()
		case CreatorID:
			g = v.GUID()
		case SectionType:
			g = v.GUID()
		}
		if tc.guid != "" && g.String() != tc.guid {
			t.Errorf("%s = %s, want %s", tc.name, g, tc.guid)
		}
	}
	if len(notificationNames) != 17 || len(creatorNames) != 3 || len(sectionNames) != 28 {
		t.Errorf("table sizes %d %d %d: a name is missing from the test", len(notificationNames), len(creatorNames), len(sectionNames))
	}
}

func TestEnumStrings(t *testing.T) {
	tests := []struct {
		got  interface{ String() string }
		want string
	}{
		{SeverityRecoverable, "Recoverable"},
		{SeverityFatal, "Fatal"},
		{SeverityCorrected, "Corrected"},
		{SeverityInformational, "Informational"},
		{Severity(7), "Severity(0x07)"},
		{Severity(0xFFFFFFFF), "Severity(0xffffffff)"},
		{ValidationBits(0), "0"},
		{ValidPlatformID | ValidTimestamp | ValidPartitionID, "PlatformID|Timestamp|PartitionID"},
		{ValidTimestamp | 0x10, "Timestamp|0x10"},
		{FlagRecovered | FlagPrevErr | FlagSimulated, "Recovered|PrevErr|Simulated"},
		{FlagDeviceDriver | FlagCriticalEvent | FlagPersistPfn | FlagSectionsTruncated | FlagRecoveryInProgress | FlagThrottle,
			"DeviceDriver|CriticalEvent|PersistPfn|SectionsTruncated|RecoveryInProgress|Throttle"},
		{HeaderFlags(0x200), "0x200"},
		{SectionPrimary | SectionContainmentWarning | SectionReset | SectionErrorThresholdExceeded,
			"Primary|ContainmentWarning|Reset|ErrorThresholdExceeded"},
		{SectionResourceNotAccessible | SectionLatentError | SectionPropagated, "ResourceNotAccessible|LatentError|Propagated"},
		// UEFI 2.10 §N.2.2 Table N-6: bit 7 is Overflow; bits 8..31 reserved.
		{SectionFlags(0x81), "Primary|Overflow"},
		{SectionFlags(0x100), "0x100"},
		{ValidFRUID | ValidFRUText, "FRUID|FRUText"},
		{RevisionLinux, "1.00"},
		{RevisionUEFI, "1.01"},
		{RevisionWHEA, "2.10"}, // BCD (§N.2.1): not "2.16"
		{SectionRevisionWHEA, "2.01"},
		{Revision(0x011A), "0x011a"}, // not BCD
		{TimeBCD, "BCD"},
		{TimeUnixSeconds, "Unix"},
		{TimeEncoding(9), "TimeEncoding(0x09)"},
	}
	for _, tc := range tests {
		if s := tc.got.String(); s != tc.want {
			t.Errorf("%T String = %q, want %q", tc.got, s, tc.want)
		}
	}
	if r := RevisionWHEA; r.Major() != 2 || r.Minor() != 0x10 {
		t.Errorf("Major/Minor = %d/%d", r.Major(), r.Minor())
	}
}
