package pshedtest_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/pshed"
	"github.com/goerst/erst/erst/pshed/pshedtest"
)

const (
	rangeLen = 4096
	capacity = 6
)

// recorder is a pshedtest.TB that records instead of failing the test.
// Fatalf and Skipf end the check's goroutine, as testing.T's do.
type recorder struct {
	mu      sync.Mutex
	failed  bool
	skipped bool
	msgs    []string
}

func (r *recorder) Helper() {}

func (r *recorder) log(prefix, format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, prefix+fmt.Sprintf(format, args...))
}

func (r *recorder) Errorf(format string, args ...any) {
	r.log("error: ", format, args...)
	r.mu.Lock()
	r.failed = true
	r.mu.Unlock()
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	runtime.Goexit()
}

func (r *recorder) Skipf(format string, args ...any) {
	r.log("skip: ", format, args...)
	r.mu.Lock()
	r.skipped = true
	r.mu.Unlock()
	runtime.Goexit()
}

func (r *recorder) Logf(format string, args ...any) { r.log("log: ", format, args...) }

// runChecks runs every check against a target from newTarget and returns
// the recorder of each, by check name.
func runChecks(newTarget func() pshedtest.Target) map[string]*recorder {
	res := make(map[string]*recorder)
	for _, c := range pshedtest.Checks() {
		r := &recorder{}
		done := make(chan struct{})
		go func() {
			defer close(done)
			c.Run(r, newTarget())
		}()
		<-done
		res[c.Name] = r
	}
	return res
}

func failedChecks(res map[string]*recorder) []string {
	var names []string
	for name, r := range res {
		if r.failed {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

func goodStore() *pshed.MemStore { return pshed.NewMemStore(capacity, rangeLen) }

func target(p pshed.Persistence) pshedtest.Target {
	return pshedtest.Target{Persistence: p, RangeLength: rangeLen, Capacity: capacity, CapacityKnown: true}
}

// The recorder path agrees with TestPersistence on a correct
// implementation: nothing fails, nothing is skipped.
func TestChecksPassOnReference(t *testing.T) {
	res := runChecks(func() pshedtest.Target { return target(pshed.NewAdapter(goodStore())) })
	if len(res) != len(pshedtest.Checks()) {
		t.Fatalf("ran %d checks, want %d", len(res), len(pshedtest.Checks()))
	}
	for name, r := range res {
		if r.failed || r.skipped {
			t.Errorf("check %s on the reference implementation: failed=%v skipped=%v\n%s",
				name, r.failed, r.skipped, strings.Join(r.msgs, "\n"))
		}
	}
}

// wrap overrides single callbacks of a correct implementation.
type wrap struct {
	pshed.Persistence
	write func(p pshed.Persistence, flags uint32, rec []byte) pshed.NTSTATUS
	read  func(p pshed.Persistence, flags uint32, id uint64, buf []byte) (uint64, uint32, pshed.NTSTATUS)
	clear func(p pshed.Persistence, flags uint32, id uint64) pshed.NTSTATUS
}

func (w *wrap) WriteErrorRecord(flags uint32, rec []byte) pshed.NTSTATUS {
	if w.write != nil {
		return w.write(w.Persistence, flags, rec)
	}
	return w.Persistence.WriteErrorRecord(flags, rec)
}

func (w *wrap) ReadErrorRecord(flags uint32, id uint64, buf []byte) (uint64, uint32, pshed.NTSTATUS) {
	if w.read != nil {
		return w.read(w.Persistence, flags, id, buf)
	}
	return w.Persistence.ReadErrorRecord(flags, id, buf)
}

func (w *wrap) ClearErrorRecord(flags uint32, id uint64) pshed.NTSTATUS {
	if w.clear != nil {
		return w.clear(w.Persistence, flags, id)
	}
	return w.Persistence.ClearErrorRecord(flags, id)
}

// evictingStore makes room in a full store by dropping the oldest record.
type evictingStore struct{ *pshed.MemStore }

func (s evictingStore) Write(rec []byte) error {
	err := s.MemStore.Write(rec)
	if errors.Is(err, erst.ErrNotEnoughSpace) {
		ids, _ := s.IDs()
		if err := s.Clear(ids[0]); err != nil {
			return err
		}
		return s.MemStore.Write(rec)
	}
	return err
}

// noUpsertStore refuses a record whose id is stored.
type noUpsertStore struct{ *pshed.MemStore }

func (s noUpsertStore) Write(rec []byte) error {
	ids, _ := s.IDs()
	if slices.Contains(ids, binary.LittleEndian.Uint64(rec[96:])) {
		return erst.ErrFailed
	}
	return s.MemStore.Write(rec)
}

// Each deliberately broken implementation must fail at least the checks
// named, which proves those checks can fail.
func TestChecksCatchBugs(t *testing.T) {
	tests := []struct {
		name string
		new  func() pshed.Persistence
		want []string
	}{
		{
			name: "DummyWriteStores",
			new: func() pshed.Persistence {
				return &wrap{Persistence: pshed.NewAdapter(goodStore()),
					write: func(p pshed.Persistence, flags uint32, rec []byte) pshed.NTSTATUS {
						return p.WriteErrorRecord(flags&^pshed.WriteFlagDummy, rec)
					}}
			},
			want: []string{"DummyWrite"},
		},
		{
			name: "DummyWriteFails",
			new: func() pshed.Persistence {
				return &wrap{Persistence: pshed.NewAdapter(goodStore()),
					write: func(p pshed.Persistence, flags uint32, rec []byte) pshed.NTSTATUS {
						if flags&pshed.WriteFlagDummy != 0 {
							return pshed.StatusNotSupported
						}
						return p.WriteErrorRecord(flags, rec)
					}}
			},
			want: []string{"DummyWrite"},
		},
		{
			name: "LastNextIsZero",
			new: func() pshed.Persistence {
				return &wrap{Persistence: pshed.NewAdapter(goodStore()),
					read: func(p pshed.Persistence, flags uint32, id uint64, buf []byte) (uint64, uint32, pshed.NTSTATUS) {
						next, n, st := p.ReadErrorRecord(flags, id, buf)
						if cur, ok := pshedtest.RecordID(buf[:min(int(n), len(buf))]); st == pshed.StatusSuccess && ok && next == cur {
							next = 0
						}
						return next, n, st
					}}
			},
			want: []string{"Iteration", "RoundTrip"},
		},
		{
			name: "LastNextIsInvalidID",
			new: func() pshed.Persistence {
				return &wrap{Persistence: pshed.NewAdapter(goodStore()),
					read: func(p pshed.Persistence, flags uint32, id uint64, buf []byte) (uint64, uint32, pshed.NTSTATUS) {
						next, n, st := p.ReadErrorRecord(flags, id, buf)
						if cur, ok := pshedtest.RecordID(buf[:min(int(n), len(buf))]); st == pshed.StatusSuccess && ok && next == cur {
							next = erst.InvalidID
						}
						return next, n, st
					}}
			},
			want: []string{"Iteration", "RoundTrip"},
		},
		{
			name: "TooSmallReportsBufferSize",
			new: func() pshed.Persistence {
				return &wrap{Persistence: pshed.NewAdapter(goodStore()),
					read: func(p pshed.Persistence, flags uint32, id uint64, buf []byte) (uint64, uint32, pshed.NTSTATUS) {
						next, n, st := p.ReadErrorRecord(flags, id, buf)
						if st == pshed.StatusBufferTooSmall {
							n = uint32(len(buf))
						}
						return next, n, st
					}}
			},
			want: []string{"BufferTooSmall"},
		},
		{
			name: "TooSmallWritesPartialRecord",
			new: func() pshed.Persistence {
				return &wrap{Persistence: pshed.NewAdapter(goodStore()),
					read: func(p pshed.Persistence, flags uint32, id uint64, buf []byte) (uint64, uint32, pshed.NTSTATUS) {
						next, n, st := p.ReadErrorRecord(flags, id, buf)
						if st == pshed.StatusBufferTooSmall {
							full := make([]byte, n)
							p.ReadErrorRecord(flags, id, full)
							copy(buf, full)
						}
						return next, n, st
					}}
			},
			want: []string{"BufferTooSmall"},
		},
		{
			name: "NotFoundIsUnsuccessful",
			new: func() pshed.Persistence {
				return &wrap{Persistence: pshed.NewAdapter(goodStore()),
					read: func(p pshed.Persistence, flags uint32, id uint64, buf []byte) (uint64, uint32, pshed.NTSTATUS) {
						next, n, st := p.ReadErrorRecord(flags, id, buf)
						if st == pshed.StatusObjectNotFound && id != 0 {
							st = pshed.StatusUnsuccessful
						}
						return next, n, st
					}}
			},
			want: []string{"Empty", "NotFound", "Clear", "TooLong", "DummyWrite", "StoreFull"},
		},
		{
			name: "ClearDoesNothing",
			new: func() pshed.Persistence {
				return &wrap{Persistence: pshed.NewAdapter(goodStore()),
					clear: func(pshed.Persistence, uint32, uint64) pshed.NTSTATUS { return pshed.StatusSuccess }}
			},
			want: []string{"Clear", "ClearMissing", "Empty", "Iteration", "StoreFull"},
		},
		{
			name: "ClearOfMissingSucceeds",
			new: func() pshed.Persistence {
				return &wrap{Persistence: pshed.NewAdapter(goodStore()),
					clear: func(p pshed.Persistence, flags uint32, id uint64) pshed.NTSTATUS {
						p.ClearErrorRecord(flags, id)
						return pshed.StatusSuccess
					}}
			},
			want: []string{"ClearMissing", "Empty"},
		},
		{
			name: "RangeOffByOne",
			new: func() pshed.Persistence {
				return pshed.NewAdapter(pshed.NewMemStore(capacity, rangeLen-1))
			},
			want: []string{"Sizes", "StoreFull"},
		},
		{
			name: "AcceptsTooLong",
			new: func() pshed.Persistence {
				return pshed.NewAdapter(pshed.NewMemStore(capacity, 2*rangeLen))
			},
			want: []string{"TooLong"},
		},
		{
			name: "EvictsWhenFull",
			new: func() pshed.Persistence {
				return pshed.NewAdapter(evictingStore{goodStore()})
			},
			want: []string{"StoreFull"},
		},
		{
			name: "SmallerThanDeclared",
			new: func() pshed.Persistence {
				return pshed.NewAdapter(pshed.NewMemStore(capacity-1, rangeLen))
			},
			want: []string{"StoreFull"},
		},
		{
			name: "NoOverwrite",
			new: func() pshed.Persistence {
				return pshed.NewAdapter(noUpsertStore{goodStore()})
			},
			want: []string{"Overwrite"},
		},
		{
			name: "CorruptsOnRead",
			new: func() pshed.Persistence {
				return &wrap{Persistence: pshed.NewAdapter(goodStore()),
					read: func(p pshed.Persistence, flags uint32, id uint64, buf []byte) (uint64, uint32, pshed.NTSTATUS) {
						next, n, st := p.ReadErrorRecord(flags, id, buf)
						if st == pshed.StatusSuccess && n > 0 {
							buf[n-1] ^= 0x01
						}
						return next, n, st
					}}
			},
			want: []string{"RoundTrip", "Sizes", "Iteration", "BufferTooSmall"},
		},
		{
			name: "FirstRecordOnly",
			new: func() pshed.Persistence {
				return &wrap{Persistence: pshed.NewAdapter(goodStore()),
					read: func(p pshed.Persistence, flags uint32, _ uint64, buf []byte) (uint64, uint32, pshed.NTSTATUS) {
						return p.ReadErrorRecord(flags, 0, buf)
					}}
			},
			want: []string{"Iteration", "NotFound", "Clear"},
		},
	}
	// Every check is shown to fail on some broken implementation.
	covered := make(map[string]bool)
	for _, tc := range tests {
		for _, name := range tc.want {
			covered[name] = true
		}
	}
	for _, c := range pshedtest.Checks() {
		if !covered[c.Name] {
			t.Errorf("no broken implementation is expected to fail check %s", c.Name)
		}
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := runChecks(func() pshedtest.Target { return target(tc.new()) })
			failed := failedChecks(res)
			for _, name := range tc.want {
				if !slices.Contains(failed, name) {
					t.Errorf("check %s passed on the broken implementation; failed checks: %v", name, failed)
				}
			}
			if t.Failed() || testing.Verbose() {
				for _, name := range failed {
					t.Logf("%s:\n  %s", name, strings.Join(res[name].msgs, "\n  "))
				}
			}
		})
	}
}

// A Target the suite cannot use stops every check with a clear message,
// and a non-empty one is refused.
func TestChecksRejectBadTargets(t *testing.T) {
	nonEmpty := func() pshedtest.Target {
		a := pshed.NewAdapter(goodStore())
		a.WriteErrorRecord(0, pshedtest.NewRecord(256, 42))
		return target(a)
	}
	for _, tc := range []struct {
		name string
		tg   func() pshedtest.Target
		msg  string
		pass []string // checks that do not reach the problem
	}{
		{"NilPersistence", func() pshedtest.Target { return pshedtest.Target{RangeLength: rangeLen} }, "Persistence is nil", nil},
		{"ShortRange", func() pshedtest.Target {
			tg := target(pshed.NewAdapter(goodStore()))
			tg.RangeLength = 64
			return tg
		}, "RangeLength is 64", nil},
		{"NotEmpty", nonEmpty, "not empty", nil},
		{"BadBuilder", func() pshedtest.Target {
			tg := target(pshed.NewAdapter(goodStore()))
			tg.NewRecord = func(size int, id uint64) []byte { return pshedtest.NewRecord(size, id+1) }
			return tg
		}, "returned a record with id", []string{"Empty"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := runChecks(tc.tg)
			for name, r := range res {
				if slices.Contains(tc.pass, name) {
					continue
				}
				if !r.failed {
					t.Errorf("check %s passed", name)
					continue
				}
				if !strings.Contains(strings.Join(r.msgs, "\n"), tc.msg) {
					t.Errorf("check %s: messages %q do not mention %q", name, r.msgs, tc.msg)
				}
			}
		})
	}
}
