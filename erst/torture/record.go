// Package torture derives ERST stress records from a seed and checks
// them. Every byte of a torture record, header included, is a function of
// the seed, the record identifier and the error log address range length
// (ACPI 6.5 §18.5.2.1), so anyone who knows the seed can tell an intact
// record from a damaged one with no other state: not a list of what was
// written, not a copy of it. That is what a power-cut test needs, where
// the writer dies at an unknown moment.
//
// Records are valid CPER records (UEFI 2.10 §N.2) with CreatorID
// [Creator], so they are recognisable among a store's other records.
// Identifiers carry the seed: the top byte is [IDMarker], the next three
// bytes a hash of the seed, the low 32 bits a counter from 1. Runs with
// different seeds never collide, and a writer restarted after a power cut
// can go on after the highest counter it finds in the store.
//
// Gen builds and checks records; Torture writes them to a device,
// clearing its own oldest record when the store is full, and Verify checks
// a store.
package torture

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/goerst/erst/erst/cper"
)

// Creator is the CPER CreatorID of every torture record,
// 581d6400-9413-46c4-bfa8-1b772cd9e38e (a random GUID).
var Creator = cper.CreatorID{0x00, 0x64, 0x1d, 0x58, 0x13, 0x94, 0xc4, 0x46, 0xbf, 0xa8, 0x1b, 0x77, 0x2c, 0xd9, 0xe3, 0x8e}

// SectionType is the type of the one section of a torture record long
// enough to hold a section, c00fba00-729a-4357-aa68-d8fcb2fbe1d2 (a
// random GUID).
var SectionType = cper.SectionType{0x00, 0xba, 0x0f, 0xc0, 0x9a, 0x72, 0x57, 0x43, 0xaa, 0x68, 0xd8, 0xfc, 0xb2, 0xfb, 0xe1, 0xd2}

// IDMarker is the top byte of every torture record identifier.
const IDMarker = 0x7E

// MaxIndex is the highest counter a torture identifier can carry.
const MaxIndex = math.MaxUint32 - 1

// Smallest and section-bearing record sizes.
const (
	// MinSize is the smallest legal record: the CPER header alone.
	MinSize = cper.HeaderSize
	// sectionStart is where the section body starts in a record with a
	// section: after the header and one descriptor.
	sectionStart = cper.HeaderSize + cper.DescriptorSize
)

// ErrCorrupt is wrapped by every [Damage].
var ErrCorrupt = errors.New("torture record corrupt")

// Gen derives the records of one seed for one range length.
type Gen struct {
	seed        uint64
	tag         uint64 // bits 55:32 of every identifier
	rangeLength int
}

// New returns the generator for seed and records of at most rangeLength
// bytes (the device's GET_ERROR_LOG_ADDRESS_LENGTH), between [MinSize] and
// 1 GiB.
func New(seed uint64, rangeLength uint64) (*Gen, error) {
	if rangeLength < MinSize || rangeLength > 1<<30 {
		return nil, fmt.Errorf("torture: range length %d: want %d bytes to 1 GiB", rangeLength, MinSize)
	}
	return &Gen{seed: seed, tag: mix(seed^0x746f7274757265) & 0xFFFFFF, rangeLength: int(rangeLength)}, nil
}

// Seed returns the seed.
func (g *Gen) Seed() uint64 { return g.seed }

// ID returns the identifier of the record with counter n, 1 to [MaxIndex].
func (g *Gen) ID(n uint32) uint64 { return IDMarker<<56 | g.tag<<32 | uint64(n) }

// Index returns the counter of id and whether id is one of this seed's.
func (g *Gen) Index(id uint64) (uint32, bool) {
	n := uint32(id)
	return n, id>>32 == IDMarker<<24|g.tag && n >= 1 && n <= MaxIndex
}

// IsTortureID reports whether id is a torture identifier of any seed.
func IsTortureID(id uint64) bool { return id>>56 == IDMarker }

// Size returns the length of the record id: one record in eight is
// [MinSize], one in eight the whole range, the rest anything in between.
func (g *Gen) Size(id uint64) int {
	h := mix(g.seed ^ mix(id^0x73697a65))
	span := uint64(g.rangeLength - MinSize + 1)
	switch h % 8 {
	case 0:
		return MinSize
	case 1:
		return g.rangeLength
	}
	return MinSize + int((h>>3)%span)
}

// Record returns the record id: a CPER header (revision 0x0101, severity
// informational, no valid optional fields, CreatorID [Creator], RecordID
// id, PersistenceInfo holding the "ER" signature that Linux and Windows
// stamp on a write, so the device returns it byte for byte); when it is
// at least 200 bytes long, one primary section descriptor of type
// [SectionType] covering the rest; and a body of pseudo-random bytes drawn
// from (seed, id).
func (g *Gen) Record(id uint64) []byte {
	size := g.Size(id)
	h := cper.Header{
		SignatureStart: cper.SignatureStart,
		Revision:       cper.RevisionUEFI,
		SignatureEnd:   cper.SignatureEnd,
		Severity:       cper.SeverityInformational,
		RecordLength:   uint32(size),
		Creator:        Creator,
		RecordID:       id,
		Persistence:    cper.PersistenceSignature,
	}
	body := MinSize
	if size >= sectionStart {
		h.SectionCount = 1
		body = sectionStart
	}
	rec := make([]byte, 0, size)
	rec = h.AppendEncode(rec)
	if h.SectionCount == 1 {
		d := cper.SectionDescriptor{
			Offset:   sectionStart,
			Length:   uint32(size - sectionStart),
			Revision: cper.SectionRevision,
			Flags:    cper.SectionPrimary,
			Type:     SectionType,
			Severity: cper.SeverityInformational,
		}
		rec = d.AppendEncode(rec)
	}
	rec = rec[:size]
	fill(rec[body:], mix(g.seed^mix(id)))
	return rec
}

// Check compares rec, read back as record id, with what it must be. It
// returns nil or a *[Damage].
func (g *Gen) Check(id uint64, rec []byte) error {
	want := g.Record(id)
	n := min(len(rec), len(want))
	for i := range n {
		if rec[i] != want[i] {
			return &Damage{ID: id, Offset: i, Got: rec[i], Want: want[i], Len: len(rec), WantLen: len(want)}
		}
	}
	if len(rec) != len(want) {
		return &Damage{ID: id, Offset: -1, Len: len(rec), WantLen: len(want)}
	}
	return nil
}

// Damage says where a torture record differs from what it must be.
type Damage struct {
	ID        uint64
	Offset    int // first differing byte; -1 when only the length differs
	Got, Want byte
	Len       int // bytes read
	WantLen   int // bytes the record has
}

func (d *Damage) Error() string {
	if d.Offset < 0 {
		return fmt.Sprintf("record %#x: %d bytes read, the record has %d: %v", d.ID, d.Len, d.WantLen, ErrCorrupt)
	}
	return fmt.Sprintf("record %#x: %s byte %d is %#02x, want %#02x: %v", d.ID, Part(d.Offset, d.WantLen), d.Offset, d.Got, d.Want, ErrCorrupt)
}

// Unwrap returns [ErrCorrupt].
func (d *Damage) Unwrap() error { return ErrCorrupt }

// Part names the part of a torture record of size bytes that holds byte
// off: "header", "section descriptor" or "body".
func Part(off, size int) string {
	switch {
	case off < cper.HeaderSize:
		return "header"
	case off < sectionStart && size >= sectionStart:
		return "section descriptor"
	}
	return "body"
}

// mix is SplitMix64's finaliser: a bijection that spreads every input bit.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// fill writes the SplitMix64 stream from state into b.
func fill(b []byte, state uint64) {
	var w [8]byte
	for len(b) > 0 {
		state += 0x9e3779b97f4a7c15
		binary.LittleEndian.PutUint64(w[:], mix(state))
		b = b[copy(b, w[:]):]
	}
}
