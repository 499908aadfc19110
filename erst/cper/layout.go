package cper

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/goerst/erst/internal/enum"
)

// ErrSectionShort: a section body is shorter than the structure its type
// defines. The fields that fit are still decoded.
var ErrSectionShort = errors.New("cper: section body shorter than its structure")

// Section bodies are decoded from tables: a layout lists a structure's
// fields (name, offset, size, bit range, validation bit, how to show the
// value), and one walk over the table gives both the text and the JSON.
// Adding a section is adding a table; only variable parts (arrays whose
// count is in the section, context structures of declared size) need code.

// kind says how a field's value is shown.
type kind uint8

const (
	kDec   kind = iota // unsigned integer, decimal
	kHex               // unsigned integer, hex (addresses, registers, ids)
	kEnum              // unsigned integer naming one of a list
	kFlags             // bit set, each bit named
	kBool              // one bit
	kGUID              // 16-byte EFI_GUID
	kBytes             // raw bytes, hex
	kASCII             // NUL-padded text
)

// field is one entry of a layout.
type field struct {
	name      string
	off, size int   // bytes from the structure's start
	lo, width uint8 // a bit range of the little-endian integer; width 0: all of it
	inPlace   bool  // keep the bit range where it is rather than shifting it down
	valid     int   // validation bit that says the field holds a value; -1: always
	kind      kind
	names     map[uint64]string // kEnum
	bitNames  []string          // kFlags: bit i's name
	sub       *layout           // the field's bytes decoded further
}

// layout is one structure.
type layout struct {
	name string
	size int
	// The validation bits: the integer at validOff of validSize bytes
	// (validSize 0: the structure has none), bits validLo and up.
	validOff, validSize int
	validLo             uint8
	fields              []field
}

// f returns a field of size bytes at off, an integer shown in decimal,
// always valid.
func f(name string, off, size int) field {
	return field{name: name, off: off, size: size, valid: -1}
}

// v makes the field valid only when validation bit n is set.
func (x field) v(n int) field { x.valid = n; return x }

// bits restricts the field to bits lo..lo+width-1 of its integer.
func (x field) bits(lo, width uint8) field { x.lo, x.width = lo, width; return x }

// masked restricts the field to bits lo..lo+width-1 of its integer and
// leaves them in place, the others cleared: for an address whose low bits
// hold something else.
func (x field) masked(lo, width uint8) field { x.lo, x.width, x.inPlace = lo, width, true; return x }

func (x field) hex() field   { x.kind = kHex; return x }
func (x field) guid() field  { x.kind = kGUID; return x }
func (x field) raw() field   { x.kind = kBytes; return x }
func (x field) ascii() field { x.kind = kASCII; return x }
func (x field) bool() field  { x.kind = kBool; return x }

func (x field) enum(names map[uint64]string) field { x.kind, x.names = kEnum, names; return x }

// flags makes the field a bit set; names[i] names bit i. A name "-"
// marks a bit that belongs to a multi-bit field decoded on its own (a
// link width, a payload size): it is not listed as a flag.
func (x field) flags(names ...string) field { x.kind, x.bitNames = kFlags, names; return x }

// of decodes the field's bytes as the structure l.
func (x field) of(l *layout) field { x.sub = l; return x }

// enumList makes an enum table from names of the values 0, 1, 2, ...
func enumList(names ...string) map[uint64]string {
	m := make(map[uint64]string, len(names))
	for i, n := range names {
		if n != "" {
			m[uint64(i)] = n
		}
	}
	return m
}

// Field is one decoded field of a section body.
type Field struct {
	Name  string
	Valid bool   // false when the field's validation bit is clear: it holds no value
	Value uint64 // integers, enums, flags, booleans
	Bytes []byte // GUIDs, raw bytes, text
	Text  string // the value as a person reads it
	// Fields holds the parts of a structured value (the subfields of a
	// check-information word, a nested structure).
	Fields Fields
	// Items holds the elements of an array of structures.
	Items []Fields

	kind  kind
	width uint8 // bits in Value
	names []string
}

// Fields is a decoded structure: its fields in wire order. It encodes as a
// JSON object whose keys are the field names in snake case, in order.
type Fields []Field

// Get returns the field named name (as printed), and whether there is one.
func (fs Fields) Get(name string) (Field, bool) {
	for _, x := range fs {
		if x.Name == name {
			return x, true
		}
	}
	return Field{}, false
}

// jsonKey turns "Processor Type" into "processor_type".
func jsonKey(name string) string {
	var b strings.Builder
	us := false
	for _, c := range name {
		switch {
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
			fallthrough
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			if us && b.Len() > 0 {
				b.WriteByte('_')
			}
			us = false
			b.WriteRune(c)
		default:
			us = true
		}
	}
	return b.String()
}

// MarshalJSON encodes fs as an object in field order.
func (fs Fields) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, x := range fs {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(jsonKey(x.Name))
		b.Write(k)
		b.WriteByte(':')
		v, err := x.MarshalJSON()
		if err != nil {
			return nil, err
		}
		b.Write(v)
		// A named GUID: the bare GUID above, its name beside it.
		if x.kind == kGUID && x.Valid && len(x.names) > 0 {
			k, _ := json.Marshal(jsonKey(x.Name) + "_name")
			b.WriteByte(',')
			b.Write(k)
			b.WriteByte(':')
			n, _ := json.Marshal(x.names[0])
			b.Write(n)
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// MarshalJSON encodes one field's value: null when not valid; integers up
// to 32 bits as numbers, wider ones as "0x..." strings; enums as
// {"value", "name"}; bit sets as {"value", "names"}; a value with parts as
// an object holding "raw" and the parts; arrays as arrays.
func (x Field) MarshalJSON() ([]byte, error) {
	if !x.Valid {
		return []byte("null"), nil
	}
	if x.Items != nil {
		return json.Marshal(x.Items)
	}
	num := func() any {
		if len(x.Bytes) > 8 {
			return x.Text // a register wider than 64 bits: "0x..." in full
		}
		if x.width <= 32 {
			return x.Value
		}
		return fmt.Sprintf("%#x", x.Value)
	}
	var v any
	switch x.kind {
	case kDec, kHex:
		v = num()
	case kEnum:
		v = struct {
			Value any    `json:"value"`
			Name  string `json:"name"`
		}{num(), x.names[0]}
	case kFlags:
		v = struct {
			Value any      `json:"value"`
			Names []string `json:"names"`
		}{num(), x.names}
	case kBool:
		v = x.Value != 0
	case kBytes:
		v = hex.EncodeToString(x.Bytes)
	case kGUID:
		v = GUID(x.Bytes).String()
	default:
		v = x.Text
	}
	if x.Fields == nil {
		return json.Marshal(v)
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	parts, err := x.Fields.MarshalJSON()
	if err != nil {
		return nil, err
	}
	// {"raw": v, parts...}
	out := append([]byte(`{"raw":`), raw...)
	if len(parts) > 2 {
		out = append(out, ',')
		out = append(out, parts[1:]...)
	} else {
		out = append(out, '}')
	}
	return out, nil
}

// writeText writes fs one field a line, parts and array elements
// indented below their field.
func (fs Fields) writeText(w io.Writer, indent string) {
	for _, x := range fs {
		switch {
		case !x.Valid:
			fmt.Fprintf(w, "%s%s: (not valid)\n", indent, x.Name)
		case x.Items != nil:
			fmt.Fprintf(w, "%s%s: %d\n", indent, x.Name, len(x.Items))
			for i, it := range x.Items {
				fmt.Fprintf(w, "%s  [%d]\n", indent, i)
				it.writeText(w, indent+"    ")
			}
		default:
			fmt.Fprintf(w, "%s%s: %s\n", indent, x.Name, x.Text)
			x.Fields.writeText(w, indent+"  ")
		}
	}
}

func readUint(b []byte) uint64 {
	var v [8]byte
	copy(v[:], b)
	return binary.LittleEndian.Uint64(v[:])
}

// decode reads the structure l from b. If b is shorter than l.size it
// decodes the fields that fit and returns ErrSectionShort.
func (l *layout) decode(b []byte) (Fields, error) {
	var vbits uint64
	if l.validSize > 0 && len(b) >= l.validOff+l.validSize {
		vbits = readUint(b[l.validOff:l.validOff+l.validSize]) >> l.validLo
	}
	fs := make(Fields, 0, len(l.fields))
	for i := range l.fields {
		x := &l.fields[i]
		if x.off+x.size > len(b) {
			return fs, fmt.Errorf("%w: %s is %d bytes, this one %d: %s and what follows are missing", ErrSectionShort, l.name, l.size, len(b), x.name)
		}
		valid := x.valid < 0 || vbits>>uint(x.valid)&1 != 0
		fs = append(fs, x.decode(b[x.off:x.off+x.size], valid))
	}
	if len(b) < l.size {
		return fs, fmt.Errorf("%w: %s is %d bytes, this one %d", ErrSectionShort, l.name, l.size, len(b))
	}
	return fs, nil
}

func (x *field) decode(b []byte, valid bool) Field {
	out := Field{Name: x.name, Valid: valid, kind: x.kind}
	switch x.kind {
	case kGUID:
		var g GUID
		copy(g[:], b)
		out.Bytes, out.Text = b, g.String()
		if n, ok := guidNames[g]; ok {
			out.Text += " (" + n + ")"
			out.names = []string{n}
		}
		return out
	case kBytes:
		out.Bytes, out.Text = b, hex.EncodeToString(b)
		if x.sub != nil && valid {
			out.Text = fmt.Sprintf("%d bytes", len(b))
			out.Fields, _ = x.sub.decode(b)
		}
		return out
	case kASCII:
		t := b
		if i := bytes.IndexByte(t, 0); i >= 0 {
			t = t[:i]
		}
		out.Bytes, out.Text = b, strings.ToValidUTF8(string(t), "?")
		return out
	}
	if len(b) > 8 && (x.kind == kHex || x.kind == kDec) {
		// Wider than 64 bits (GDTR, IDTR of §N.2.4.2.7): the whole
		// little-endian value in hex; Value holds its low 64 bits.
		out.Bytes, out.Value, out.width = b, readUint(b), 64
		out.Text = wideHex(b)
		return out
	}
	v := readUint(b)
	out.width = uint8(8 * len(b))
	if x.width > 0 {
		v = v >> x.lo & (1<<x.width - 1)
		out.width = x.width
		if x.inPlace {
			v <<= x.lo
			out.width = x.lo + x.width
		}
	}
	out.Value = v
	switch x.kind {
	case kDec:
		out.Text = fmt.Sprint(v)
	case kHex:
		out.Text = fmt.Sprintf("%#x", v)
	case kBool:
		out.Text = fmt.Sprint(v != 0)
	case kEnum:
		n := enum.NameMap(x.names, v, "Unknown")
		out.names = []string{n}
		out.Text = fmt.Sprintf("%s (%d)", n, v)
	case kFlags:
		out.names = []string{}
		for i := 0; i < int(out.width); i++ {
			if v>>uint(i)&1 == 0 {
				continue
			}
			n := fmt.Sprintf("bit%d", i)
			if i < len(x.bitNames) && x.bitNames[i] == "-" {
				continue // part of a multi-bit field
			}
			if i < len(x.bitNames) && x.bitNames[i] != "" {
				n = x.bitNames[i]
			}
			out.names = append(out.names, n)
		}
		out.Text = fmt.Sprintf("%#x", v)
		if len(out.names) > 0 {
			out.Text += " (" + strings.Join(out.names, "|") + ")"
		}
	}
	if x.sub != nil && valid {
		var raw [8]byte
		binary.LittleEndian.PutUint64(raw[:], v)
		sb := b
		if x.width > 0 {
			sb = raw[:]
		}
		out.Fields, _ = x.sub.decode(sb) // sub-structures are the field's size
	}
	return out
}

// wideHex formats the little-endian integer b, of any length, in hex.
func wideHex(b []byte) string {
	be := make([]byte, len(b))
	for i, c := range b {
		be[len(b)-1-i] = c
	}
	h := strings.TrimLeft(hex.EncodeToString(be), "0")
	if h == "" {
		h = "0"
	}
	return "0x" + h
}

// guidNames names the GUIDs that appear inside section bodies.
var guidNames = map[GUID]string{}
