package batch

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/cper"
)

// record returns a valid one-section record with the given id and a text
// body of n bytes.
func record(t *testing.T, id uint64, n int) []byte {
	t.Helper()
	rec, err := cper.Single{ID: id, Type: cper.SectionTypeDmesg, Body: bytes.Repeat([]byte("x"), n)}.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// counting is input that never ends: head, then zeros. It counts the
// bytes read.
type counting struct {
	head []byte
	n    int
}

func (r *counting) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 0
		if r.n+i < len(r.head) {
			p[i] = r.head[r.n+i]
		}
	}
	r.n += len(p)
	return len(p), nil
}

// failing fails every read after its first n bytes.
type failing struct {
	r io.Reader
	n int
}

var errDisk = errors.New("input/output error")

func (f *failing) Read(p []byte) (int, error) {
	if f.n == 0 {
		return 0, errDisk
	}
	p = p[:min(len(p), f.n)]
	n, err := f.r.Read(p)
	f.n -= n
	return n, err
}

// Input returns the records in the order added, each exactly its bytes.
func TestInputRecords(t *testing.T) {
	a, b := record(t, 0xa, 10), record(t, 0xb, 300)
	var in Input
	if err := in.Add("a.bin", bytes.NewReader(a)); err != nil {
		t.Fatal(err)
	}
	if err := in.Add("b.bin", bytes.NewReader(b)); err != nil {
		t.Fatal(err)
	}
	recs, err := in.Records(8192)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].Name != "a.bin" || recs[0].ID != 0xa || !bytes.Equal(recs[0].Data, a) ||
		recs[1].Name != "b.bin" || recs[1].ID != 0xb || !bytes.Equal(recs[1].Data, b) {
		t.Errorf("Records = %+v, want a.bin then b.bin with their bytes", recs)
	}
}

// Add reads the header alone, and refuses what is not a record, a
// reserved id and an id the batch already has, naming the input.
func TestInputAddRefuses(t *testing.T) {
	rec := record(t, 0x42, 10)
	withID := func(id uint64) []byte {
		b := bytes.Clone(rec)
		binary.LittleEndian.PutUint64(b[cper.OffRecordID:], id)
		return b
	}
	for _, tc := range []struct {
		name string
		in   []byte
		is   []error
		want string
	}{
		{"zeros", nil, []error{erst.ErrBadRecord, cper.ErrSignatureStart}, `z: not a valid CPER record: cper: bad SignatureStart at offset 0x0: signature "\x00\x00\x00\x00", want "CPER"`},
		{"id 0", withID(0), []error{erst.ErrInvalidID}, "z: record id 0x0 is reserved (0 and ~0 cannot be stored): invalid record identifier"},
		{"id ~0", withID(erst.InvalidID), []error{erst.ErrInvalidID}, "z: record id 0xffffffffffffffff is reserved (0 and ~0 cannot be stored): invalid record identifier"},
	} {
		r := &counting{head: tc.in}
		var in Input
		err := in.Add("z", r)
		for _, s := range tc.is {
			if !errors.Is(err, s) {
				t.Errorf("%s: Add = %v, want it to match %v", tc.name, err, s)
			}
		}
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s: Add = %v, want %q", tc.name, err, tc.want)
		}
		if r.n != cper.HeaderSize {
			t.Errorf("%s: Add read %d bytes, want the %d-byte header only", tc.name, r.n, cper.HeaderSize)
		}
	}

	var in Input
	err := in.Add("short.bin", bytes.NewReader(rec[:100]))
	if want := "short.bin: not a valid CPER record: 100 bytes, shorter than the 128-byte header"; err == nil || err.Error() != want ||
		!errors.Is(err, erst.ErrBadRecord) || !errors.Is(err, cper.ErrTruncated) {
		t.Errorf("a short header: %v, want %q matching ErrBadRecord and ErrTruncated", err, want)
	}
	if err := in.Add("a.bin", bytes.NewReader(rec)); err != nil {
		t.Fatal(err)
	}
	err = in.Add("b.bin", bytes.NewReader(rec))
	if want := "b.bin: record id 0x42 is also the id of a.bin; one write stores each id once, nothing written"; err == nil || err.Error() != want || !errors.Is(err, ErrDuplicateID) {
		t.Errorf("a second record with id 0x42: %v, want %q matching ErrDuplicateID", err, want)
	}
	err = in.Add("bad.bin", &failing{r: bytes.NewReader(rec), n: 10})
	if re, ok := errors.AsType[*ReadError](err); !ok || re.Name != "bad.bin" || !errors.Is(err, errDisk) || err.Error() != "bad.bin: input/output error" {
		t.Errorf("a failing read: %v, want a *ReadError naming bad.bin", err)
	}
	if _, ok := errors.AsType[*ReadError](in.Add("x", bytes.NewReader(nil))); ok {
		t.Error("an empty input is a ReadError, want a refused record")
	}
}

// Records refuses, before reading any body, a RecordLength beyond the
// range; a body shorter than RecordLength, input that goes on after it
// (reading one byte more) and a record cper.Validate refuses.
func TestInputRecordsRefuses(t *testing.T) {
	good := record(t, 1, 10)
	huge := bytes.Clone(good[:cper.HeaderSize])
	binary.LittleEndian.PutUint32(huge[cper.OffRecordLength:], 1<<30)
	binary.LittleEndian.PutUint64(huge[cper.OffRecordID:], 2)
	var in Input
	r1, r2 := &counting{head: good}, &counting{head: huge}
	if err := in.Add("good", r1); err != nil {
		t.Fatal(err)
	}
	if err := in.Add("huge", r2); err != nil {
		t.Fatal(err)
	}
	_, err := in.Records(8192)
	if want := "huge: the record length field says 1073741824 bytes, more than the 8192-byte error log address range: invalid error record"; err == nil || err.Error() != want || !errors.Is(err, erst.ErrBadRecord) {
		t.Errorf("a 1 GiB record: %v, want %q", err, want)
	}
	if r1.n != cper.HeaderSize || r2.n != cper.HeaderSize {
		t.Errorf("read %d and %d bytes, want no body read before the lengths are checked", r1.n, r2.n)
	}

	badCount := bytes.Clone(good)
	binary.LittleEndian.PutUint16(badCount[cper.OffSectionCount:], 9)
	for _, tc := range []struct {
		name string
		in   io.Reader
		is   error
		want string
	}{
		{"short body", bytes.NewReader(good[:200]), cper.ErrRecordTruncated, "not a valid CPER record: the record length field says " + strconv.Itoa(len(good)) + " bytes, the input holds 200"},
		{"trailing", &counting{head: good}, cper.ErrTrailingBytes, "not a valid CPER record: the input goes on after the " + strconv.Itoa(len(good)) + " bytes its record length field says"},
		{"section count", bytes.NewReader(badCount), cper.ErrSectionCount, "not a valid CPER record: cper: RecordLength shorter than header and section descriptors"},
	} {
		var in Input
		if err := in.Add(tc.name, tc.in); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		recs, err := in.Records(8192)
		if recs != nil || !errors.Is(err, erst.ErrBadRecord) || !errors.Is(err, tc.is) || !strings.HasPrefix(err.Error(), tc.name+": "+tc.want) {
			t.Errorf("%s: Records = %v, want %q matching ErrBadRecord and %v", tc.name, err, tc.want, tc.is)
		}
		if c, ok := tc.in.(*counting); ok && c.n > len(good)+1 {
			t.Errorf("%s: read %d bytes, want at most one past the record's %d", tc.name, c.n, len(good))
		}
	}

	in = Input{}
	if err := in.Add("bad.bin", &failing{r: bytes.NewReader(good), n: cper.HeaderSize + 5}); err != nil {
		t.Fatal(err)
	}
	_, err = in.Records(8192)
	if _, ok := errors.AsType[*ReadError](err); !ok || !errors.Is(err, errDisk) || errors.Is(err, erst.ErrBadRecord) {
		t.Errorf("a body read failing: %v, want a *ReadError and no refused record", err)
	}
}
