package pshed_test

import (
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
	return pshedtest.Target{Persistence: a, RangeLength: g.RangeLength, Capacity: g.Capacity}
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
		return pshedtest.Target{Persistence: pl, RangeLength: qemuRecordSize, Capacity: qemuCapacity}
	})
}

// Small and odd geometries: the smallest legal range, a range that is
// not a power of two, an unknown capacity, a store of one record.
func TestConformanceGeometries(t *testing.T) {
	for _, tc := range []struct {
		name                         string
		capacity, rangeLen, declared int
	}{
		{"Range128", 3, 128, 3},
		{"Range1000", 5, 1000, 5},
		{"CapacityUnknown", 50, 4096, 0},
		{"OneRecord", 1, 4096, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pshedtest.TestPersistence(t, func(t *testing.T) pshedtest.Target {
				return pshedtest.Target{
					Persistence: pshed.NewAdapter(pshed.NewMemStore(tc.capacity, tc.rangeLen)),
					RangeLength: tc.rangeLen,
					Capacity:    tc.declared,
				}
			})
		})
	}
}
