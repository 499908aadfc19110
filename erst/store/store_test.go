package store_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/goerst/erst/erst/store"
	"github.com/goerst/erst/erst/store/storetest"
)

const (
	kib = 1024
	mib = 1024 * kib
)

func mustImage(t *testing.T, size int, rs uint32) store.Image {
	t.Helper()
	im, err := store.NewImage(size, rs)
	if err != nil {
		t.Fatalf("NewImage(%d, %d): %v", size, rs, err)
	}
	return im
}

func mustStore(t *testing.T, im store.Image) *store.Store {
	t.Helper()
	s, err := store.New(im)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

func checkBytes(t *testing.T, what string, got, want []byte) {
	t.Helper()
	if d := storetest.Diff(got, want); d != "" {
		t.Fatalf("%s: %s", what, d)
	}
}

func TestStorageOffsetFor(t *testing.T) {
	for _, tc := range []struct {
		size, rs, want uint32
	}{
		{64 * kib, 8 * kib, 8 * kib},       // QEMU's documented default: 1 header slot, 7 records
		{4 * kib, 4 * kib, 4 * kib},        // one slot, all header: capacity 0
		{1021 * 8 * kib, 8 * kib, 8 * kib}, // 24 + 1021*8 = 8192: slot 0 holds exactly 1021 entries
		{1022 * 8 * kib, 8 * kib, 16 * kib},
		{8 * mib, 8 * kib, 16 * kib},     // acpi_erst.rst: "records can be stored starting at slot 2"
		{16 * mib, 4 * kib, 9 * 4 * kib}, // 24 + 4096*8 = 32792 -> 9 slots
		{64 * kib, 64 * kib, 64 * kib},   // a single 64 KiB slot
	} {
		if got := store.StorageOffsetFor(tc.size, tc.rs); got != tc.want {
			t.Errorf("StorageOffsetFor(%#x, %#x) = %#x, want %#x", tc.size, tc.rs, got, tc.want)
		}
	}
}

func TestFormatZeroImage(t *testing.T) {
	im := make(store.Image, 64*kib)
	if err := store.Format(im, 8192); err != nil {
		t.Fatal(err)
	}
	want := []byte{
		'E', 'R', 'S', 'T', 'S', 'T', 'O', 'R', // magic 0x524F545354535245
		0x00, 0x20, 0x00, 0x00, // record_size 8192
		0x00, 0x20, 0x00, 0x00, // storage_offset 8192: slot 1
		0x00, 0x01, // version 0x0100
		0x00, 0x00, // reserved
		0x00, 0x00, 0x00, 0x00, // record_count 0
	}
	want = append(want, make([]byte, 64*kib-len(want))...) // map and slots: zero
	checkBytes(t, "formatted image", im, want)

	s := mustStore(t, im)
	if s.RecordSize() != 8192 || s.FirstSlot() != 1 || s.Slots() != 8 || s.Capacity() != 7 || s.Count() != 0 || s.Size() != 64*kib {
		t.Errorf("geometry: record size %d, first %d, slots %d, capacity %d, count %d, size %d; want 8192 1 8 7 0 65536",
			s.RecordSize(), s.FirstSlot(), s.Slots(), s.Capacity(), s.Count(), s.Size())
	}
}

// QEMU formats when the magic is 0 and writes only magic, record_size,
// version, reserved and storage_offset (make_erst_storage_header).
func TestFormatWritesOnlyHeaderFields(t *testing.T) {
	im := make(store.Image, 64*kib)
	binary.LittleEndian.PutUint32(im[0x14:], 2)                    // record_count left over
	binary.LittleEndian.PutUint64(im[store.MapOffset(3):], 0x1234) // a map entry left over
	im[5*8*kib] = 0xAB                                             // slot 5 data
	if err := store.Format(im, 8192); err != nil {
		t.Fatal(err)
	}
	want := storetest.NewGolden(64*kib, 8*kib).Header(8192, 8192, 2).Map(3, 0x1234)
	want.B[5*8*kib] = 0xAB
	checkBytes(t, "re-formatted image", im, want.B)
}

func TestExistingHeaderWins(t *testing.T) {
	im := mustImage(t, 64*kib, 4096)
	before := bytes.Clone(im)
	if err := store.Format(im, 8192); err != nil {
		t.Fatal(err)
	}
	checkBytes(t, "image", im, before)
	if s := mustStore(t, im); s.RecordSize() != 4096 || s.FirstSlot() != 1 || s.Capacity() != 15 {
		t.Errorf("record size %d first %d capacity %d, want 4096 1 15", s.RecordSize(), s.FirstSlot(), s.Capacity())
	}
}

func TestFormatErrors(t *testing.T) {
	// header returns a 64 KiB image whose header fields are set by f.
	header := func(f func(b []byte)) store.Image {
		im := storetest.NewGolden(64*kib, 8*kib).Header(8192, 8192, 0).B
		f(im)
		return im
	}
	le := binary.LittleEndian
	for _, tc := range []struct {
		name string
		im   store.Image
		rs   uint32
		want error
	}{
		{"zero record size", make(store.Image, 64*kib), 0, store.ErrRecordSize},
		{"record size 2048", make(store.Image, 64*kib), 2048, store.ErrRecordSize},
		{"record size 128", make(store.Image, 64*kib), 128, store.ErrRecordSize},
		{"record size not a power of two", make(store.Image, 64*kib), 12288, store.ErrRecordSize},
		{"size not a multiple", make(store.Image, 12*kib), 8192, store.ErrStorageSize},
		{"size below one slot", make(store.Image, 4*kib), 8192, store.ErrStorageSize},
		{"too short for a header", make(store.Image, 16), 8192, store.ErrStorageSize},
		{"bad magic", header(func(b []byte) { b[0] = 'X' }), 8192, store.ErrHeader},
		{"bad version", header(func(b []byte) { le.PutUint16(b[0x10:], 0x0101) }), 8192, store.ErrHeader},
		{"bad reserved", header(func(b []byte) { le.PutUint16(b[0x12:], 1) }), 8192, store.ErrHeader},
		{"storage_offset not whole slots", header(func(b []byte) { le.PutUint32(b[0x0C:], 0x18) }), 8192, store.ErrHeader},
		{"stored record size invalid", header(func(b []byte) { le.PutUint32(b[0x08:], 1000) }), 8192, store.ErrRecordSize},
		// QEMU checks record_size before the rest of the header.
		{"record size checked first", header(func(b []byte) { le.PutUint32(b[0x08:], 1000); le.PutUint16(b[0x10:], 7) }), 8192, store.ErrRecordSize},
		// An existing header's record size is checked against the size.
		{"stored record size beyond size", header(func(b []byte) {
			le.PutUint32(b[0x08:], 128*kib)
			le.PutUint32(b[0x0C:], 128*kib)
		}), 8192, store.ErrStorageSize},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := bytes.Clone(tc.im)
			err := store.Format(tc.im, tc.rs)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Format: %v, want %v", err, tc.want)
			}
			checkBytes(t, "image after failed Format", tc.im, before)
		})
	}
	// QEMU accepts what its checks accept, however odd: storage_offset 0
	// (slot 0 would be a record slot) and storage_offset past the end.
	for _, off := range []uint32{0, 1 << 20} {
		im := header(func(b []byte) { le.PutUint32(b[0x0C:], off) })
		if err := store.Format(im, 8192); err != nil {
			t.Errorf("storage_offset %#x: %v, want QEMU's acceptance", off, err)
		}
	}
	if _, err := store.New(make(store.Image, 64*kib)); !errors.Is(err, store.ErrUnformatted) {
		t.Errorf("New(zero image) = %v, want ErrUnformatted", err)
	}
	if _, err := store.NewImage(0, 8192); !errors.Is(err, store.ErrSize) {
		t.Errorf("NewImage(0) = %v, want ErrSize", err)
	}
}

// TestWriteClearGolden checks the whole image after each step against
// bytes built field by field.
func TestWriteClearGolden(t *testing.T) {
	im := mustImage(t, 64*kib, 8192)
	s := mustStore(t, im)
	want := storetest.NewGolden(64*kib, 8*kib).Header(8192, 8192, 0)
	checkBytes(t, "fresh", im, want.B)

	a := storetest.CPER(0x1111, 300, 0xA1)
	if slot, err := s.Write(a); err != nil || slot != 1 {
		t.Fatalf("Write(a) = %d, %v; want slot 1", slot, err)
	}
	want.Count(1).Map(1, 0x1111).Slot(1, a)
	checkBytes(t, "after write a", im, want.B)

	b := storetest.CPER(0x2222, 8192, 0xB2) // a record filling the slot: no padding
	if slot, err := s.Write(b); err != nil || slot != 2 {
		t.Fatalf("Write(b) = %d, %v; want slot 2", slot, err)
	}
	want.Count(2).Map(2, 0x2222).Slot(2, b)
	checkBytes(t, "after write b", im, want.B)

	a2 := storetest.CPER(0x1111, 200, 0xA2) // overwrite in place, shorter
	if slot, err := s.Write(a2); err != nil || slot != 1 {
		t.Fatalf("Write(a2) = %d, %v; want slot 1", slot, err)
	}
	want.Slot(1, a2) // count stays 2
	checkBytes(t, "after overwrite a", im, want.B)

	if err := s.Clear(0x1111); err != nil {
		t.Fatal(err)
	}
	want.Count(1).Map(1, 0) // the slot's bytes stay
	checkBytes(t, "after clear a", im, want.B)

	c := storetest.CPER(0x3333, 128, 0)
	if slot, err := s.Write(c); err != nil || slot != 1 {
		t.Fatalf("Write(c) = %d, %v; want the freed slot 1", slot, err)
	}
	want.Count(2).Map(1, 0x3333).Slot(1, c)
	checkBytes(t, "after write c", im, want.B)

	if got := s.IDs(); !equalIDs(got, []uint64{0x3333, 0x2222}) {
		t.Errorf("IDs = %#x, want slot order [0x3333 0x2222]", got)
	}
	if got, err := s.Get(0x2222); err != nil || !bytes.Equal(got, b) {
		t.Errorf("Get(0x2222): %d bytes, %v; want the 8192 bytes written", len(got), err)
	}
	if got, err := s.Get(0x3333); err != nil || len(got) != 128 || !bytes.Equal(got, c) {
		t.Errorf("Get(0x3333): %d bytes, %v; want exactly the 128-byte record", len(got), err)
	}
	if s.Lookup(0x2222) != 2 || s.Lookup(0x1111) != 0 || s.FirstFree() != 3 {
		t.Errorf("Lookup/FirstFree = %d %d %d, want 2 0 3", s.Lookup(0x2222), s.Lookup(0x1111), s.FirstFree())
	}
}

func equalIDs(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestWriteErrorsLeaveImageUnchanged(t *testing.T) {
	im := mustImage(t, 64*kib, 8192)
	s := mustStore(t, im)
	for i := range 7 {
		if _, err := s.Write(storetest.CPER(uint64(100+i), 256, byte(i))); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	tooLong := storetest.CPER(5, 8192, 0)
	for _, tc := range []struct {
		name string
		rec  []byte
		want error
	}{
		{"length 127", storetest.CPER(1, 127, 0), store.ErrBadRecord},
		{"length 0", storetest.CPER(1, 0, 0), store.ErrBadRecord},
		{"length beyond buffer", storetest.CPER(1, 300, 0)[:299], store.ErrBadRecord},
		{"length beyond slot", append(tooLong, 0), store.ErrBadRecord},
		{"short buffer", make([]byte, 10), store.ErrBadRecord},
		{"id 0", storetest.CPER(0, 128, 0), store.ErrInvalidID},
		{"id ~0", storetest.CPER(^uint64(0), 128, 0), store.ErrInvalidID},
		{"full", storetest.CPER(200, 128, 0), store.ErrFull},
	} {
		if tc.name == "length beyond slot" {
			binary.LittleEndian.PutUint32(tc.rec[20:], 8193)
		}
		before := bytes.Clone(im)
		if _, err := s.Write(tc.rec); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
		checkBytes(t, tc.name, im, before)
	}
	// A full store still overwrites.
	if slot, err := s.Write(storetest.CPER(103, 128, 0xEE)); err != nil || slot != 4 {
		t.Errorf("overwrite in a full store: slot %d, %v; want 4, nil", slot, err)
	}
	// NoFreeSlot makes a store with room look full.
	if err := s.Clear(106); err != nil {
		t.Fatal(err)
	}
	before := bytes.Clone(im)
	if _, err := s.WriteWith(storetest.CPER(300, 128, 0), store.WriteOptions{NoFreeSlot: true}); !errors.Is(err, store.ErrFull) {
		t.Errorf("NoFreeSlot: %v, want ErrFull", err)
	}
	checkBytes(t, "NoFreeSlot", im, before)
	for _, id := range []uint64{0, ^uint64(0)} {
		if err := s.Clear(id); !errors.Is(err, store.ErrInvalidID) {
			t.Errorf("Clear(%#x) = %v, want ErrInvalidID", id, err)
		}
		if _, err := s.Get(id); !errors.Is(err, store.ErrInvalidID) {
			t.Errorf("Get(%#x) = %v, want ErrInvalidID", id, err)
		}
	}
	if err := s.Clear(106); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Clear(missing) = %v, want ErrNotFound", err)
	}
	checkBytes(t, "failed clears", im, before)
}

// lookup_erst_record stops after record_count occupied entries; an entry
// of ~0 counts as occupied and is visited by the ID scan.
func TestLookupQuirks(t *testing.T) {
	im := mustImage(t, 64*kib, 8192)
	s := mustStore(t, im)
	le := binary.LittleEndian
	le.PutUint64(im[store.MapOffset(1):], 0xAA)
	le.PutUint64(im[store.MapOffset(3):], ^uint64(0))
	le.PutUint64(im[store.MapOffset(5):], 0xBB)
	le.PutUint32(im[0x14:], 2) // record_count says 2, the map has 3
	if got := s.Lookup(0xAA); got != 1 {
		t.Errorf("Lookup(0xAA) = %d, want 1", got)
	}
	if got := s.Lookup(0xBB); got != 0 {
		t.Errorf("Lookup(0xBB) = %d, want 0: the scan stops after record_count entries", got)
	}
	if got := s.IDs(); !equalIDs(got, []uint64{0xAA, ^uint64(0), 0xBB}) {
		t.Errorf("IDs = %#x", got)
	}
	if got := s.FirstFree(); got != 2 {
		t.Errorf("FirstFree = %d, want 2", got)
	}
	le.PutUint64(im[store.MapOffset(2):], 0xCC)
	if got := s.FirstFree(); got != 4 {
		t.Errorf("FirstFree = %d, want 4: ~0 in slot 3 is not free", got)
	}
	le.PutUint32(im[0x14:], 0)
	if got := s.IDs(); got != nil {
		t.Errorf("IDs with record_count 0 = %#x, want none", got)
	}
	if _, _, ok := s.Next(0); ok {
		t.Error("Next with record_count 0 found a record")
	}
}

// TestMapGrowth: 16 MiB of 4 KiB slots needs 9 header slots; map entries
// from slot 509 on live in slot 1, and so on.
func TestMapGrowth(t *testing.T) {
	im := mustImage(t, 16*mib, 4096)
	s := mustStore(t, im)
	want := storetest.NewGolden(16*mib, 4*kib).Header(4096, 9*4096, 0)
	checkBytes(t, "fresh 16 MiB store", im, want.B)
	if s.FirstSlot() != 9 || s.Slots() != 4096 || s.Capacity() != 4087 {
		t.Fatalf("first %d slots %d capacity %d, want 9 4096 4087", s.FirstSlot(), s.Slots(), s.Capacity())
	}
	const n = 520
	for i := range n {
		id := uint64(0x1000 + i)
		rec := storetest.CPER(id, 128+i, byte(i))
		slot, err := s.Write(rec)
		if err != nil || slot != 9+i {
			t.Fatalf("write %d: slot %d, %v; want %d", i, slot, err, 9+i)
		}
		want.Map(slot, id).Slot(slot, rec)
	}
	want.Count(n)
	checkBytes(t, "after 520 writes", im, want.B)
	// Slot 509's map entry is the first one in the second header slot.
	if off := store.MapOffset(509); off != 4096 {
		t.Fatalf("MapOffset(509) = %d, want 4096", off)
	}
	if got := binary.LittleEndian.Uint64(im[4096:]); got != 0x1000+500 {
		t.Errorf("map entry at 0x1000 = %#x, want the 501st record's ID %#x", got, 0x1000+500)
	}
	if got := s.Lookup(0x1000 + 519); got != 528 {
		t.Errorf("Lookup(last) = %d, want 528", got)
	}
}

func TestTear(t *testing.T) {
	im := mustImage(t, 64*kib, 8192)
	s := mustStore(t, im)
	a := storetest.CPER(0xA, 300, 0xAA)
	if _, err := s.Write(a); err != nil {
		t.Fatal(err)
	}
	want := storetest.NewGolden(64*kib, 8*kib).Header(8192, 8192, 1).Map(1, 0xA).Slot(1, a)

	// Cut after 200 bytes of a new record: slot 2 half written, header untouched.
	b := storetest.CPER(0xB, 400, 0xBB)
	slot, err := s.WriteWith(b, store.WriteOptions{Tear: &store.Tear{SlotBytes: 200}})
	if !errors.Is(err, store.ErrTorn) || slot != 2 {
		t.Fatalf("torn write: slot %d, %v; want 2, ErrTorn", slot, err)
	}
	copy(want.B[2*8192:], b[:200])
	checkBytes(t, "torn in the record", im, want.B)

	// Cut after the whole slot and the count: count 2, map without the ID.
	slot, err = s.WriteWith(b, store.WriteOptions{Tear: &store.Tear{SlotBytes: 8192, CountUpdated: true}})
	if !errors.Is(err, store.ErrTorn) || slot != 2 {
		t.Fatalf("torn write: slot %d, %v; want 2, ErrTorn", slot, err)
	}
	want.Slot(2, b).Count(2)
	checkBytes(t, "torn before the map", im, want.B)
	if got := s.IDs(); !equalIDs(got, []uint64{0xA}) {
		t.Errorf("IDs = %#x, want only 0xA though record_count is %d", got, s.Count())
	}

	// A torn overwrite damages the existing record.
	a2 := storetest.CPER(0xA, 300, 0xA2)
	if _, err := s.WriteWith(a2, store.WriteOptions{Tear: &store.Tear{SlotBytes: 150}}); !errors.Is(err, store.ErrTorn) {
		t.Fatal(err)
	}
	copy(want.B[8192:], a2[:150])
	checkBytes(t, "torn overwrite", im, want.B)

	// A write failing its checks never reaches the cut.
	before := bytes.Clone(im)
	if _, err := s.WriteWith(storetest.CPER(0, 128, 0), store.WriteOptions{Tear: &store.Tear{SlotBytes: 100}}); !errors.Is(err, store.ErrInvalidID) {
		t.Errorf("invalid record with a tear: %v, want ErrInvalidID", err)
	}
	checkBytes(t, "failed torn write", im, before)
}

func TestReadInto(t *testing.T) {
	im := mustImage(t, 64*kib, 8192)
	s := mustStore(t, im)
	a := storetest.CPER(0xA, 1000, 0xAA)
	if _, err := s.Write(a); err != nil {
		t.Fatal(err)
	}
	dst := make([]byte, 999)
	if _, err := s.ReadInto(0xA, dst); !errors.Is(err, store.ErrBadRecord) {
		t.Errorf("ReadInto a short buffer: %v, want ErrBadRecord", err)
	}
	if !bytes.Equal(dst, make([]byte, 999)) {
		t.Error("failed ReadInto wrote to the buffer")
	}
	dst = make([]byte, 1000)
	if n, err := s.ReadInto(0xA, dst); n != 1000 || err != nil || !bytes.Equal(dst, a) {
		t.Errorf("ReadInto = %d, %v", n, err)
	}
	if _, err := s.ReadInto(0xB, dst); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ReadInto(missing) = %v, want ErrNotFound", err)
	}
	binary.LittleEndian.PutUint32(im[8192+20:], 127) // corrupt the stored length
	if _, err := s.Get(0xA); !errors.Is(err, store.ErrBadRecord) {
		t.Errorf("Get(corrupt length) = %v, want ErrBadRecord", err)
	}
}

func TestFileCreateOpen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "erst.backing")
	s, err := store.Create(path, 64*kib, 8192)
	if err != nil {
		t.Fatal(err)
	}
	want := storetest.NewGolden(64*kib, 8*kib).Header(8192, 8192, 0)
	checkFile(t, path, want.B)

	a := storetest.CPER(0x55, 500, 0x5A)
	if _, err := s.Write(a); err != nil {
		t.Fatal(err)
	}
	// MAP_SHARED: the write is in the file at once, without Sync.
	want.Count(1).Map(1, 0x55).Slot(1, a)
	checkFile(t, path, want.B)
	if err := s.Sync(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Write(a); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Write after Close = %v, want ErrClosed", err)
	}
	if !s.Closed() || s.Count() != 0 {
		t.Error("closed store still reports records")
	}

	// Reopen: Open, and Create with another record size (the file's wins).
	s, err = store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(0x55); err != nil || !bytes.Equal(got, a) {
		t.Errorf("Get after reopen: %v", err)
	}
	s.Close()
	s, err = store.Create(path, 64*kib, 4096)
	if err != nil {
		t.Fatal(err)
	}
	if s.RecordSize() != 8192 || !equalIDs(s.IDs(), []uint64{0x55}) {
		t.Errorf("Create over an existing store: record size %d, IDs %#x", s.RecordSize(), s.IDs())
	}
	s.Close()
	checkFile(t, path, want.B)
}

func checkFile(t *testing.T, path string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	checkBytes(t, path, got, want)
}

func TestFileCreateRules(t *testing.T) {
	dir := t.TempDir()

	// An existing empty file is extended and formatted.
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := store.Create(empty, 32*kib, 4096)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	checkFile(t, empty, storetest.NewGolden(32*kib, 4*kib).Header(4096, 4096, 0).B)

	// A longer file: only the first size bytes are the store; the rest
	// is untouched.
	long := filepath.Join(dir, "long")
	tail := bytes.Repeat([]byte{0x77}, 8*kib)
	if err := os.WriteFile(long, append(make([]byte, 64*kib), tail...), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err = store.Create(long, 64*kib, 8192)
	if err != nil {
		t.Fatal(err)
	}
	if s.Size() != 64*kib || s.Capacity() != 7 {
		t.Errorf("size %d capacity %d, want 65536 7", s.Size(), s.Capacity())
	}
	s.Close()
	checkFile(t, long, append(storetest.NewGolden(64*kib, 8*kib).Header(8192, 8192, 0).B, tail...))

	// Failures leave the file as it was, or absent.
	short := filepath.Join(dir, "short")
	shortBytes := bytes.Repeat([]byte{1}, 8*kib)
	if err := os.WriteFile(short, shortBytes, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Create(short, 64*kib, 8192); !errors.Is(err, store.ErrSize) {
		t.Errorf("Create over a shorter file: %v, want ErrSize", err)
	}
	checkFile(t, short, shortBytes)

	for _, tc := range []struct {
		name string
		size int64
		rs   uint32
		want error
	}{
		{"bad record size", 64 * kib, 2048, store.ErrRecordSize},
		{"size not a multiple", 12 * kib, 8192, store.ErrStorageSize},
		{"size 4 GiB", 1 << 32, 8192, store.ErrSize},
		{"size 0", 0, 8192, store.ErrSize},
	} {
		p := filepath.Join(dir, "new-"+tc.name)
		if _, err := store.Create(p, tc.size, tc.rs); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s: failed Create left a file behind (%v)", tc.name, err)
		}
	}

	// A zero file of the right size with a bad record size is left zero.
	zero := filepath.Join(dir, "zero")
	if err := os.WriteFile(zero, make([]byte, 64*kib), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Create(zero, 64*kib, 1000); !errors.Is(err, store.ErrRecordSize) {
		t.Errorf("Create(zero file, 1000): %v, want ErrRecordSize", err)
	}
	checkFile(t, zero, make([]byte, 64*kib))
	if _, err := store.Open(zero); !errors.Is(err, store.ErrUnformatted) {
		t.Errorf("Open(zero file): %v, want ErrUnformatted", err)
	}
	if _, err := store.Open(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open(missing): %v, want ErrNotExist", err)
	}
}
