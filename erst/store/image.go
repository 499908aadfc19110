// Package store reads and writes the backing file of QEMU's acpi-erst
// device (hw/acpi/erst.c, QEMU 7.0 and later), byte for byte as QEMU does.
//
// The file is an array of record_size "slots". Slot 0, and as many further
// slots as the map needs, hold the header (ERSTStorageHeader, packed,
// little-endian):
//
//	off  size  field
//	0x00  8    magic           0x524F545354535245, the bytes "ERSTSTOR"
//	0x08  4    record_size     slot size: a power of two >= 4096
//	0x0C  4    storage_offset  byte offset of the first record slot
//	0x10  2    version         0x0100
//	0x12  2    reserved        0
//	0x14  4    record_count    records stored
//	0x18  8*N  map[N]          one record ID per slot, indexed by slot
//	                           number (header slots included); 0 = free
//
// N is storage_size/record_size, so a large store's map runs on into slot
// 1, 2, ... (make_erst_storage_header rounds header+map up to whole slots).
// A record occupies one slot: its CPER bytes, then 0xFF to the slot's end.
//
// QEMU's docs/specs/acpi_erst.rst calls the field at 0x0C "record_offset"
// and says it points at the map (0x18); the code stores the offset of
// record storage, and this package follows the code.
//
// There are two levels. Image is the raw byte image with the realize-time
// formatting and checks ([Format], [NewImage]); tests use it without files.
// Store is the live store the device works on, over an [Image] in memory
// ([New]) or a file mapped the way QEMU maps it ([Create], [Open]).
//
// A [Store] made by Create or Open holds a lock on the backing file until
// Close, and [Check] holds a shared one while it reads, so that every
// program using this package on one file (erst -store, erstvm, a test
// harness) takes turns instead of corrupting the map: a second opener
// waits up to [LockWait], then fails with [ErrLocked] naming the holder. QEMU
// takes no such lock; whoever runs QEMU on the file holds it for QEMU
// with [Lock]. Open never creates a file; Create does, and reserves its
// space so that a full disk is an error then rather than a fault later.
//
// A record is overwritten in place, as QEMU does: a process that dies
// mid-write can leave a torn record under its old id (see file.go and
// Check for what can and cannot be detected afterwards).
package store

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/goerst/erst/erst/cper"
)

// Backing file layout (hw/acpi/erst.c ERSTStorageHeader).
const (
	// Magic is ERST_STORE_MAGIC: the bytes "ERSTSTOR" read as a
	// little-endian u64.
	Magic uint64 = 0x524F545354535245
	// Version is the only header version QEMU accepts.
	Version uint16 = 0x0100
	// HeaderSize is sizeof(ERSTStorageHeader): the fixed fields before
	// map[].
	HeaderSize = 24
	// DefaultRecordSize is ERST_RECORD_SIZE, the default of the device's
	// record_size property: 8 KiB.
	DefaultRecordSize = 8192
	// DefaultSize is the store size of QEMU's docs/specs/acpi_erst.rst
	// example, 64 KiB: a header slot and 7 records of DefaultRecordSize.
	// erst -store and erstvm create stores of this size by default.
	DefaultSize = 64 << 10
	// MinRecordSize is the smallest record_size QEMU accepts (its
	// "PAGE_SIZE" check in check_erst_backend_storage).
	MinRecordSize = 4096
	// MaxSize is the largest storage size QEMU can represent: the
	// device keeps storage_size in a uint32.
	MaxSize = 1<<32 - 1
)

// The CPER fields QEMU looks at (hw/acpi/erst.c UEFI_CPER_RECORD_*) are
// package cper's: UEFI_CPER_RECORD_MIN_SIZE is cper.HeaderSize,
// UEFI_CPER_RECORD_LENGTH_OFFSET cper.OffRecordLength (u32 record_length)
// and UEFI_CPER_RECORD_ID_OFFSET cper.OffRecordID (u64 record_id). QEMU
// checks nothing else, not even the signature.

// Record identifiers with special meaning (hw/acpi/erst.c).
const (
	// UnspecifiedID (ERST_UNSPECIFIED_RECORD_ID) marks a free map entry;
	// on read it means "the first record".
	UnspecifiedID uint64 = 0
	// EmptyEndID (ERST_EMPTY_END_RECORD_ID) is "no record" / end of
	// iteration.
	EmptyEndID uint64 = ^uint64(0)
)

// validID is ERST_IS_VALID_RECORD_ID.
func validID(id uint64) bool { return id != UnspecifiedID && id != EmptyEndID }

// Header field offsets.
const (
	offMagic         = 0x00
	offRecordSize    = 0x08
	offStorageOffset = 0x0C
	offVersion       = 0x10
	offReserved      = 0x12
	offRecordCount   = 0x14
	offMap           = 0x18
)

// MapOffset is the byte offset in the file of map[slot], the record ID of
// slot number slot.
func MapOffset(slot int) int { return offMap + 8*slot }

// Errors. They are wrapped with detail; test with errors.Is.
var (
	// ErrRecordSize: record_size is not a power of two >= 4096. QEMU:
	// "ERST record_size %u is invalid".
	ErrRecordSize = errors.New("invalid ERST record size")
	// ErrHeader: bad magic, version or reserved field, or a
	// storage_offset that is not a whole number of slots. QEMU: "ERST
	// backend storage header is invalid".
	ErrHeader = errors.New("invalid ERST backend storage header")
	// ErrStorageSize: the storage is not a whole number of slots, or is
	// smaller than one slot. QEMU: "ACPI ERST requires storage size be
	// multiple of record size".
	ErrStorageSize = errors.New("ERST storage size is not a multiple of the record size")
	// ErrSize: the storage size is out of range (zero, 4 GiB or more), or
	// an existing file is smaller than the requested size (QEMU
	// qemu_ram_alloc_from_fd: "backing store size ... does not match
	// 'size' option").
	ErrSize = errors.New("bad ERST storage size")
	// ErrUnformatted: Open or New found magic 0, a store QEMU would
	// format on start; use Create or Format.
	ErrUnformatted = errors.New("ERST backing store is not formatted")

	// ErrBadRecord: the CPER record_length is below 128 or beyond the
	// buffer or slot (write), or a stored record's length is (read).
	// The device reports FAILED.
	ErrBadRecord = errors.New("bad CPER record length")
	// ErrInvalidID: record ID 0 or ~0 where a real ID is needed. The
	// device reports FAILED.
	ErrInvalidID = errors.New("invalid record identifier")
	// ErrFull: no free slot for a new ID. The device reports
	// NOT_ENOUGH_SPACE.
	ErrFull = errors.New("no free record slot")
	// ErrNotFound: no slot holds the ID. The device reports
	// RECORD_NOT_FOUND.
	ErrNotFound = errors.New("record not found")
	// ErrTorn: a WriteOptions.Tear fault cut the write short.
	ErrTorn = errors.New("write torn by simulated power loss")
	// ErrNotStore: the file is not an ERST backing store at all: not a
	// regular file, empty, or with a magic other than "ERSTSTOR" (or 0,
	// which is ErrUnformatted).
	ErrNotStore = errors.New("not an ERST store")
	// ErrIO: the backing file could not be read or written: no space to
	// reserve it, a fault on its mapping, a failed write-through. The
	// device reports FAILED.
	ErrIO = errors.New("ERST backing file I/O error")
	// ErrClosed: the Store was closed.
	ErrClosed = errors.New("store closed")
)

// Header is the fixed part of ERSTStorageHeader.
type Header struct {
	Magic         uint64
	RecordSize    uint32
	StorageOffset uint32 // byte offset of the first record slot
	Version       uint16
	Reserved      uint16
	RecordCount   uint32
}

// DecodeHeader reads the 24-byte header at the start of b.
func DecodeHeader(b []byte) (Header, error) {
	if len(b) < HeaderSize {
		return Header{}, fmt.Errorf("%w: %d bytes, the header needs %d", ErrStorageSize, len(b), HeaderSize)
	}
	le := binary.LittleEndian
	return Header{
		Magic:         le.Uint64(b[offMagic:]),
		RecordSize:    le.Uint32(b[offRecordSize:]),
		StorageOffset: le.Uint32(b[offStorageOffset:]),
		Version:       le.Uint16(b[offVersion:]),
		Reserved:      le.Uint16(b[offReserved:]),
		RecordCount:   le.Uint32(b[offRecordCount:]),
	}, nil
}

// putFormatted writes the fields make_erst_storage_header writes: magic,
// record_size, version, reserved and storage_offset. It leaves
// record_count and the map alone, as QEMU does (it relies on a new
// backend being zero-filled).
func (h *Header) putFormatted(b []byte) {
	le := binary.LittleEndian
	le.PutUint64(b[offMagic:], h.Magic)
	le.PutUint32(b[offRecordSize:], h.RecordSize)
	le.PutUint16(b[offVersion:], h.Version)
	le.PutUint16(b[offReserved:], h.Reserved)
	le.PutUint32(b[offStorageOffset:], h.StorageOffset)
}

// StorageOffsetFor is the storage_offset make_erst_storage_header writes
// for a store of size bytes: the 24-byte header plus one u64 per slot,
// rounded up to whole slots. For example 64 KiB of 8 KiB slots gives 8192
// (one header slot, 7 record slots); 16 MiB of 4 KiB slots gives 36864
// (9 header slots).
func StorageOffsetFor(size, recordSize uint32) uint32 {
	mapsz := size / recordSize * 8
	headersz := HeaderSize + mapsz
	return (headersz + recordSize - 1) / recordSize * recordSize // QEMU_ALIGN_UP
}

// CheckRecordSize checks a record_size property as QEMU's realize does
// (check_erst_backend_storage): a power of two of at least [MinRecordSize].
// It fails with [ErrRecordSize].
func CheckRecordSize(recordSize uint64) error {
	if recordSize < MinRecordSize || recordSize&(recordSize-1) != 0 || recordSize > MaxSize {
		return fmt.Errorf("%w: %d (QEMU wants a power of two >= %d)", ErrRecordSize, recordSize, MinRecordSize)
	}
	return nil
}

// CheckGeometry checks the size and record size of a store QEMU is to
// create, before it runs: CheckRecordSize; a size below 4 GiB ([ErrSize],
// QEMU keeps storage_size in a uint32) that is a whole number of records
// ([ErrStorageSize]); and room for at least one record after the header
// slots (ErrSize), without which QEMU starts a device that can store
// nothing.
func CheckGeometry(size, recordSize uint64) error {
	if err := CheckRecordSize(recordSize); err != nil {
		return err
	}
	switch {
	case size == 0 || size > MaxSize:
		return fmt.Errorf("%w: %d bytes (QEMU's acpi-erst wants 1 byte to 4 GiB - 1)", ErrSize, size)
	case size%recordSize != 0:
		return fmt.Errorf("%w: %d bytes, record size %d", ErrStorageSize, size, recordSize)
	case size <= uint64(StorageOffsetFor(uint32(size), uint32(recordSize))):
		return fmt.Errorf("%w: %d bytes leave no room for a record of %d after the header", ErrSize, size, recordSize)
	}
	return nil
}

// realize is check_erst_backend_storage, run against a copy of the header
// so that a failure changes nothing. With format set, a header whose magic
// is 0 is first filled in as make_erst_storage_header does, from size and
// recordSize (the device's record_size property); otherwise magic 0 is
// ErrUnformatted. Then, in QEMU's order: record_size valid, header valid,
// size a whole number of slots and at least one. It reports whether it
// formatted.
//
// Two differences from QEMU, both on paths where QEMU fails anyway: QEMU
// writes the new header into the backend before it checks record_size (so
// a bad record_size property leaves a formatted-but-rejected file behind);
// here nothing is written unless every check passes. And record_size 0
// makes QEMU divide by zero; here it is ErrRecordSize.
func realize(h Header, size uint64, recordSize uint32, format bool) (Header, bool, error) {
	if size == 0 || size > MaxSize {
		return h, false, fmt.Errorf("%w: %d bytes (QEMU keeps storage_size in a uint32)", ErrSize, size)
	}
	formatted := false
	if h.Magic == 0 {
		if !format {
			return h, false, ErrUnformatted
		}
		if recordSize == 0 {
			return h, false, fmt.Errorf("%w: 0", ErrRecordSize)
		}
		h.Magic = Magic
		h.RecordSize = recordSize
		h.Version = Version
		h.Reserved = 0
		h.StorageOffset = StorageOffsetFor(uint32(size), recordSize)
		formatted = true
	}
	rs := h.RecordSize
	if !(rs != 0 && rs >= cper.HeaderSize && rs&(rs-1) == 0 && rs >= MinRecordSize) {
		return h, false, fmt.Errorf("%w: %d (want a power of two >= %d)", ErrRecordSize, rs, MinRecordSize)
	}
	if !(h.Magic == Magic && h.StorageOffset%rs == 0 && h.Version == Version && h.Reserved == 0) {
		return h, false, fmt.Errorf("%w: magic %#x, storage_offset %#x, version %#x, reserved %#x",
			ErrHeader, h.Magic, h.StorageOffset, h.Version, h.Reserved)
	}
	if size%uint64(rs) != 0 || uint64(rs) > size {
		return h, false, fmt.Errorf("%w: %d bytes, record size %d", ErrStorageSize, size, rs)
	}
	return h, formatted, nil
}

// Image is the raw bytes of a backing store: the whole file.
type Image []byte

// Header decodes the image's header.
func (im Image) Header() (Header, error) { return DecodeHeader(im) }

// Format prepares im the way QEMU's realize (check_erst_backend_storage)
// prepares a backend: if the magic is 0 it writes a header for
// recordSize; then it checks the header against len(im). A store that is
// already formatted keeps its own record_size; recordSize then does not
// matter. On error im is unchanged.
func Format(im Image, recordSize uint32) error {
	h, err := DecodeHeader(im)
	if err != nil {
		return err
	}
	nh, formatted, err := realize(h, uint64(len(im)), recordSize, true)
	if err != nil {
		return err
	}
	if formatted {
		nh.putFormatted(im)
	}
	return nil
}

// NewImage returns a zero-filled image of size bytes formatted for
// recordSize, as QEMU leaves a new backing file.
func NewImage(size int, recordSize uint32) (Image, error) {
	if size <= 0 || uint64(size) > MaxSize {
		return nil, fmt.Errorf("%w: %d bytes", ErrSize, size)
	}
	im := make(Image, size)
	if err := Format(im, recordSize); err != nil {
		return nil, err
	}
	return im, nil
}
