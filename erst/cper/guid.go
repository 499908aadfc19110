package cper

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
)

// GUID is a 16-byte EFI_GUID as stored in CPER records: the first three
// fields (Data1 u32, Data2 u16, Data3 u16) little-endian, the last eight
// bytes (Data4) as written. This is the order Linux calls guid_t/uuid_le.
type GUID [16]byte

// ParseGUID parses the canonical 8-4-4-4-12 text form, in either case,
// optionally wrapped in braces as Windows prints GUIDs.
func ParseGUID(s string) (GUID, error) {
	var g GUID
	if len(s) == 38 && s[0] == '{' && s[37] == '}' {
		s = s[1:37]
	}
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return g, fmt.Errorf("%w: %q is not in 8-4-4-4-12 form", ErrBadGUID, s)
	}
	var raw [16]byte // big-endian text order
	hexPart := s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:36]
	if _, err := hex.Decode(raw[:], []byte(hexPart)); err != nil {
		return g, fmt.Errorf("%w: %q: %v", ErrBadGUID, s, err)
	}
	binary.LittleEndian.PutUint32(g[0:], binary.BigEndian.Uint32(raw[0:]))
	binary.LittleEndian.PutUint16(g[4:], binary.BigEndian.Uint16(raw[4:]))
	binary.LittleEndian.PutUint16(g[6:], binary.BigEndian.Uint16(raw[6:]))
	copy(g[8:], raw[8:])
	return g, nil
}

// mustGUID is for the package's own tables of constants.
func mustGUID(s string) GUID {
	g, err := ParseGUID(s)
	if err != nil {
		panic(err)
	}
	return g
}

// String returns the canonical lower-case 8-4-4-4-12 form.
func (g GUID) String() string {
	return fmt.Sprintf("%08x-%04x-%04x-%x-%x",
		binary.LittleEndian.Uint32(g[0:]),
		binary.LittleEndian.Uint16(g[4:]),
		binary.LittleEndian.Uint16(g[6:]),
		g[8:10], g[10:16])
}

// IsZero reports whether g is the all-zero GUID (Microsoft's CPER_EMPTY_GUID).
func (g GUID) IsZero() bool { return g == GUID{} }

// MarshalText encodes g as its canonical string, so encoding/json writes
// GUIDs as strings.
func (g GUID) MarshalText() ([]byte, error) { return []byte(g.String()), nil }

// UnmarshalText parses the forms [ParseGUID] accepts.
func (g *GUID) UnmarshalText(b []byte) error {
	v, err := ParseGUID(string(b))
	if err != nil {
		return err
	}
	*g = v
	return nil
}
