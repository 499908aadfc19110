package conform_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/conform"
	"github.com/goerst/erst/erst/hw"
	"github.com/goerst/erst/erst/pshed/pshedtest"
	"github.com/goerst/erst/erst/sim"
	"github.com/goerst/erst/erst/sim/simtest"
	"github.com/goerst/erst/erst/store"
)

func newDevice(t *testing.T, size int, opts ...sim.Option) (*store.Store, *sim.Device, *erst.Device) {
	t.Helper()
	r := simtest.New(t, size, simtest.WithSim(opts...))
	return r.Store, r.Sim, r.Driver
}

func outcomes(rep *conform.Report) map[string]pshedtest.Outcome {
	m := map[string]pshedtest.Outcome{}
	for _, r := range rep.Results {
		m[r.Name] = r.Outcome
	}
	return m
}

// QEMU's device passes every check, in exchange-buffer and NVRAM mode,
// with a capacity known or found by filling the store, and the foreign
// record stays.
func TestHealthyDevicePasses(t *testing.T) {
	for _, tc := range []struct {
		name  string
		opts  []sim.Option
		known bool
	}{{"exchange", nil, true}, {"exchange-unknown-room", nil, false}, {"nvram", []sim.Option{sim.WithNVRAM()}, true}} {
		t.Run(tc.name, func(t *testing.T) {
			st, _, d := newDevice(t, 128<<10, tc.opts...)
			foreign := pshedtest.NewRecord(300, 0x42)
			if err := d.Write(foreign); err != nil {
				t.Fatal(err)
			}
			// A clock that stands still: the Timings check passes however
			// slow the machine running the test is.
			o := conform.Options{Samples: 25, RecordLength: 8192, Clock: hw.NewFakeClock().Now}
			if tc.known {
				o.Free, o.FreeKnown = st.Capacity()-int(st.Count()), true
			}
			rep, err := conform.Run(d, o)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rep.Results {
				if r.Outcome != pshedtest.Pass {
					t.Errorf("%s: %v: %s", r.Name, r.Outcome, r.Reason())
				}
			}
			if rep.Free != 14 || rep.Foreign != 1 || len(rep.Results) != 23 {
				t.Errorf("free %d, foreign %d, %d results; want 14, 1, 23", rep.Free, rep.Foreign, len(rep.Results))
			}
			if ids := st.IDs(); !slices.Equal(ids, []uint64{0x42}) {
				t.Errorf("store ids after the run %#x, want only the foreign record", ids)
			}
		})
	}
}

// A device that reports success without storing fails, among others, the
// checks that read back.
func TestLyingDeviceFails(t *testing.T) {
	_, dev, d := newDevice(t, 64<<10)
	dev.ForceStatus(acpi.StatusSuccess, -1, false)
	rep, err := conform.Run(d, conform.Options{Free: 7, FreeKnown: true, Samples: 3})
	if err != nil {
		t.Fatal(err)
	}
	got := outcomes(rep)
	for _, name := range []string{"FullStore", "WriteReadClear", "pshed/RoundTrip"} {
		if got[name] != pshedtest.Fail {
			t.Errorf("%s: %v, want fail", name, got[name])
		}
	}
	if !slices.Contains(rep.Failed(), "FullStore") {
		t.Errorf("Failed() = %v", rep.Failed())
	}
}

func TestCannotRun(t *testing.T) {
	_, _, d := newDevice(t, 64<<10)
	for _, free := range []int{4, 1, 0} {
		if _, err := conform.Run(d, conform.Options{Free: free, FreeKnown: true}); !errors.Is(err, conform.ErrCannotRun) {
			t.Errorf("Run with room for %d: %v, want ErrCannotRun", free, err)
		}
	}
	if _, err := conform.Run(d, conform.Options{Free: 6}); !errors.Is(err, conform.ErrCannotRun) {
		t.Errorf("Run with Free 6 and FreeKnown false: %v, want ErrCannotRun", err)
	}
	if err := d.Write(pshedtest.NewRecord(128, pshedtest.IDBase+7)); err != nil {
		t.Fatal(err)
	}
	if _, err := conform.Run(d, conform.Options{Free: 6, FreeKnown: true}); !errors.Is(err, conform.ErrCannotRun) {
		t.Errorf("Run with a reserved id in the store: %v, want ErrCannotRun", err)
	}
}
