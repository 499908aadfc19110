package cper

import "fmt"

// Linux's MCE section: the body of the records Linux's x86 MCE code
// writes to ERST (arch/x86/kernel/cpu/mce/apei.c apei_write_mce, section
// type CPER_SECTION_TYPE_MCE) is the kernel's struct mce
// (arch/x86/include/uapi/asm/mce.h), whose size grew over the years; the
// section length tells which layout a record has.

func init() {
	sectionDecoders[SectionTypeMCE] = sectionDecoder{"Linux struct mce", decodeMCE}
}

// mceLayouts: sizeof(struct mce) by kernel version, and what it ends with.
var mceLayouts = []struct {
	size int
	what string
}{
	{88, "up to mcgcap (Linux before 4.9)"},
	{104, "with synd and ipid (Linux 4.9)"},
	{112, "with ppin (Linux 4.16)"},
	{120, "with microcode (Linux 4.18)"},
	{128, "with kflags (Linux 5.10 and later)"},
}

var mce = &layout{
	name: "struct mce", size: 88,
	fields: []field{
		f("status", 0, 8).hex().of(&layout{name: "MCi_STATUS", size: 8, fields: []field{
			f("MCA Error Code", 0, 8).bits(0, 16).hex(),
			f("Model Specific Error Code", 0, 8).bits(16, 16).hex(),
			f("Flags", 0, 8).bits(53, 11).flags("", "", "AR", "S", "PCC", "ADDRV", "MISCV", "EN", "UC", "OVER", "VAL"),
		}}),
		f("misc", 8, 8).hex(),
		f("addr", 16, 8).hex(),
		f("mcgstatus", 24, 8).flags("RIPV", "EIPV", "MCIP", "LMCES"),
		f("ip", 32, 8).hex(),
		f("tsc", 40, 8).hex(),
		f("time", 48, 8),
		f("cpuvendor", 56, 1).enum(map[uint64]string{0: "Intel", 1: "Cyrix", 2: "AMD", 3: "UMC", 5: "Centaur",
			7: "Transmeta", 8: "NSC", 9: "Hygon", 10: "Zhaoxin", 11: "Vortex"}),
		f("inject_flags", 57, 1).hex(),
		f("severity", 58, 1),
		f("pad", 59, 1).hex(),
		f("cpuid", 60, 4).hex(),
		f("cs", 64, 1).hex(),
		f("bank", 65, 1),
		f("cpu", 66, 1),
		f("finished", 67, 1),
		f("extcpu", 68, 4),
		f("socketid", 72, 4),
		f("apicid", 76, 4),
		f("mcgcap", 80, 8).hex(),
		f("synd", 88, 8).hex(),
		f("ipid", 96, 8).hex(),
		f("ppin", 104, 8).hex(),
		f("microcode", 112, 4).hex(),
		f("kflags", 120, 8).hex(),
	},
}

func decodeMCE(b []byte) (Fields, error) {
	var lay string
	for _, l := range mceLayouts {
		if len(b) == l.size {
			lay = l.what
		}
	}
	fs, err := mce.decode(b)
	// Fields past the end belong to later layouts: no error for them.
	if err != nil && len(b) >= mce.size {
		err = nil
	}
	if lay == "" && err == nil {
		lay = fmt.Sprintf("unknown: %d bytes", len(b))
		if len(b) > 128 {
			fs, _ = tail(fs, "Bytes after kflags", b, 128, len(b), true)
		}
	}
	return append(Fields{{Name: "Layout", Valid: true, kind: kASCII, Text: fmt.Sprintf("%d bytes, %s", len(b), lay)}}, fs...), err
}
