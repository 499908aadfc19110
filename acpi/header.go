// Package acpi decodes and encodes ACPI system description tables: the
// common 36-byte header (ACPI 6.5 §5.2.6), the Generic Address Structure
// (§5.2.3.2) and the Error Record Serialization Table (ERST, §18.5).
//
// The package has two layers. At the bottom are the wire layouts with
// named offsets; every length is checked against the buffer before it is
// used. On top are Go types ([Header], [GAS], [ERST]) that round-trip exactly:
// Encode(Decode(b)) == b for any table Decode accepts.
package acpi

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// HeaderSize is the size of the system description table header (§5.2.6).
const HeaderSize = 36

// Offsets of the header fields (ACPI 6.5 Table 5.4).
const (
	offSignature       = 0
	offLength          = 4
	offRevision        = 8
	offChecksum        = 9
	offOEMID           = 10
	offOEMTableID      = 16
	offOEMRevision     = 24
	offCreatorID       = 28
	offCreatorRevision = 32
)

// MaxTableLength bounds the Length field a decoder will honour. Real ERST
// tables are under 2 KiB; no ACPI table this package reads comes near 1 MiB.
// A Length above it is treated as corrupt rather than sizing an allocation.
const MaxTableLength = 1 << 20

// Errors returned by the decoders. They are wrapped in a *[FormatError] that
// carries the byte offset; test them with errors.Is.
var (
	ErrTruncated    = errors.New("table truncated")
	ErrSignature    = errors.New("wrong table signature")
	ErrLength       = errors.New("bad table length")
	ErrNotFound     = errors.New("table not found")
	ErrBadAcpidump  = errors.New("malformed acpidump text")
	ErrNotSupported = errors.New("not supported on this platform")
)

// FormatError reports where in the input a decoder gave up.
type FormatError struct {
	Off int    // byte offset into the table
	Msg string // what was wrong
	Err error  // one of the sentinels above
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("%s at offset %#x: %s", e.Err, e.Off, e.Msg)
}

func (e *FormatError) Unwrap() error { return e.Err }

func formatErr(err error, off int, format string, args ...any) error {
	return &FormatError{Off: off, Msg: fmt.Sprintf(format, args...), Err: err}
}

// Header is the system description table header (ACPI 6.5 §5.2.6). String
// fields hold the raw bytes, padding and all, so that they encode back
// unchanged.
type Header struct {
	Signature       [4]byte
	Length          uint32
	Revision        uint8
	Checksum        uint8
	OEMID           [6]byte
	OEMTableID      [8]byte
	OEMRevision     uint32
	CreatorID       [4]byte
	CreatorRevision uint32
}

// DecodeHeader reads the 36-byte header at the start of b. It checks only
// that b is long enough; callers check the signature and length.
func DecodeHeader(b []byte) (Header, error) {
	var h Header
	if len(b) < HeaderSize {
		return h, formatErr(ErrTruncated, len(b), "need %d header bytes, have %d", HeaderSize, len(b))
	}
	copy(h.Signature[:], b[offSignature:])
	h.Length = binary.LittleEndian.Uint32(b[offLength:])
	h.Revision = b[offRevision]
	h.Checksum = b[offChecksum]
	copy(h.OEMID[:], b[offOEMID:])
	copy(h.OEMTableID[:], b[offOEMTableID:])
	h.OEMRevision = binary.LittleEndian.Uint32(b[offOEMRevision:])
	copy(h.CreatorID[:], b[offCreatorID:])
	h.CreatorRevision = binary.LittleEndian.Uint32(b[offCreatorRevision:])
	return h, nil
}

// AppendEncode appends the 36-byte wire form of h to b.
func (h *Header) AppendEncode(b []byte) []byte {
	b = append(b, h.Signature[:]...)
	b = binary.LittleEndian.AppendUint32(b, h.Length)
	b = append(b, h.Revision, h.Checksum)
	b = append(b, h.OEMID[:]...)
	b = append(b, h.OEMTableID[:]...)
	b = binary.LittleEndian.AppendUint32(b, h.OEMRevision)
	b = append(b, h.CreatorID[:]...)
	b = binary.LittleEndian.AppendUint32(b, h.CreatorRevision)
	return b
}

// Sum returns the byte sum of b modulo 256. A table whose checksum is
// right sums to zero over its Length bytes (§5.2.6).
func Sum(b []byte) uint8 {
	var s uint8
	for _, c := range b {
		s += c
	}
	return s
}

// ChecksumFor returns the checksum byte that makes table (whose checksum
// byte is at offset 9) sum to zero.
func ChecksumFor(table []byte) uint8 {
	if len(table) <= offChecksum {
		return 0
	}
	return table[offChecksum] - Sum(table)
}

// SetChecksum rewrites the checksum byte of table in place so that it
// sums to zero.
func SetChecksum(table []byte) {
	if len(table) > offChecksum {
		table[offChecksum] = ChecksumFor(table)
	}
}
