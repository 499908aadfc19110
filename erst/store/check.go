package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/goerst/erst/erst/cper"
)

// Finding is one inconsistency [Check] found in a backing store.
type Finding struct {
	// Code names the kind of finding; codes are stable (see Check).
	Code string
	// Slot is the slot concerned (QEMU's map index), or -1 for the
	// header as a whole.
	Slot int
	// ID is the record ID concerned, or 0.
	ID uint64
	// Detail says what was found, for a person.
	Detail string
}

// String is the finding in one line: "code slot N id 0x..: detail".
func (f Finding) String() string {
	var b bytes.Buffer
	b.WriteString(f.Code)
	if f.Slot >= 0 {
		fmt.Fprintf(&b, " slot %d", f.Slot)
	}
	if f.ID != 0 {
		fmt.Fprintf(&b, " id %#x", f.ID)
	}
	b.WriteString(": ")
	b.WriteString(f.Detail)
	return b.String()
}

// Finding codes. A store with none of them is one QEMU's device serves
// as its guest expects.
const (
	// Header (check_erst_backend_storage; a QEMU that finds these
	// refuses to start).
	FindRecordSize    = "header-record-size"    // record_size not a power of two >= 4096
	FindVersion       = "header-version"        // version not 0x0100, or reserved not 0
	FindStorageSize   = "header-storage-size"   // the file is not a whole number of slots
	FindStorageOffset = "header-storage-offset" // storage_offset not a slot boundary, past the file, or inside the map
	// Map.
	FindCount       = "count-mismatch"   // record_count differs from the occupied map entries
	FindHeaderSlot  = "map-header-slot"  // an ID on a header slot's map entry (never used by QEMU)
	FindInvalidID   = "map-invalid-id"   // ~0 in the map (read as "end" by a guest)
	FindDuplicateID = "map-duplicate-id" // one ID in two map entries: the later one is unreachable
	// Records (one per occupied slot).
	FindIDMismatch = "record-id-mismatch" // the record header's ID differs from the map's
	FindLength     = "record-length"      // record_length below 128 or beyond the slot
	FindCPER       = "record-cper"        // the record is not valid CPER
)

// Check reads the backing file at path, holding a shared lock (so never
// while a [Store] is open on it), and returns what [CheckImage] finds. The
// error is for a file it cannot check at all: missing, not a regular
// file, not a store ([ErrNotStore]: bad magic, empty), [ErrUnformatted],
// [ErrLocked], I/O. It never changes the file.
func Check(path string) ([]Finding, error) {
	if err := checkPath(path, false); err != nil {
		return nil, err
	}
	f, _, err := lockedOpen(path, os.O_RDONLY, true)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := fi.Size()
	switch {
	case !fi.Mode().IsRegular():
		return nil, fmt.Errorf("%s: %w: %s", path, ErrNotStore, describeMode(fi.Mode()))
	case size == 0:
		return nil, fmt.Errorf("%s: %w: empty file", path, ErrNotStore)
	case size < HeaderSize:
		return nil, fmt.Errorf("%s: %w: %d bytes, too short for the %d-byte header", path, ErrNotStore, size, HeaderSize)
	case size > MaxSize:
		return nil, fmt.Errorf("%s: %w: %d bytes (QEMU keeps storage_size in a uint32)", path, ErrSize, size)
	}
	fs, err := check(f, size)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return fs, nil
}

// CheckImage checks a whole backing store image and returns its findings
// in slot order, the header's first; none for a consistent store. It
// reports what [Check] reports and panics on nothing; an image that is not
// a store at all (bad magic, magic 0, shorter than the header) is a
// single finding of code "not-a-store".
func CheckImage(im Image) []Finding {
	if len(im) < HeaderSize {
		return []Finding{{Code: FindNotStore, Slot: -1, Detail: fmt.Sprintf("%d bytes, too short for the %d-byte header", len(im), HeaderSize)}}
	}
	fs, err := check(bytes.NewReader(im), int64(len(im)))
	if err != nil {
		return []Finding{{Code: FindNotStore, Slot: -1, Detail: err.Error()}}
	}
	return fs
}

// FindNotStore is [CheckImage]'s code for an image that is no store at all;
// [Check] returns an error instead.
const FindNotStore = "not-a-store"

// check checks the store of size bytes in r. Only an unreadable or
// unrecognisable store is an error.
func check(r io.ReaderAt, size int64) ([]Finding, error) {
	hb := make([]byte, HeaderSize)
	if _, err := r.ReadAt(hb, 0); err != nil {
		return nil, fmt.Errorf("%w: reading the header: %w", ErrIO, err)
	}
	h, _ := DecodeHeader(hb)
	switch {
	case h.Magic == 0:
		return nil, ErrUnformatted
	case h.Magic != Magic:
		return nil, fmt.Errorf("%w: bad magic %#016x (want %#016x, \"ERSTSTOR\")", ErrNotStore, h.Magic, Magic)
	}
	var out []Finding
	add := func(code string, slot int, id uint64, format string, args ...any) {
		out = append(out, Finding{Code: code, Slot: slot, ID: id, Detail: fmt.Sprintf(format, args...)})
	}
	rs := int64(h.RecordSize)
	if rs < MinRecordSize || rs&(rs-1) != 0 {
		add(FindRecordSize, -1, 0, "record_size %d is not a power of two >= %d: nothing else can be located", h.RecordSize, MinRecordSize)
		return out, nil
	}
	if h.Version != Version || h.Reserved != 0 {
		add(FindVersion, -1, 0, "version %#x, reserved %#x (want %#x, 0)", h.Version, h.Reserved, Version)
	}
	if size%rs != 0 || size < rs {
		add(FindStorageSize, -1, 0, "%d bytes is not a whole number (>= 1) of %d-byte slots", size, rs)
	}
	slots := size / rs
	mapEnd := int64(MapOffset(int(slots)))
	so := int64(h.StorageOffset)
	switch {
	case so%rs != 0:
		add(FindStorageOffset, -1, 0, "storage_offset %#x is not a multiple of record_size %d", so, rs)
		return out, nil
	case so >= size:
		add(FindStorageOffset, -1, 0, "storage_offset %#x is at or past the end of the %d-byte file: no record slots", so, size)
		return out, nil
	case so < mapEnd:
		add(FindStorageOffset, -1, 0, "storage_offset %#x is inside the map, which ends at %#x: record writes overwrite map entries", so, mapEnd)
	}
	first := int(so / rs)

	mb := make([]byte, mapEnd-offMap)
	if _, err := r.ReadAt(mb, offMap); err != nil {
		return nil, fmt.Errorf("%w: reading the map: %w", ErrIO, err)
	}
	entry := func(i int) uint64 { return binary.LittleEndian.Uint64(mb[8*i:]) }
	occupied := 0
	seen := make(map[uint64]int)
	for i := range int(slots) {
		id := entry(i)
		if id == UnspecifiedID {
			continue
		}
		if i < first {
			add(FindHeaderSlot, i, id, "map entry of header slot %d holds an id; QEMU never uses it", i)
			continue
		}
		occupied++
		if id == EmptyEndID {
			add(FindInvalidID, i, id, "map entry ~0: a guest enumerating ids takes it for the end of the list")
		} else if prev, dup := seen[id]; dup {
			add(FindDuplicateID, i, id, "also in slot %d: reads and clears of this id reach slot %d only", prev, prev)
		} else {
			seen[id] = i
		}
	}
	if int64(h.RecordCount) != int64(occupied) {
		detail := "record_count %d, but the map holds %d ids"
		if int64(h.RecordCount) < int64(occupied) {
			detail += ": lookups stop early and the last ids are invisible to the device"
		} else {
			detail += ": the device reports records that are not there"
		}
		add(FindCount, -1, 0, detail, h.RecordCount, occupied)
	}
	buf := make([]byte, rs)
	for i := first; i < int(slots); i++ {
		id := entry(i)
		if id == UnspecifiedID {
			continue
		}
		if _, err := r.ReadAt(buf, int64(i)*rs); err != nil {
			return nil, fmt.Errorf("%w: reading slot %d: %w", ErrIO, i, err)
		}
		length, _ := cper.RecordLength(buf)
		if rid, _ := cper.RecordID(buf); rid != id {
			add(FindIDMismatch, i, id, "the record in the slot says id %#x (a torn or misplaced write?)", rid)
		}
		if length < cper.HeaderSize || int64(length) > rs {
			add(FindLength, i, id, "record_length %d is not in %d..%d: reads of it fail", length, cper.HeaderSize, rs)
			continue
		}
		if err := cper.Validate(buf[:length]); err != nil {
			add(FindCPER, i, id, "not a valid CPER record: %v", err)
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Slot < out[b].Slot })
	return out, nil
}

// Check checks the open store as the package-level [Check] checks a file.
func (s *Store) Check() (out []Finding) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.catch(nil)
	defer guard()()
	if s.img == nil {
		return nil
	}
	fs, err := check(bytes.NewReader(s.img), int64(len(s.img)))
	if err != nil {
		return []Finding{{Code: FindNotStore, Slot: -1, Detail: err.Error()}}
	}
	return fs
}
