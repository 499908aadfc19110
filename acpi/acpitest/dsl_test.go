package acpitest

import (
	"strings"
	"testing"
)

// oneEntryDSL is what iasl 20200925 prints for a one-entry table whose
// Creator ID is d2 04 00 00 and whose checksum is wrong.
const oneEntryDSL = `/*
 * Format: [HexOffset DecimalOffset ByteLength]  FieldName : FieldValue
 */

[000h 0000   4]                    Signature : "ERST"    [Error Record Serialization Table]
[004h 0004   4]                 Table Length : 00000050
[008h 0008   1]                     Revision : 01
[009h 0009   1]                     Checksum : 00     /* Incorrect checksum, should be 98 */
[00Ah 0010   6]                       Oem ID : "HP   "
[010h 0016   8]                 Oem Table ID : "ProLiant"
[018h 0024   4]                 Oem Revision : 00000001
[01Ch 0028   4]              Asl Compiler ID : "  "
[020h 0032   4]        Asl Compiler Revision : 0000162E

[024h 0036   4]  Serialization Header Length : 0000000C
[028h 0040   4]                     Reserved : 00000000
[02Ch 0044   4]      Instruction Entry Count : 00000001

[030h 0048   1]                       Action : 0C [Unused/Unknown Action]
[031h 0049   1]                  Instruction : 04 [Noop]
[032h 0050   1]        Flags (decoded below) : 03
                      Preserve Register Bits : 1
[033h 0051   1]                     Reserved : 00

[034h 0052  12]              Register Region : [Generic Address Structure]
[034h 0052   1]                     Space ID : 0B [PlatformRtMechanism]
[035h 0053   1]                    Bit Width : 40
[036h 0054   1]                   Bit Offset : 00
[037h 0055   1]         Encoded Access Width : 05 [Unknown Width Encoding]
[038h 0056   8]                      Address : 00000000FEBD7008

[040h 0064   8]                        Value : 0000000000000000
[048h 0072   8]                         Mask : FFFFFFFFFFFFFFFF

Raw Table Data: Length 80 (0x50)

    0000: 45 52 53 54 50 00 00 00 01 00 48 50 20 20 20 00  // ERSTP.....HP   .
`

const oneEntryJSON = `{"signature":"ERST","length":80,"revision":1,"checksum":0,"checksum_ok":false,` +
	`"oem_id":"HP   \u0000","oem_table_id":"ProLiant","oem_revision":1,"creator_id":"\u00d2\u0004\u0000\u0000",` +
	`"creator_revision":5678,"header_length":12,"reserved":0,"entry_count":1,"entries":[` +
	`{"index":0,"action":"RESERVED_ACTION(0x0c)","action_code":12,"instruction":"NOOP","instruction_code":4,` +
	`"flags":3,"preserve_register":true,"reserved":0,"register":{"space_id":11,"space":"PRM","bit_width":64,` +
	`"bit_offset":0,"access_size":5,"address":"0xfebd7008"},"value":"0x0","mask":"0xffffffffffffffff"}]}`

func TestCompareJSON(t *testing.T) {
	d, err := ParseDSL([]byte(oneEntryDSL))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Header) != 12 || len(d.Entries) != 1 || len(d.Entries[0]) != 13 || len(d.Raw) != 16 {
		t.Fatalf("parsed %d header fields, %d entries (%d fields), %d raw bytes; want 12, 1 (13), 16",
			len(d.Header), len(d.Entries), len(d.Entries[0]), len(d.Raw))
	}
	if diffs := CompareJSON([]byte(oneEntryJSON), d); len(diffs) != 0 {
		t.Fatalf("matching JSON reported as different:\n%s", strings.Join(diffs, "\n"))
	}
	// Each change must be caught, and named by its JSON path.
	for _, tc := range []struct{ from, to, path string }{
		{`"mask":"0xffffffffffffffff"`, `"mask":"0xfffffffffffffffe"`, "entries[0].mask"},
		{`"mask":"0xffffffffffffffff"`, `"mask":"0xFFFFFFFFFFFFFFFF"`, "entries[0].mask"},
		{`"creator_id":"\u00d2\u0004\u0000\u0000"`, `"creator_id":"\u00d2A\u0000\u0000"`, "creator_id"},
		{`"oem_id":"HP   \u0000"`, `"oem_id":"HP    "`, "oem_id"},
		{`"checksum_ok":false`, `"checksum_ok":true`, "checksum_ok"},
		{`"space":"PRM"`, `"space":"Reserved(0x0b)"`, "register.space"},
		{`"action":"RESERVED_ACTION(0x0c)"`, `"action":"RESERVED_ACTION(0xc)"`, "entries[0].action"},
		{`"preserve_register":true`, `"preserve_register":false`, "preserve_register"},
		{`"access_size":5`, `"access_size":4`, "access_size"},
		{`"entry_count":1`, `"entry_count":2`, "entry_count"},
		{`"header_length":12`, `"header_len":12`, "header_len"},
		{`"index":0,`, `"index":0,"comment":"x",`, "comment"},
		{`"entries":[{`, `"entries":[{"index":1},{`, "entries"},
	} {
		js := strings.Replace(oneEntryJSON, tc.from, tc.to, 1)
		if js == oneEntryJSON {
			t.Fatalf("%q is not in the JSON", tc.from)
		}
		diffs := CompareJSON([]byte(js), d)
		if len(diffs) == 0 || !strings.Contains(strings.Join(diffs, "\n"), tc.path) {
			t.Errorf("changing %s to %s: differences %q, want one naming %s", tc.from, tc.to, diffs, tc.path)
		}
	}
}

func TestIaslString(t *testing.T) {
	for _, tc := range []struct{ raw, want string }{
		{"BOCHS ", "BOCHS "},
		{"AMIER\x00", "AMIER"},
		{"\xd2\x04\x00\x00", "  "},
		{"\x01A\x7fB\x00C", " A B"},
		{" \x80\xc3\xa9abc\t", "    abc "},
		{"\x00ABC", ""},
		{`"\%s`, `"\%s`},
	} {
		if got := IaslString([]byte(tc.raw)); got != tc.want {
			t.Errorf("IaslString(%q) = %q, want %q", tc.raw, got, tc.want)
		}
	}
}
