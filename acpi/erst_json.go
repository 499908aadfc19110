package acpi

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
)

// ERSTJSON is the JSON form of an ERST table, as `erst table -json`
// prints it. Every header and entry field is there under a stable key;
// keys may be added, none renamed. 64-bit quantities (addresses, values,
// masks) are [Hex64] strings because JSON numbers lose precision above 2^53.
// Fields are as read, even when they disagree with each other: Length
// with the entries, Checksum with the bytes.
type ERSTJSON struct {
	Signature       ByteString  `json:"signature"`
	Length          uint32      `json:"length"`
	Revision        uint8       `json:"revision"`
	Checksum        uint8       `json:"checksum"`
	ChecksumOK      bool        `json:"checksum_ok"` // the table's bytes sum to zero
	OEMID           ByteString  `json:"oem_id"`
	OEMTableID      ByteString  `json:"oem_table_id"`
	OEMRevision     uint32      `json:"oem_revision"`
	CreatorID       ByteString  `json:"creator_id"`
	CreatorRevision uint32      `json:"creator_revision"`
	HeaderLength    uint32      `json:"header_length"` // Serialization Header Length
	Reserved        uint32      `json:"reserved"`
	EntryCount      uint32      `json:"entry_count"` // Instruction Entry Count field, as read
	Entries         []EntryJSON `json:"entries"`     // the entries that fit in Length
	// Trailing is the hex of any bytes within Length after the last whole
	// entry; absent when there are none.
	Trailing string `json:"trailing,omitempty"`
}

// EntryJSON is one serialization instruction entry in ERSTJSON. Action and
// Instruction are names ("RESERVED_ACTION(0x0c)" for a reserved code);
// ActionCode and InstructionCode are the raw bytes.
type EntryJSON struct {
	Index            int     `json:"index"`
	Action           string  `json:"action"`
	ActionCode       uint8   `json:"action_code"`
	Instruction      string  `json:"instruction"`
	InstructionCode  uint8   `json:"instruction_code"`
	Flags            uint8   `json:"flags"`
	PreserveRegister bool    `json:"preserve_register"` // Flags bit 0
	Reserved         uint8   `json:"reserved"`
	Register         GASJSON `json:"register"`
	Value            Hex64   `json:"value"`
	Mask             Hex64   `json:"mask"`
}

// GASJSON is a Generic Address Structure in ERSTJSON. AccessSize is the
// raw Access Size code (1 byte ... 4 qword).
type GASJSON struct {
	SpaceID    uint8  `json:"space_id"`
	Space      string `json:"space"`
	BitWidth   uint8  `json:"bit_width"`
	BitOffset  uint8  `json:"bit_offset"`
	AccessSize uint8  `json:"access_size"`
	Address    Hex64  `json:"address"`
}

// JSON returns the JSON form of t. Marshal it with encoding/json.
func (t *ERST) JSON() *ERSTJSON {
	h := &t.Header
	j := &ERSTJSON{
		Signature:       ByteString(h.Signature[:]),
		Length:          h.Length,
		Revision:        h.Revision,
		Checksum:        h.Checksum,
		ChecksumOK:      t.ChecksumOK(),
		OEMID:           ByteString(h.OEMID[:]),
		OEMTableID:      ByteString(h.OEMTableID[:]),
		OEMRevision:     h.OEMRevision,
		CreatorID:       ByteString(h.CreatorID[:]),
		CreatorRevision: h.CreatorRevision,
		HeaderLength:    t.HeaderLength,
		Reserved:        t.Reserved,
		EntryCount:      t.EntryCount,
		Entries:         make([]EntryJSON, len(t.Entries)),
		Trailing:        hex.EncodeToString(t.Trailing),
	}
	for i, e := range t.Entries {
		j.Entries[i] = EntryJSON{
			Index:            i,
			Action:           e.Action.String(),
			ActionCode:       uint8(e.Action),
			Instruction:      e.Instruction.String(),
			InstructionCode:  uint8(e.Instruction),
			Flags:            e.Flags,
			PreserveRegister: e.Preserve(),
			Reserved:         e.Reserved,
			Register: GASJSON{
				SpaceID:    uint8(e.Register.Space),
				Space:      e.Register.Space.String(),
				BitWidth:   e.Register.BitWidth,
				BitOffset:  e.Register.BitOffset,
				AccessSize: uint8(e.Register.AccessSize),
				Address:    Hex64(e.Register.Address),
			},
			Value: Hex64(e.Value),
			Mask:  Hex64(e.Mask),
		}
	}
	return j
}

// Hex64 is a 64-bit quantity that encodes as a lower-case hex string with
// a 0x prefix ("0xfebd7000"), so that JSON readers that hold numbers as
// float64 do not round it.
type Hex64 uint64

// MarshalText encodes h as "0x" and lower-case hex digits.
func (h Hex64) MarshalText() ([]byte, error) {
	return strconv.AppendUint([]byte("0x"), uint64(h), 16), nil
}

// UnmarshalText accepts what MarshalText writes (any case of hex digits).
func (h *Hex64) UnmarshalText(b []byte) error {
	s := string(b)
	if len(s) < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') {
		return fmt.Errorf("hex quantity %q: want 0x followed by hex digits", s)
	}
	v, err := strconv.ParseUint(s[2:], 16, 64)
	if err != nil {
		return fmt.Errorf("hex quantity %q: %w", s, err)
	}
	*h = Hex64(v)
	return nil
}

// ByteString is a fixed-size string field of a table (Signature, OEM ID,
// OEM Table ID, Creator ID) that keeps its raw bytes. In JSON it is a
// string with exactly one character per byte: printable ASCII as itself,
// every other byte b as the escape \u00XX, i.e. the character U+00XX (so
// NUL is \u0000, 0xD2 is \u00d2). Nothing is dropped or replaced, and
// mapping each character of the decoded string back to a byte (Latin-1)
// gives the raw bytes again; UnmarshalJSON does that.
type ByteString []byte

// MarshalJSON encodes s as described on [ByteString].
func (s ByteString) MarshalJSON() ([]byte, error) {
	const hexDigits = "0123456789abcdef"
	b := make([]byte, 0, len(s)+2)
	b = append(b, '"')
	for _, c := range s {
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c >= 0x20 && c < 0x7f:
			b = append(b, c)
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
	}
	return append(b, '"'), nil
}

// UnmarshalJSON decodes a JSON string whose characters are all below
// U+0100 into one byte each.
func (s *ByteString) UnmarshalJSON(b []byte) error {
	var str string
	if err := json.Unmarshal(b, &str); err != nil {
		return err
	}
	out := make([]byte, 0, len(str))
	for i, r := range str {
		if r > 0xff {
			return fmt.Errorf("byte string %q: character %U at %d is not a byte", str, r, i)
		}
		out = append(out, byte(r))
	}
	*s = out
	return nil
}
