package acpitest

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/goerst/erst/internal/enum"
)

// DSLField is one field line of iasl's ERST disassembly:
//
//	[037h 0055   1]         Encoded Access Width : 03 [DWord Access:32]
//
// Continuation lines without an offset ("Preserve Register Bits : 0") have
// Off and Size -1.
type DSLField struct {
	Off, Size int
	Name      string // "Encoded Access Width"
	Value     string // "03 [DWord Access:32]"
	Line      int    // 1-based line number in the .dsl file
}

// DSL is iasl's disassembly of one ERST table, split into header fields,
// entries (each starting at an "Action" field) and the raw bytes.
type DSL struct {
	Header  []DSLField
	Entries [][]DSLField
	Raw     []byte // the "Raw Table Data" hex dump
}

var (
	dslFieldRE = regexp.MustCompile(`^\[([0-9A-F]+)h (\d+)\s+(\d+)\]\s+(.+?) : (.*)$`)
	dslContRE  = regexp.MustCompile(`^\s+(Preserve Register Bits) : (.*)$`)
	dslRawRE   = regexp.MustCompile(`^\s+([0-9A-F]{4,}): ((?:[0-9A-F]{2} ?)+)`)
)

// ParseDSL parses the text that `iasl -d` writes for an ERST table.
func ParseDSL(text []byte) (*DSL, error) {
	d := &DSL{}
	inRaw := false
	for i, line := range strings.Split(string(text), "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.HasPrefix(line, "Raw Table Data:") {
			inRaw = true
			continue
		}
		if inRaw {
			if m := dslRawRE.FindStringSubmatch(line); m != nil {
				off, _ := strconv.ParseUint(m[1], 16, 32)
				if int(off) != len(d.Raw) {
					return nil, fmt.Errorf("line %d: raw data offset %#x, want %#x", i+1, off, len(d.Raw))
				}
				for _, h := range strings.Fields(m[2]) {
					b, _ := strconv.ParseUint(h, 16, 8)
					d.Raw = append(d.Raw, byte(b))
				}
			}
			continue
		}
		var f DSLField
		if m := dslFieldRE.FindStringSubmatch(line); m != nil {
			hexOff, _ := strconv.ParseUint(m[1], 16, 32)
			decOff, _ := strconv.Atoi(m[2])
			if int(hexOff) != decOff {
				return nil, fmt.Errorf("line %d: hex offset %s and decimal offset %s differ", i+1, m[1], m[2])
			}
			size, _ := strconv.Atoi(m[3])
			f = DSLField{Off: decOff, Size: size, Name: m[4], Value: m[5], Line: i + 1}
		} else if m := dslContRE.FindStringSubmatch(line); m != nil {
			f = DSLField{Off: -1, Size: -1, Name: m[1], Value: m[2], Line: i + 1}
		} else {
			continue
		}
		switch {
		case f.Name == "Action":
			d.Entries = append(d.Entries, []DSLField{f})
		case len(d.Entries) > 0:
			d.Entries[len(d.Entries)-1] = append(d.Entries[len(d.Entries)-1], f)
		default:
			d.Header = append(d.Header, f)
		}
	}
	if len(d.Header) == 0 {
		return nil, fmt.Errorf("no field lines: not iasl's disassembly of a table")
	}
	return d, nil
}

// IaslString is how iasl displays a fixed-size string field (OEM ID, OEM
// Table ID, Creator ID): it stops at the first NUL and shows every other
// byte that is not printable ASCII (0x20..0x7E) as a space.
func IaslString(b []byte) string {
	var s []byte
	for _, c := range b {
		if c == 0 {
			break
		}
		if c < 0x20 || c > 0x7e {
			c = ' '
		}
		s = append(s, c)
	}
	return string(s)
}

// ERST names as iasl 20200925 prints them, mapped to the names our JSON
// uses. Codes iasl does not know print as "Unknown Action" (or, for the
// reserved 0x0C, "Unused/Unknown Action"), "Unknown Instruction",
// "InvalidSpaceId" / "DataTable" (0x0C..0x7E) and "UserDefinedRegion"
// (0x80..0xFF); ours print as RESERVED_ACTION(0x..), RESERVED_INSTRUCTION(0x..),
// Reserved(0x..) and OEMDefined(0x..).
var (
	iaslActions = map[string]string{
		"Begin Write Operation":    "BEGIN_WRITE_OPERATION",
		"Begin Read Operation":     "BEGIN_READ_OPERATION",
		"Begin Clear Operation":    "BEGIN_CLEAR_OPERATION",
		"End Operation":            "END_OPERATION",
		"Set Record Offset":        "SET_RECORD_OFFSET",
		"Execute Operation":        "EXECUTE_OPERATION",
		"Check Busy Status":        "CHECK_BUSY_STATUS",
		"Get Command Status":       "GET_COMMAND_STATUS",
		"Get Record Identifier":    "GET_RECORD_IDENTIFIER",
		"Set Record Identifier":    "SET_RECORD_IDENTIFIER",
		"Get Record Count":         "GET_RECORD_COUNT",
		"Begin Dummy Write":        "BEGIN_DUMMY_WRITE_OPERATION",
		"Get Error Address Range":  "GET_ERROR_LOG_ADDRESS_RANGE",
		"Get Error Address Length": "GET_ERROR_LOG_ADDRESS_LENGTH",
		"Get Error Attributes":     "GET_ERROR_LOG_ADDRESS_RANGE_ATTRIBUTES",
		"Execute Timings":          "GET_EXECUTE_OPERATION_TIMINGS",
	}
	iaslInstructions = map[string]string{
		"Read Register":           "READ_REGISTER",
		"Read Register Value":     "READ_REGISTER_VALUE",
		"Write Register":          "WRITE_REGISTER",
		"Write Register Value":    "WRITE_REGISTER_VALUE",
		"Noop":                    "NOOP",
		"Load Var1":               "LOAD_VAR1",
		"Load Var2":               "LOAD_VAR2",
		"Store Var1":              "STORE_VAR1",
		"Add":                     "ADD",
		"Subtract":                "SUBTRACT",
		"Add Value":               "ADD_VALUE",
		"Subtract Value":          "SUBTRACT_VALUE",
		"Stall":                   "STALL",
		"Stall While True":        "STALL_WHILE_TRUE",
		"Skip Next If True":       "SKIP_NEXT_INSTRUCTION_IF_TRUE",
		"GoTo":                    "GOTO",
		"Set Source Address":      "SET_SRC_ADDRESS_BASE",
		"Set Destination Address": "SET_DST_ADDRESS_BASE",
		"Move Data":               "MOVE_DATA",
	}
	iaslSpaces = map[string]string{
		"SystemMemory":        "SystemMemory",
		"SystemIO":            "SystemIO",
		"PCI_Config":          "PCIConfig",
		"EmbeddedControl":     "EmbeddedControl",
		"SMBus":               "SMBus",
		"SystemCMOS":          "SystemCMOS",
		"PCIBARTarget":        "PCIBarTarget",
		"IPMI":                "IPMI",
		"GeneralPurposeIo":    "GeneralPurposeIO",
		"GenericSerialBus":    "GenericSerialBus",
		"PCC":                 "PCC",
		"PlatformRtMechanism": "PRM",
		"FunctionalFixedHW":   "FunctionalFixedHW",
	}
)

// ourName returns the name our JSON should give to the code that iasl
// shows as "XX [iaslName]".
func ourName(kind string, code uint64, iaslName string) (string, bool) {
	switch kind {
	case "action":
		if n, ok := iaslActions[iaslName]; ok {
			return n, true
		}
		if iaslName == "Unknown Action" || iaslName == "Unused/Unknown Action" {
			return enum.Unknown("RESERVED_ACTION", code), true
		}
	case "instruction":
		if n, ok := iaslInstructions[iaslName]; ok {
			return n, true
		}
		if iaslName == "Unknown Instruction" {
			return enum.Unknown("RESERVED_INSTRUCTION", code), true
		}
	case "space":
		if n, ok := iaslSpaces[iaslName]; ok {
			return n, true
		}
		switch iaslName {
		case "InvalidSpaceId", "DataTable":
			return enum.Unknown("Reserved", code), true
		case "UserDefinedRegion":
			return enum.Unknown("OEMDefined", code), true
		}
	}
	return "", false
}

// CompareJSON compares, field by field, the JSON that `erst table -json`
// printed for a table with iasl's disassembly of the same table, and
// returns one line per disagreement (nil when they agree). Every key of
// the JSON must be one it knows how to check against the disassembly, so
// a key added to the JSON without a comparison here is reported too.
func CompareJSON(js []byte, d *DSL) []string {
	var c comparer
	var top map[string]json.RawMessage
	if err := json.Unmarshal(js, &top); err != nil {
		return []string{fmt.Sprintf("JSON: %v", err)}
	}
	hdr := map[string]DSLField{}
	for _, f := range d.Header {
		hdr[f.Name] = f
	}
	c.object("table", top, map[string]func(string, json.RawMessage){
		"signature":        c.str(hdr, "Signature"),
		"length":           c.num(hdr, "Table Length", 4),
		"revision":         c.num(hdr, "Revision", 1),
		"checksum":         c.num(hdr, "Checksum", 1),
		"checksum_ok":      c.checksumOK(hdr["Checksum"]),
		"oem_id":           c.str(hdr, "Oem ID"),
		"oem_table_id":     c.str(hdr, "Oem Table ID"),
		"oem_revision":     c.num(hdr, "Oem Revision", 4),
		"creator_id":       c.str(hdr, "Asl Compiler ID"),
		"creator_revision": c.num(hdr, "Asl Compiler Revision", 4),
		"header_length":    c.num(hdr, "Serialization Header Length", 4),
		"reserved":         c.num(hdr, "Reserved", 4),
		"entry_count":      c.num(hdr, "Instruction Entry Count", 4),
		"entries":          func(path string, v json.RawMessage) { c.entries(path, v, d) },
		"trailing":         func(path string, v json.RawMessage) { c.trailing(path, v, d) },
	})
	if _, ok := top["trailing"]; !ok && d.partial() != nil {
		c.errorf("table.trailing: absent, but iasl shows a partial entry after the whole ones")
	}
	return c.diffs
}

// partial returns the fields of a partial last entry (iasl prints the
// fields of trailing bytes that fit), or nil.
func (d *DSL) partial() []DSLField {
	if n := len(d.Entries); n > 0 && len(d.Entries[n-1]) < len(dslEntryFields)+1 {
		return d.Entries[n-1]
	}
	return nil
}

type comparer struct{ diffs []string }

func (c *comparer) errorf(format string, args ...any) {
	c.diffs = append(c.diffs, fmt.Sprintf(format, args...))
}

// object runs check[key] on every key of obj and reports keys it has no
// check for.
func (c *comparer) object(path string, obj map[string]json.RawMessage, check map[string]func(string, json.RawMessage)) {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		f, ok := check[k]
		if !ok {
			c.errorf("%s.%s: JSON key with no counterpart compared in iasl's disassembly", path, k)
			continue
		}
		f(path+"."+k, obj[k])
	}
}

func (c *comparer) field(fields map[string]DSLField, name, path string) (DSLField, bool) {
	f, ok := fields[name]
	if !ok {
		c.errorf("%s: iasl printed no %q field", path, name)
	}
	return f, ok
}

// num compares a JSON number or "0x..." string with the leading hex
// number of an iasl field that is size bytes long.
func (c *comparer) num(fields map[string]DSLField, name string, size int) func(string, json.RawMessage) {
	return func(path string, v json.RawMessage) {
		f, ok := c.field(fields, name, path)
		if !ok {
			return
		}
		want, err := jsonUint(v)
		if err != nil {
			c.errorf("%s: %v", path, err)
			return
		}
		got, err := leadingHex(f.Value)
		if err != nil {
			c.errorf("%s: iasl line %d %q: %v", path, f.Line, f.Value, err)
			return
		}
		if got != want {
			c.errorf("%s: JSON %#x, iasl line %d %q says %#x", path, want, f.Line, name+" : "+f.Value, got)
		}
		if f.Size != size {
			c.errorf("%s: iasl line %d shows %q as %d bytes, want %d", path, f.Line, name, f.Size, size)
		}
	}
}

// str compares a JSON byte string, shown the way iasl shows strings, with
// the quoted value of an iasl field.
func (c *comparer) str(fields map[string]DSLField, name string) func(string, json.RawMessage) {
	return func(path string, v json.RawMessage) {
		f, ok := c.field(fields, name, path)
		if !ok {
			return
		}
		raw, err := jsonByteString(v)
		if err != nil {
			c.errorf("%s: %v", path, err)
			return
		}
		i, j := strings.IndexByte(f.Value, '"'), strings.LastIndexByte(f.Value, '"')
		if i < 0 || j <= i {
			c.errorf("%s: iasl line %d %q is not a quoted string", path, f.Line, f.Value)
			return
		}
		if got, want := f.Value[i+1:j], IaslString(raw); got != want {
			c.errorf("%s: JSON %q shows in iasl as %q, iasl line %d says %q", path, raw, want, f.Line, got)
		}
	}
}

func (c *comparer) checksumOK(f DSLField) func(string, json.RawMessage) {
	return func(path string, v json.RawMessage) {
		var ok bool
		if err := json.Unmarshal(v, &ok); err != nil {
			c.errorf("%s: %v", path, err)
			return
		}
		if iaslOK := !strings.Contains(f.Value, "Incorrect checksum"); iaslOK != ok {
			c.errorf("%s: JSON %v, iasl line %d %q", path, ok, f.Line, f.Value)
		}
	}
}

// Offsets of the entry fields within a 32-byte entry, as iasl labels them.
var dslEntryFields = []struct {
	off  int
	name string
}{
	{0, "Action"}, {1, "Instruction"}, {2, "Flags (decoded below)"}, {3, "Reserved"},
	{4, "Register Region"}, {4, "Space ID"}, {5, "Bit Width"}, {6, "Bit Offset"},
	{7, "Encoded Access Width"}, {8, "Address"}, {16, "Value"}, {24, "Mask"},
}

func (c *comparer) entries(path string, v json.RawMessage, d *DSL) {
	var list []map[string]json.RawMessage
	if err := json.Unmarshal(v, &list); err != nil {
		c.errorf("%s: %v", path, err)
		return
	}
	// iasl walks entries by Length; a partial entry at the end (trailing
	// bytes) shows as an entry with fewer fields.
	whole := 0
	for _, e := range d.Entries {
		if len(e) >= len(dslEntryFields)+1 {
			whole++
		}
	}
	if len(list) != whole {
		c.errorf("%s: JSON has %d entries, iasl shows %d", path, len(list), whole)
	}
	for i := 0; i < len(list) && i < len(d.Entries); i++ {
		ep := fmt.Sprintf("%s[%d]", path, i)
		fields := map[string]DSLField{}
		base := 48 + 32*i
		for _, f := range d.Entries[i] {
			fields[f.Name] = f
		}
		for _, want := range dslEntryFields {
			if f, ok := fields[want.name]; !ok {
				c.errorf("%s: iasl printed no %q field", ep, want.name)
			} else if f.Off != base+want.off {
				c.errorf("%s: iasl line %d puts %q at offset %d, want %d", ep, f.Line, want.name, f.Off, base+want.off)
			}
		}
		c.object(ep, list[i], map[string]func(string, json.RawMessage){
			"index": func(p string, v json.RawMessage) {
				if n, err := jsonUint(v); err != nil || n != uint64(i) {
					c.errorf("%s: %s, want %d", p, v, i)
				}
			},
			"action":            c.name(fields, "Action", "action"),
			"action_code":       c.num(fields, "Action", 1),
			"instruction":       c.name(fields, "Instruction", "instruction"),
			"instruction_code":  c.num(fields, "Instruction", 1),
			"flags":             c.num(fields, "Flags (decoded below)", 1),
			"preserve_register": c.flag(fields, "Preserve Register Bits"),
			"reserved":          c.num(fields, "Reserved", 1),
			"value":             c.num(fields, "Value", 8),
			"mask":              c.num(fields, "Mask", 8),
			"register": func(p string, v json.RawMessage) {
				var reg map[string]json.RawMessage
				if err := json.Unmarshal(v, &reg); err != nil {
					c.errorf("%s: %v", p, err)
					return
				}
				c.object(p, reg, map[string]func(string, json.RawMessage){
					"space_id":    c.num(fields, "Space ID", 1),
					"space":       c.name(fields, "Space ID", "space"),
					"bit_width":   c.num(fields, "Bit Width", 1),
					"bit_offset":  c.num(fields, "Bit Offset", 1),
					"access_size": c.num(fields, "Encoded Access Width", 1),
					"address":     c.num(fields, "Address", 8),
				})
			},
		})
	}
}

// name checks that a JSON name is ours for what iasl shows as "XX [name]".
func (c *comparer) name(fields map[string]DSLField, field, kind string) func(string, json.RawMessage) {
	return func(path string, v json.RawMessage) {
		f, ok := c.field(fields, field, path)
		if !ok {
			return
		}
		var got string
		if err := json.Unmarshal(v, &got); err != nil {
			c.errorf("%s: %v", path, err)
			return
		}
		code, err := leadingHex(f.Value)
		i, j := strings.IndexByte(f.Value, '['), strings.LastIndexByte(f.Value, ']')
		if err != nil || i < 0 || j < i {
			c.errorf("%s: iasl line %d %q is not \"XX [name]\"", path, f.Line, f.Value)
			return
		}
		want, ok := ourName(kind, code, f.Value[i+1:j])
		if !ok {
			c.errorf("%s: iasl line %d names %s %#x %q, which this comparison does not know", path, f.Line, kind, code, f.Value[i+1:j])
			return
		}
		if got != want {
			c.errorf("%s: JSON %q, iasl line %d %q means %q", path, got, f.Line, f.Value, want)
		}
	}
}

func (c *comparer) flag(fields map[string]DSLField, name string) func(string, json.RawMessage) {
	return func(path string, v json.RawMessage) {
		f, ok := c.field(fields, name, path)
		if !ok {
			return
		}
		var got bool
		if err := json.Unmarshal(v, &got); err != nil {
			c.errorf("%s: %v", path, err)
			return
		}
		if want := strings.TrimSpace(f.Value) == "1"; got != want {
			c.errorf("%s: JSON %v, iasl line %d %q", path, got, f.Line, f.Value)
		}
	}
}

// trailing checks the hex of the bytes after the last whole entry against
// the end of iasl's raw table data, and against each field of the partial
// entry iasl shows for them.
func (c *comparer) trailing(path string, v json.RawMessage, d *DSL) {
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		c.errorf("%s: %v", path, err)
		return
	}
	tail, err := hex.DecodeString(s)
	if err != nil || len(tail) == 0 || len(tail) >= 32 {
		c.errorf("%s: %q is not the hex of 1 to 31 bytes", path, s)
		return
	}
	if len(d.Raw) < len(tail) || !bytes.Equal(d.Raw[len(d.Raw)-len(tail):], tail) {
		c.errorf("%s: %q is not the end of iasl's raw table data", path, s)
		return
	}
	part := d.partial()
	if part == nil {
		c.errorf("%s: %q, but iasl shows no partial entry", path, s)
		return
	}
	start := len(d.Raw) - len(tail)
	for _, f := range part {
		if f.Off < 0 || f.Name == "Register Region" {
			continue
		}
		lo, hi := f.Off-start, f.Off-start+f.Size
		if lo < 0 || hi > len(tail) || f.Size > 8 {
			c.errorf("%s: iasl line %d shows %q at offset %d, outside the %d trailing bytes", path, f.Line, f.Name, f.Off, len(tail))
			continue
		}
		var want uint64
		for k := hi - 1; k >= lo; k-- {
			want = want<<8 | uint64(tail[k])
		}
		if got, err := leadingHex(f.Value); err != nil || got != want {
			c.errorf("%s: iasl line %d %q, the trailing bytes hold %#x there", path, f.Line, f.Name+" : "+f.Value, want)
		}
	}
}

// jsonUint reads a JSON number or a "0x..." string.
func jsonUint(v json.RawMessage) (uint64, error) {
	v = bytes.TrimSpace(v)
	if len(v) > 0 && v[0] == '"' {
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return 0, err
		}
		if !strings.HasPrefix(s, "0x") || strings.ToLower(s) != s {
			return 0, fmt.Errorf("%q is not lower-case hex with 0x", s)
		}
		return strconv.ParseUint(s[2:], 16, 64)
	}
	return strconv.ParseUint(string(v), 10, 64)
}

// jsonByteString decodes a JSON string with one character per byte.
func jsonByteString(v json.RawMessage) ([]byte, error) {
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return nil, err
	}
	var b []byte
	for _, r := range s {
		if r > 0xff {
			return nil, fmt.Errorf("%q: character %U is not a byte", s, r)
		}
		b = append(b, byte(r))
	}
	return b, nil
}

// leadingHex parses the hex number at the start of an iasl value
// ("03 [DWord Access:32]", "F2     /* Incorrect checksum ... */").
func leadingHex(s string) (uint64, error) {
	f := strings.Fields(s)
	if len(f) == 0 {
		return 0, fmt.Errorf("empty value")
	}
	return strconv.ParseUint(f[0], 16, 64)
}
