package store_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goerst/erst/erst/cper"
	"github.com/goerst/erst/erst/store"
)

// validCPER is a well-formed CPER record of id with one section holding
// body.
func validCPER(t testing.TB, id uint64, body []byte) []byte {
	t.Helper()
	b := cper.Builder{RecordID: id, NoTimestamp: true, Sections: []cper.SectionSpec{{Body: body}}}
	rec, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// checkStore makes a 64 KiB store of 8 KiB slots holding records 0xA (slot
// 1), 0xB (slot 2) and 0xC (slot 3).
func checkStore(t *testing.T) (store.Image, map[uint64][]byte) {
	t.Helper()
	im := mustImage(t, 64*kib, 8192)
	s := mustStore(t, im)
	recs := map[uint64][]byte{}
	for _, id := range []uint64{0xA, 0xB, 0xC} {
		recs[id] = validCPER(t, id, bytes.Repeat([]byte{byte(id)}, 100*int(id)))
		if _, err := s.Write(recs[id]); err != nil {
			t.Fatal(err)
		}
	}
	return im, recs
}

func codes(fs []store.Finding) string {
	var c []string
	for _, f := range fs {
		c = append(c, f.Code)
	}
	return strings.Join(c, ",")
}

func TestCheckFindings(t *testing.T) {
	le := binary.LittleEndian
	slot := func(i int) int { return i * 8192 }
	for _, tc := range []struct {
		name  string
		spoil func(im store.Image)
		want  string // codes in order
	}{
		{"clean", func(store.Image) {}, ""},
		{"count too high", func(im store.Image) { le.PutUint32(im[0x14:], 5) }, "count-mismatch"},
		{"count too low", func(im store.Image) { le.PutUint32(im[0x14:], 1) }, "count-mismatch"},
		{"~0 in the map", func(im store.Image) { le.PutUint64(im[store.MapOffset(2):], ^uint64(0)) }, "map-invalid-id,record-id-mismatch"},
		{"duplicate id", func(im store.Image) {
			le.PutUint64(im[store.MapOffset(3):], 0xB)
			copy(im[slot(3):], im[slot(2):slot(3)])
		}, "map-duplicate-id"},
		{"id on a header slot", func(im store.Image) { le.PutUint64(im[store.MapOffset(0):], 0x77) }, "map-header-slot"},
		{"map id differs from the record's", func(im store.Image) { le.PutUint64(im[slot(1)+cper.OffRecordID:], 0x99) }, "record-id-mismatch"},
		{"length below a header", func(im store.Image) { le.PutUint32(im[slot(2)+cper.OffRecordLength:], 64) }, "record-length"},
		{"length beyond the slot", func(im store.Image) { le.PutUint32(im[slot(2)+cper.OffRecordLength:], 9000) }, "record-length"},
		{"not CPER", func(im store.Image) { copy(im[slot(3):], "JUNK") }, "record-cper"},
		{"version", func(im store.Image) { le.PutUint16(im[0x10:], 0x0200) }, "header-version"},
		{"storage offset inside the map", func(im store.Image) { le.PutUint32(im[0x0C:], 0) }, "header-storage-offset"},
		{"storage offset past the file", func(im store.Image) { le.PutUint32(im[0x0C:], 64*kib) }, "header-storage-offset"},
		{"record size", func(im store.Image) { le.PutUint32(im[0x08:], 1000) }, "header-record-size"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			im, _ := checkStore(t)
			tc.spoil(im)
			before := bytes.Clone(im)
			got := store.CheckImage(im)
			if codes(got) != tc.want {
				t.Errorf("findings %q, want %q: %v", codes(got), tc.want, got)
			}
			if !bytes.Equal(im, before) {
				t.Error("CheckImage changed the image")
			}
		})
	}
}

// Check on a file: read-only, under a shared lock, ErrNotStore for what is
// not a store.
func TestCheckFile(t *testing.T) {
	dir := t.TempDir()
	im, _ := checkStore(t)
	binary.LittleEndian.PutUint32(im[0x14:], 7)
	path := filepath.Join(dir, "s.img")
	if err := os.WriteFile(path, im, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := store.Check(path)
	if err != nil || codes(got) != "count-mismatch" {
		t.Errorf("Check: %v, %v; want one count-mismatch", got, err)
	}
	if b, _ := os.ReadFile(path); !bytes.Equal(b, im) {
		t.Error("Check changed the file")
	}
	junk := filepath.Join(dir, "junk")
	os.WriteFile(junk, bytes.Repeat([]byte("junk"), 8192), 0o644)
	if _, err := store.Check(junk); !errors.Is(err, store.ErrNotStore) {
		t.Errorf("Check of junk: %v, want ErrNotStore", err)
	}
}

// What fsck can and cannot see of an overwrite torn mid-write (QEMU
// overwrites in place): a tear that leaves the new header over the old
// body breaks the record's layout and is found; a tear inside the body of
// a record with the same layout leaves well-formed CPER under the id, old
// bytes after new, and nothing can tell.
func TestCheckSeesTearsThatBreakTheFormat(t *testing.T) {
	im := mustImage(t, 64*kib, 8192)
	s := mustStore(t, im)
	old := validCPER(t, 0xA, bytes.Repeat([]byte{'o'}, 900))
	if _, err := s.Write(old); err != nil {
		t.Fatal(err)
	}
	// The new record is shorter: its header says 300-odd bytes, while the
	// old section descriptor (not yet overwritten) points beyond them.
	short := validCPER(t, 0xA, bytes.Repeat([]byte{'n'}, 100))
	if _, err := s.WriteWith(short, store.WriteOptions{Tear: &store.Tear{SlotBytes: cper.HeaderSize}}); !errors.Is(err, store.ErrTorn) {
		t.Fatal(err)
	}
	if got := store.CheckImage(im); codes(got) != "record-cper" {
		t.Errorf("header-only tear: findings %v, want record-cper", got)
	}

	// Same layout, new body: torn halfway through the body.
	im2 := mustImage(t, 64*kib, 8192)
	s2 := mustStore(t, im2)
	if _, err := s2.Write(old); err != nil {
		t.Fatal(err)
	}
	same := validCPER(t, 0xA, bytes.Repeat([]byte{'n'}, 900))
	if _, err := s2.WriteWith(same, store.WriteOptions{Tear: &store.Tear{SlotBytes: len(same) / 2}}); !errors.Is(err, store.ErrTorn) {
		t.Fatal(err)
	}
	if got := store.CheckImage(im2); len(got) != 0 {
		t.Errorf("body tear: findings %v; fsck cannot see these and should not pretend to", got)
	}
	if rec, _ := s2.Get(0xA); bytes.Equal(rec, old) || bytes.Equal(rec, same) {
		t.Error("the torn record is neither mixed: the test does not tear what it says")
	}
}
