package acpi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// fixture is a two-entry ERST table written out field by field. Entry 0
// is QEMU's BEGIN_WRITE_OPERATION; entry 1 has what real firmware gets
// wrong: a reserved action, an unknown instruction, PRESERVE set, and the
// HP ProLiant's non-ASCII Creator ID in the header.
var fixture = []byte{
	// System description table header (ACPI 6.5 §5.2.6)
	'E', 'R', 'S', 'T', // Signature
	0x70, 0x00, 0x00, 0x00, // Length: 112 = 48 + 2*32
	0x01,                         // Revision
	0x4e,                         // Checksum: the bytes sum to zero
	'B', 'O', 'C', 'H', 'S', ' ', // OEM ID
	'B', 'X', 'P', 'C', ' ', ' ', ' ', ' ', // OEM Table ID
	0x01, 0x00, 0x00, 0x00, // OEM Revision: 1
	0xd2, 0x04, 0x00, 0x00, // Creator ID: not ASCII (HP ProLiant)
	0x01, 0x00, 0x00, 0x00, // Creator Revision: 1

	// Serialization header (§18.5, Table 18.25)
	0x30, 0x00, 0x00, 0x00, // Serialization Header Length: 48
	0x00, 0x00, 0x00, 0x00, // Reserved
	0x02, 0x00, 0x00, 0x00, // Instruction Entry Count: 2

	// Entry 0 (§18.5.1, Table 18.26)
	0x00,                   // Action: BEGIN_WRITE_OPERATION
	0x03,                   // Instruction: WRITE_REGISTER_VALUE
	0x00,                   // Flags
	0x00,                   // Reserved
	0x00,                   // Register: Space ID SystemMemory
	0x20,                   // Register: Bit Width 32
	0x00,                   // Register: Bit Offset 0
	0x03,                   // Register: Access Size DWord
	0x00, 0x70, 0xbd, 0xfe, // Register: Address 0xfebd7000 (low half)
	0x00, 0x00, 0x00, 0x00, // Register: Address (high half)
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // Value: 0 (ACTION_BEGIN_WRITE)
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, // Mask: 0xffffffff

	// Entry 1
	0x0c,                   // Action: reserved 0x0C
	0x13,                   // Instruction: reserved 0x13
	0x01,                   // Flags: PRESERVE_REGISTER
	0x00,                   // Reserved
	0x01,                   // Register: Space ID SystemIO
	0x08,                   // Register: Bit Width 8
	0x00,                   // Register: Bit Offset 0
	0x01,                   // Register: Access Size Byte
	0xb2, 0x00, 0x00, 0x00, // Register: Address 0xb2, the SMI command port
	0x00, 0x00, 0x00, 0x00, // Register: Address (high half)
	0x9c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // Value: 0x9c
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // Mask: all ones
}

func TestDecodeFixture(t *testing.T) {
	if Sum(fixture) != 0 {
		t.Fatalf("fixture sums to %#x, want 0", Sum(fixture))
	}
	tbl, err := DecodeERST(fixture)
	if err != nil {
		t.Fatal(err)
	}
	want := &ERST{
		Header: Header{
			Signature:       SignatureERST,
			Length:          112,
			Revision:        1,
			Checksum:        0x4e,
			OEMID:           [6]byte{'B', 'O', 'C', 'H', 'S', ' '},
			OEMTableID:      [8]byte{'B', 'X', 'P', 'C', ' ', ' ', ' ', ' '},
			OEMRevision:     1,
			CreatorID:       [4]byte{0xd2, 0x04, 0, 0},
			CreatorRevision: 1,
		},
		HeaderLength: 48,
		EntryCount:   2,
		Entries: []Entry{
			{Action: BeginWriteOperation, Instruction: WriteRegisterValue,
				Register: GAS{Space: SystemMemory, BitWidth: 32, AccessSize: 3, Address: 0xfebd7000},
				Mask:     0xffffffff},
			{Action: 0x0c, Instruction: 0x13, Flags: FlagPreserveRegister,
				Register: GAS{Space: SystemIO, BitWidth: 8, AccessSize: 1, Address: 0xb2},
				Value:    0x9c, Mask: ^uint64(0)},
		},
	}
	if got, _ := json.Marshal(tbl); !bytes.Equal(got, mustJSON(t, want)) {
		t.Errorf("decoded\n%s\nwant\n%s", got, mustJSON(t, want))
	}
	if !tbl.Entries[1].Preserve() || tbl.Entries[0].Preserve() {
		t.Error("Preserve() does not follow flags bit 0")
	}
	if got := tbl.Encode(); !bytes.Equal(got, fixture) {
		t.Errorf("Encode() =\n% x\nwant\n% x", got, fixture)
	}
	if !tbl.ChecksumOK() {
		t.Error("ChecksumOK() = false on a table that sums to zero")
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestJSONShape pins the exact JSON that `erst table -json` prints for
// the fixture: key names and order, 64-bit quantities as 0x strings, raw
// OEM bytes as \u00XX escapes.
func TestJSONShape(t *testing.T) {
	tbl, err := DecodeERST(fixture)
	if err != nil {
		t.Fatal(err)
	}
	got := mustJSON(t, tbl.JSON())
	want := `{"signature":"ERST","length":112,"revision":1,"checksum":78,"checksum_ok":true,` +
		`"oem_id":"BOCHS ","oem_table_id":"BXPC    ","oem_revision":1,` +
		`"creator_id":"\u00d2\u0004\u0000\u0000","creator_revision":1,` +
		`"header_length":48,"reserved":0,"entry_count":2,"entries":[` +
		`{"index":0,"action":"BEGIN_WRITE_OPERATION","action_code":0,` +
		`"instruction":"WRITE_REGISTER_VALUE","instruction_code":3,"flags":0,"preserve_register":false,"reserved":0,` +
		`"register":{"space_id":0,"space":"SystemMemory","bit_width":32,"bit_offset":0,"access_size":3,"address":"0xfebd7000"},` +
		`"value":"0x0","mask":"0xffffffff"},` +
		`{"index":1,"action":"RESERVED_ACTION(0x0c)","action_code":12,` +
		`"instruction":"RESERVED_INSTRUCTION(0x13)","instruction_code":19,"flags":1,"preserve_register":true,"reserved":0,` +
		`"register":{"space_id":1,"space":"SystemIO","bit_width":8,"bit_offset":0,"access_size":1,"address":"0xb2"},` +
		`"value":"0x9c","mask":"0xffffffffffffffff"}]}`
	if string(got) != want {
		t.Errorf("JSON\n%s\nwant\n%s", got, want)
	}

	var back ERSTJSON
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back.CreatorID, tbl.Header.CreatorID[:]) || back.Entries[1].Mask != Hex64(^uint64(0)) {
		t.Errorf("JSON does not decode back to the raw fields: creator %q mask %#x", back.CreatorID, uint64(back.Entries[1].Mask))
	}
}

func TestByteStringJSON(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		json string
	}{
		{"AMIER\x00", `"AMIER\u0000"`},
		{"\xd2\x04\x00\x00", `"\u00d2\u0004\u0000\u0000"`},
		{`a"b\c`, `"a\"b\\c"`},
		{"\x7f\x80\xff<&>", `"\u007f\u0080\u00ff<&>"`},
		{"", `""`},
	} {
		got, err := ByteString(tc.raw).MarshalJSON()
		if err != nil || string(got) != tc.json {
			t.Errorf("ByteString(%q) = %s, %v; want %s", tc.raw, got, err, tc.json)
		}
		if !json.Valid(got) {
			t.Errorf("ByteString(%q) = %s: not valid JSON", tc.raw, got)
		}
		var back ByteString
		if err := json.Unmarshal(got, &back); err != nil || string(back) != tc.raw {
			t.Errorf("decoding %s = %q, %v; want %q", got, back, err, tc.raw)
		}
	}
	var b ByteString
	if err := json.Unmarshal([]byte(`"\u0100"`), &b); err == nil {
		t.Error("decoding U+0100 into a ByteString succeeded; want an error")
	}
}

func TestHex64(t *testing.T) {
	for _, v := range []uint64{0, 1, 0xfebd7000, 1<<53 + 1, ^uint64(0)} {
		b, err := Hex64(v).MarshalText()
		if err != nil || !strings.HasPrefix(string(b), "0x") || strings.ToLower(string(b)) != string(b) {
			t.Errorf("Hex64(%d) = %q, %v", v, b, err)
		}
		var back Hex64
		if err := back.UnmarshalText(b); err != nil || uint64(back) != v {
			t.Errorf("UnmarshalText(%q) = %#x, %v; want %#x", b, uint64(back), err, v)
		}
	}
	for _, bad := range []string{"", "0x", "12", "0xg", "0x10000000000000000"} {
		var h Hex64
		if err := h.UnmarshalText([]byte(bad)); err == nil {
			t.Errorf("UnmarshalText(%q) succeeded", bad)
		}
	}
}

// TestDisassembleFixture checks the iasl-style text line by line for the
// fields a firmware engineer reads first.
func TestDisassembleFixture(t *testing.T) {
	tbl, err := DecodeERST(fixture)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := tbl.Disassemble(&out); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{
		`[000h 0000   4]                    Signature : "ERST"    [Error Record Serialization Table]`,
		`[004h 0004   4]                       Length : 00000070`,
		`[009h 0009   1]                     Checksum : 4E`,
		`[00Ah 0010   6]                       OEM ID : "BOCHS "`,
		`[01Ch 0028   4]                   Creator ID : "\xd2\x04\x00\x00"`,
		`[024h 0036   4]  Serialization Header Length : 00000030`,
		`[02Ch 0044   4]      Instruction Entry Count : 00000002`,
		`[030h 0048   1]                       Action : 00 [BEGIN_WRITE_OPERATION]`,
		`[031h 0049   1]                  Instruction : 03 [WRITE_REGISTER_VALUE]`,
		`[037h 0055   1]                  Access Size : 03 [DWord Access:32]`,
		`[038h 0056   8]                      Address : 00000000FEBD7000`,
		`[048h 0072   8]                         Mask : 00000000FFFFFFFF`,
		`[050h 0080   1]                       Action : 0C [RESERVED_ACTION(0x0c)]`,
		`[051h 0081   1]                  Instruction : 13 [RESERVED_INSTRUCTION(0x13)]`,
		`[052h 0082   1]                        Flags : 01`,
		`                           Preserve Register : 1`,
		`[054h 0084   1]             Address Space ID : 01 [SystemIO]`,
		`[060h 0096   8]                        Value : 000000000000009C`,
		`Raw Table Data: Length 112 (0x70)`,
		`    0060: 9C 00 00 00 00 00 00 00 FF FF FF FF FF FF FF FF  // ................`,
	} {
		if !strings.Contains(text, want+"\n") {
			t.Errorf("disassembly lacks the line\n%s\n--- got:\n%s", want, text)
		}
	}

	// A broken table is annotated where iasl would be, and more.
	bad := bytes.Clone(fixture)
	bad[9]++         // checksum
	bad[44] = 3      // entry count
	bad[50+32] = 0xf // reserved flag bits
	tbl, err = DecodeERST(bad)
	if err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := tbl.Disassemble(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		fmt.Sprintf("Checksum : 4F     /* Incorrect checksum, should be %02X */", ChecksumFor(bad)),
		"Instruction Entry Count : 00000003     /* Length holds 2 (0x2) entries */",
		"Flags : 0F     /* reserved bits 0E set */",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("disassembly of a broken table lacks %q", want)
		}
	}
}

type failWriter struct{ n int }

func (w *failWriter) Write(p []byte) (int, error) {
	if w.n -= len(p); w.n < 0 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

func TestDisassembleReportsWriteErrors(t *testing.T) {
	tbl, err := DecodeERST(fixture)
	if err != nil {
		t.Fatal(err)
	}
	if err := tbl.Disassemble(&failWriter{n: 1000}); err == nil || err.Error() != "disk full" {
		t.Errorf("Disassemble to a failing writer = %v, want the writer's error", err)
	}
}

// TestDecodeRejects covers the inputs DecodeERST must refuse, each with
// its sentinel.
func TestDecodeRejects(t *testing.T) {
	withLength := func(n uint32) []byte {
		b := bytes.Clone(fixture)
		b[4], b[5], b[6], b[7] = byte(n), byte(n>>8), byte(n>>16), byte(n>>24)
		return b
	}
	for _, tc := range []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrTruncated},
		{"short header", fixture[:35], ErrTruncated},
		{"not ERST", append([]byte("FACP"), fixture[4:]...), ErrSignature},
		{"length beyond data", fixture[:100], ErrTruncated},
		{"length 4 GiB", withLength(0xffffffff), ErrLength},
		{"length below 48", withLength(40), ErrLength},
	} {
		_, err := DecodeERST(tc.in)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: DecodeERST error %v, want %v", tc.name, err, tc.want)
		}
		var fe *FormatError
		if !errors.As(err, &fe) {
			t.Errorf("%s: error %T is not a *FormatError", tc.name, err)
		}
	}
}

// TestDecodeKeepsInconsistentTables: Length decides the entries (as in
// ACPICA), EntryCount and trailing bytes are kept as read, and Encode
// gives back the same bytes.
func TestDecodeKeepsInconsistentTables(t *testing.T) {
	b := bytes.Clone(fixture)
	b = append(b, 1, 2, 3)
	b[4] += 3                               // Length 115: two entries and 3 trailing bytes
	b[44] = 200                             // Instruction Entry Count
	tbl, err := DecodeERST(append(b, 0xee)) // a byte past Length is ignored
	if err != nil {
		t.Fatal(err)
	}
	if len(tbl.Entries) != 2 || tbl.EntryCount != 200 || !bytes.Equal(tbl.Trailing, []byte{1, 2, 3}) {
		t.Errorf("entries %d, count %d, trailing % x; want 2, 200, 01 02 03", len(tbl.Entries), tbl.EntryCount, tbl.Trailing)
	}
	if got := tbl.Encode(); !bytes.Equal(got, b) {
		t.Errorf("Encode() =\n% x\nwant\n% x", got, b)
	}
	if j := tbl.JSON(); j.Trailing != "010203" || j.EntryCount != 200 {
		t.Errorf("JSON trailing %q count %d", j.Trailing, j.EntryCount)
	}
}

func TestNames(t *testing.T) {
	for _, tc := range []struct {
		got, want string
	}{
		{BeginWriteOperation.String(), "BEGIN_WRITE_OPERATION"},
		{GetExecuteOperationTimings.String(), "GET_EXECUTE_OPERATION_TIMINGS"},
		{Action(0x0c).String(), "RESERVED_ACTION(0x0c)"},
		{Action(0xff).String(), "RESERVED_ACTION(0xff)"},
		{MoveData.String(), "MOVE_DATA"},
		{Instruction(0x13).String(), "RESERVED_INSTRUCTION(0x13)"},
		{AddressSpace(0x0c).String(), "Reserved(0x0c)"},
		{AddressSpace(0x80).String(), "OEMDefined(0x80)"},
		{AccessSize(0).String(), "Undefined(0x00)"},
		{AccessSize(4).String(), "QWord"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
