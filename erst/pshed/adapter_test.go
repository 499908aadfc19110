package pshed_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/pshed"
	"github.com/goerst/erst/erst/pshed/pshedtest"
)

// fakeStore is a Store whose methods tests set one by one; an unset
// method fails the test.
type fakeStore struct {
	t          *testing.T
	write      func([]byte) error
	read       func(uint64) ([]byte, error)
	clear      func(uint64) error
	ids        func() ([]uint64, error)
	dummyWrite func() error
}

func (f *fakeStore) Write(r []byte) error {
	if f.write == nil {
		f.t.Fatalf("unexpected Write")
	}
	return f.write(r)
}

func (f *fakeStore) Read(id uint64) ([]byte, error) {
	if f.read == nil {
		f.t.Fatalf("unexpected Read(%#x)", id)
	}
	return f.read(id)
}

func (f *fakeStore) Clear(id uint64) error {
	if f.clear == nil {
		f.t.Fatalf("unexpected Clear(%#x)", id)
	}
	return f.clear(id)
}

func (f *fakeStore) IDs() ([]uint64, error) {
	if f.ids == nil {
		f.t.Fatalf("unexpected IDs")
	}
	return f.ids()
}

func (f *fakeStore) DummyWrite() error {
	if f.dummyWrite == nil {
		f.t.Fatalf("unexpected DummyWrite")
	}
	return f.dummyWrite()
}

// Each failure gives the documented code by default and FromError's code
// with WithDetailedStatus.
func TestAdapterStatusNarrowing(t *testing.T) {
	rec := pshedtest.NewRecord(256, 7)
	fail := func(err error) *fakeStore {
		return &fakeStore{
			t:          t,
			write:      func([]byte) error { return err },
			read:       func(uint64) ([]byte, error) { return nil, err },
			clear:      func(uint64) error { return err },
			dummyWrite: func() error { return err },
		}
	}
	wrapped := func(e error) error { return fmt.Errorf("erst: operation on 0x7: %w", e) }
	for _, tc := range []struct {
		name                        string
		err                         error
		write, read, clear          pshed.NTSTATUS // documented
		dWrite, dRead, dClear       pshed.NTSTATUS // detailed
		writeDummyDoc, writeDummyDt pshed.NTSTATUS
	}{
		{
			name:  "NotEnoughSpace",
			err:   wrapped(erst.ErrNotEnoughSpace),
			write: pshed.StatusUnsuccessful, read: pshed.StatusUnsuccessful, clear: pshed.StatusUnsuccessful,
			dWrite: pshed.StatusDiskFull, dRead: pshed.StatusDiskFull, dClear: pshed.StatusDiskFull,
			writeDummyDoc: pshed.StatusUnsuccessful, writeDummyDt: pshed.StatusDiskFull,
		},
		{
			name:  "RecordNotFound",
			err:   wrapped(erst.ErrRecordNotFound),
			write: pshed.StatusUnsuccessful, read: pshed.StatusObjectNotFound, clear: pshed.StatusUnsuccessful,
			dWrite: pshed.StatusObjectNotFound, dRead: pshed.StatusObjectNotFound, dClear: pshed.StatusObjectNotFound,
			writeDummyDoc: pshed.StatusUnsuccessful, writeDummyDt: pshed.StatusObjectNotFound,
		},
		{
			name:  "StoreEmpty",
			err:   wrapped(erst.ErrStoreEmpty),
			write: pshed.StatusUnsuccessful, read: pshed.StatusObjectNotFound, clear: pshed.StatusUnsuccessful,
			dWrite: pshed.StatusObjectNotFound, dRead: pshed.StatusObjectNotFound, dClear: pshed.StatusObjectNotFound,
			writeDummyDoc: pshed.StatusUnsuccessful, writeDummyDt: pshed.StatusObjectNotFound,
		},
		{
			name:  "Timeout",
			err:   wrapped(erst.ErrTimeout),
			write: pshed.StatusUnsuccessful, read: pshed.StatusUnsuccessful, clear: pshed.StatusUnsuccessful,
			dWrite: pshed.StatusIOTimeout, dRead: pshed.StatusIOTimeout, dClear: pshed.StatusIOTimeout,
			writeDummyDoc: pshed.StatusUnsuccessful, writeDummyDt: pshed.StatusIOTimeout,
		},
		{
			name:  "Busy",
			err:   wrapped(erst.ErrBusy),
			write: pshed.StatusUnsuccessful, read: pshed.StatusUnsuccessful, clear: pshed.StatusUnsuccessful,
			dWrite: pshed.StatusDeviceBusy, dRead: pshed.StatusDeviceBusy, dClear: pshed.StatusDeviceBusy,
			writeDummyDoc: pshed.StatusUnsuccessful, writeDummyDt: pshed.StatusDeviceBusy,
		},
		{
			name:  "MissingAction",
			err:   wrapped(erst.ErrMissingAction),
			write: pshed.StatusUnsuccessful, read: pshed.StatusUnsuccessful, clear: pshed.StatusUnsuccessful,
			dWrite: pshed.StatusNotSupported, dRead: pshed.StatusNotSupported, dClear: pshed.StatusNotSupported,
			// A table without BEGIN_DUMMY_WRITE_OPERATION: the dummy write still succeeds.
			writeDummyDoc: pshed.StatusSuccess, writeDummyDt: pshed.StatusSuccess,
		},
		{
			name:  "Unknown",
			err:   errors.New("bus fell off"),
			write: pshed.StatusUnsuccessful, read: pshed.StatusUnsuccessful, clear: pshed.StatusUnsuccessful,
			dWrite: pshed.StatusUnsuccessful, dRead: pshed.StatusUnsuccessful, dClear: pshed.StatusUnsuccessful,
			writeDummyDoc: pshed.StatusUnsuccessful, writeDummyDt: pshed.StatusUnsuccessful,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, mode := range []struct {
				name                      string
				opts                      []pshed.AdapterOption
				write, read, clear, dummy pshed.NTSTATUS
			}{
				{"Documented", nil, tc.write, tc.read, tc.clear, tc.writeDummyDoc},
				{"Detailed", []pshed.AdapterOption{pshed.WithDetailedStatus()}, tc.dWrite, tc.dRead, tc.dClear, tc.writeDummyDt},
			} {
				a := pshed.NewAdapter(fail(tc.err), mode.opts...)
				if st := a.WriteErrorRecord(0, rec); st != mode.write {
					t.Errorf("%s: WriteErrorRecord = %v, want %v", mode.name, st, mode.write)
				}
				if _, _, st := a.ReadErrorRecord(0, 7, make([]byte, 512)); st != mode.read {
					t.Errorf("%s: ReadErrorRecord = %v, want %v", mode.name, st, mode.read)
				}
				if st := a.ClearErrorRecord(0, 7); st != mode.clear {
					t.Errorf("%s: ClearErrorRecord = %v, want %v", mode.name, st, mode.clear)
				}
				if st := a.WriteErrorRecord(pshed.WriteFlagDummy, rec); st != mode.dummy {
					t.Errorf("%s: dummy WriteErrorRecord = %v, want %v", mode.name, st, mode.dummy)
				}
			}
		})
	}
}

// A full store, a record longer than the range, and a missing id, on the
// reference store.
func TestAdapterOverMemStore(t *testing.T) {
	const rangeLen = 1024
	for _, tc := range []struct {
		name     string
		detailed bool
		full     pshed.NTSTATUS
		tooLong  pshed.NTSTATUS
		clearGap pshed.NTSTATUS
		readGap  pshed.NTSTATUS
	}{
		{"Documented", false, pshed.StatusUnsuccessful, pshed.StatusUnsuccessful, pshed.StatusUnsuccessful, pshed.StatusObjectNotFound},
		{"Detailed", true, pshed.StatusDiskFull, pshed.StatusInvalidParameter, pshed.StatusObjectNotFound, pshed.StatusObjectNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var opts []pshed.AdapterOption
			if tc.detailed {
				opts = append(opts, pshed.WithDetailedStatus())
			}
			a := pshed.NewAdapter(pshed.NewMemStore(1, rangeLen), opts...)
			if st := a.WriteErrorRecord(0, pshedtest.NewRecord(rangeLen+1, 1)); st != tc.tooLong {
				t.Errorf("too long: WriteErrorRecord = %v, want %v", st, tc.tooLong)
			}
			if st := a.WriteErrorRecord(0, pshedtest.NewRecord(200, 1)); st != pshed.StatusSuccess {
				t.Fatalf("WriteErrorRecord = %v", st)
			}
			if st := a.WriteErrorRecord(0, pshedtest.NewRecord(200, 2)); st != tc.full {
				t.Errorf("full: WriteErrorRecord = %v, want %v", st, tc.full)
			}
			if st := a.ClearErrorRecord(0, 2); st != tc.clearGap {
				t.Errorf("missing id: ClearErrorRecord = %v, want %v", st, tc.clearGap)
			}
			if _, _, st := a.ReadErrorRecord(0, 2, make([]byte, rangeLen)); st != tc.readGap {
				t.Errorf("missing id: ReadErrorRecord = %v, want %v", st, tc.readGap)
			}
		})
	}
}

// The adapter refuses a record whose header length disagrees with the
// bytes given (the C RecordLength argument), before the store sees it.
func TestAdapterWriteChecksLength(t *testing.T) {
	s := &fakeStore{t: t} // any store call fails the test
	a := pshed.NewAdapter(s, pshed.WithDetailedStatus())
	rec := pshedtest.NewRecord(300, 9)
	for _, tc := range []struct {
		name string
		rec  []byte
	}{
		{"Nil", nil},
		{"ShorterThanHeader", rec[:127]},
		{"Truncated", rec[:299]},
		{"Extended", append(bytes.Clone(rec), 0)},
	} {
		if st := a.WriteErrorRecord(0, tc.rec); st != pshed.StatusInvalidParameter {
			t.Errorf("%s: WriteErrorRecord = %v, want %v", tc.name, st, pshed.StatusInvalidParameter)
		}
	}
}

func TestAdapterDummyWrite(t *testing.T) {
	m := pshed.NewMemStore(4, 1024)
	a := pshed.NewAdapter(m)
	for i, rec := range [][]byte{pshedtest.NewRecord(256, 5), nil, {1, 2, 3}} {
		if st := a.WriteErrorRecord(pshed.WriteFlagDummy|0x100, rec); st != pshed.StatusSuccess {
			t.Errorf("dummy write %d = %v, want success", i, st)
		}
	}
	if n := m.DummyWrites(); n != 3 {
		t.Errorf("store saw %d dummy writes, want 3", n)
	}
	if n := m.Len(); n != 0 {
		t.Errorf("store holds %d records after dummy writes, want 0", n)
	}
}

// next follows IDs(): the one after the id read, skipping repeats and the
// "none" values; the id read itself at the end or when IDs() does not
// list it.
func TestAdapterNextID(t *testing.T) {
	const inv = erst.InvalidID
	for _, tc := range []struct {
		name string
		ids  []uint64
		read uint64 // id asked for
		cur  uint64 // id in the returned header
		want uint64
	}{
		{"Middle", []uint64{10, 20, 30}, 20, 20, 30},
		{"Last", []uint64{10, 20, 30}, 30, 30, 30},
		{"First", []uint64{10, 20, 30}, 0, 10, 20},
		{"Only", []uint64{10}, 0, 10, 10},
		{"Unlisted", []uint64{10, 20}, 15, 15, 15},
		{"SkipsRepeatAndNone", []uint64{10, 10, 0, inv, 40}, 10, 10, 40},
		{"NoneAtEnd", []uint64{10, inv}, 10, 10, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := pshedtest.NewRecord(256, tc.cur)
			s := &fakeStore{t: t,
				read: func(id uint64) ([]byte, error) {
					if id != tc.read {
						t.Errorf("Read(%#x), want Read(%#x)", id, tc.read)
					}
					return rec, nil
				},
				ids: func() ([]uint64, error) { return tc.ids, nil },
			}
			next, n, st := pshed.NewAdapter(s).ReadErrorRecord(0, tc.read, make([]byte, 256))
			if st != pshed.StatusSuccess || n != 256 {
				t.Fatalf("ReadErrorRecord = %v, %d bytes", st, n)
			}
			if next != tc.want {
				t.Errorf("next = %d, want %d", next, tc.want)
			}
		})
	}
}

func TestAdapterReadFailures(t *testing.T) {
	good := pshedtest.NewRecord(256, 3)
	for _, tc := range []struct {
		name string
		s    func(t *testing.T) *fakeStore
		want pshed.NTSTATUS // detailed
	}{
		{"IDsFail", func(t *testing.T) *fakeStore {
			return &fakeStore{t: t,
				read: func(uint64) ([]byte, error) { return good, nil },
				ids:  func() ([]uint64, error) { return nil, fmt.Errorf("erst: get record id: %w", erst.ErrTimeout) },
			}
		}, pshed.StatusIOTimeout},
		{"FirstRecordTooShortForID", func(t *testing.T) *fakeStore {
			return &fakeStore{t: t,
				read: func(uint64) ([]byte, error) { return good[:100], nil },
			}
		}, pshed.StatusInvalidParameter},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, st := pshed.NewAdapter(tc.s(t), pshed.WithDetailedStatus()).ReadErrorRecord(0, 0, make([]byte, 512)); st != tc.want {
				t.Errorf("detailed: ReadErrorRecord = %v, want %v", st, tc.want)
			}
			if _, _, st := pshed.NewAdapter(tc.s(t)).ReadErrorRecord(0, 0, make([]byte, 512)); st != pshed.StatusUnsuccessful {
				t.Errorf("documented: ReadErrorRecord = %v, want %v", st, pshed.StatusUnsuccessful)
			}
		})
	}
}

// The adapter never lets two store operations overlap.
func TestAdapterSerialises(t *testing.T) {
	var inside, overlaps atomic.Int32
	m := pshed.NewMemStore(64, 512)
	enter := func() func() {
		if inside.Add(1) > 1 {
			overlaps.Add(1)
		}
		return func() { inside.Add(-1) }
	}
	s := &fakeStore{t: t,
		write:      func(r []byte) error { defer enter()(); return m.Write(r) },
		read:       func(id uint64) ([]byte, error) { defer enter()(); return m.Read(id) },
		clear:      func(id uint64) error { defer enter()(); return m.Clear(id) },
		ids:        func() ([]uint64, error) { defer enter()(); return m.IDs() },
		dummyWrite: func() error { defer enter()(); return m.DummyWrite() },
	}
	a := pshed.NewAdapter(s)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			buf := make([]byte, 512)
			for i := range 50 {
				id := uint64(g*1000 + i + 1)
				a.WriteErrorRecord(0, pshedtest.NewRecord(128+i, id))
				a.WriteErrorRecord(pshed.WriteFlagDummy, nil)
				a.ReadErrorRecord(0, id, buf)
				a.ReadErrorRecord(0, 0, buf)
				a.ClearErrorRecord(0, id)
			}
		})
	}
	wg.Wait()
	if n := overlaps.Load(); n != 0 {
		t.Errorf("%d store calls overlapped", n)
	}
	if n := m.Len(); n != 0 {
		t.Errorf("%d records left, want 0", n)
	}
}

// Reading into a larger buffer fills only the record's bytes.
func TestAdapterReadLeavesTail(t *testing.T) {
	a := pshed.NewAdapter(pshed.NewMemStore(2, 1024))
	rec := pshedtest.NewRecord(300, 11)
	if st := a.WriteErrorRecord(0, rec); st != pshed.StatusSuccess {
		t.Fatalf("WriteErrorRecord = %v", st)
	}
	buf := bytes.Repeat([]byte{0xEE}, 400)
	next, n, st := a.ReadErrorRecord(0, 11, buf)
	if st != pshed.StatusSuccess || n != 300 || next != 11 {
		t.Fatalf("ReadErrorRecord = next %d, %d bytes, %v; want 11, 300, success", next, n, st)
	}
	if !bytes.Equal(buf[:300], rec) {
		t.Errorf("record differs")
	}
	if !bytes.Equal(buf[300:], bytes.Repeat([]byte{0xEE}, 100)) {
		t.Errorf("bytes after the record were written")
	}
	if id := binary.LittleEndian.Uint64(buf[96:]); id != 11 {
		t.Errorf("record id %d, want 11", id)
	}
}
