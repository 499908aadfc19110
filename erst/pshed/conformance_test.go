package pshed_test

import (
	"slices"
	"testing"

	"github.com/goerst/erst/erst/pshed"
	"github.com/goerst/erst/erst/pshed/pshedtest"
)

// QEMU's defaults: 8 KiB records, a 64 KiB backend of which one slot
// holds the header, so 7 records.
const (
	qemuRecordSize = 8192
	qemuCapacity   = 7
)

// target is the suite's view of a, with the geometry a reports.
func target(a *pshed.Adapter) pshedtest.Target {
	g := a.Geometry()
	return pshedtest.Target{Persistence: a, RangeLength: g.RangeLength, Capacity: g.Capacity, CapacityKnown: g.CapacityKnown}
}

// The reference store through the adapter, with the documented status
// codes and with the detailed ones, must pass the whole suite.
func TestConformanceAdapter(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []pshed.AdapterOption
	}{
		{"Documented", nil},
		{"Detailed", []pshed.AdapterOption{pshed.WithDetailedStatus()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pshedtest.TestPersistence(t, func(t *testing.T) pshedtest.Target {
				return target(pshed.NewAdapter(pshed.NewMemStore(qemuCapacity, qemuRecordSize), tc.opts...))
			})
		})
	}
}

// The same through registration: the PSHED's view of a registered
// plug-in calls the callbacks with the packet's context.
func TestConformanceRegisteredPlugin(t *testing.T) {
	pshedtest.TestPersistence(t, func(t *testing.T) pshedtest.Target {
		pkt := pshed.NewPacket(pshed.NewAdapter(pshed.NewMemStore(qemuCapacity, qemuRecordSize)))
		pl, err := pshed.Register(pkt)
		if err != nil {
			t.Fatalf("Register(NewPacket(...)) = %v", err)
		}
		return pshedtest.Target{Persistence: pl, RangeLength: qemuRecordSize, Capacity: qemuCapacity, CapacityKnown: true}
	})
}

// Small and odd geometries: the smallest legal range, a range that is
// not a power of two, an unknown capacity, a store of one record.
func TestConformanceGeometries(t *testing.T) {
	for _, tc := range []struct {
		name                         string
		capacity, rangeLen, declared int
		known                        bool // declared is the capacity
		// inapplicable: the checks this geometry cannot exercise, which
		// must say so (Outcome Skip with a reason) instead of passing.
		inapplicable []string
	}{
		{"Range128", 3, 128, 3, true, nil},
		{"Range1000", 5, 1000, 5, true, nil},
		{"CapacityUnknown", 50, 4096, 0, false, []string{"StoreFull"}},
		{"OneRecord", 1, 4096, 1, true, []string{"Clear"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// pshedtest.Run, not TestPersistence: a check that does not
			// apply here is asserted to say so, and is no skipped test.
			for _, c := range pshedtest.Checks() {
				r := pshedtest.Run(c, pshedtest.Target{
					Persistence:   pshed.NewAdapter(pshed.NewMemStore(tc.capacity, tc.rangeLen)),
					RangeLength:   tc.rangeLen,
					Capacity:      tc.declared,
					CapacityKnown: tc.known,
				})
				want := pshedtest.Pass
				if slices.Contains(tc.inapplicable, c.Name) {
					want = pshedtest.Skip
				}
				if r.Outcome != want || (want == pshedtest.Skip && r.Reason() == "") {
					t.Errorf("%s: %v (%s), want %v", c.Name, r.Outcome, r.Reason(), want)
				}
			}
		})
	}
}
