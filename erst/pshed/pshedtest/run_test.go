package pshedtest_test

import (
	"strings"
	"testing"

	"github.com/goerst/erst/erst/pshed"
	"github.com/goerst/erst/erst/pshed/pshedtest"
)

// Run gives the same verdicts as the recorder the suite's own tests use:
// every check passes on the reference, a broken implementation fails the
// checks it breaks with a reason, and a check that cannot run is a skip.
func TestRunReportsOutcomes(t *testing.T) {
	for _, c := range pshedtest.Checks() {
		if r := pshedtest.Run(c, target(pshed.NewAdapter(goodStore()))); r.Outcome != pshedtest.Pass || r.Name != c.Name {
			t.Errorf("Run(%s) on the reference = %v %q", c.Name, r.Outcome, r.Reason())
		}
	}
	lying := &wrap{Persistence: pshed.NewAdapter(goodStore()), write: func(pshed.Persistence, uint32, []byte) pshed.NTSTATUS {
		return pshed.StatusSuccess // stores nothing
	}}
	var round pshedtest.Check
	for _, c := range pshedtest.Checks() {
		if c.Name == "RoundTrip" {
			round = c
		}
	}
	r := pshedtest.Run(round, target(lying))
	if r.Outcome != pshedtest.Fail || !strings.Contains(r.Reason(), "ReadErrorRecord") {
		t.Errorf("Run(RoundTrip) on a store that drops writes = %v %q, want fail with a reason", r.Outcome, r.Reason())
	}
	for _, c := range pshedtest.Checks() {
		if c.Name != "StoreFull" {
			continue
		}
		tg := target(pshed.NewAdapter(goodStore()))
		tg.Capacity, tg.CapacityKnown = 0, false
		if r := pshedtest.Run(c, tg); r.Outcome != pshedtest.Skip || r.Reason() == "" {
			t.Errorf("Run(StoreFull) with an unknown capacity = %v %q, want a skip with a reason", r.Outcome, r.Reason())
		}
		// A capacity of 0 that is known is a full store: the first
		// write must be refused; zero is not "unknown".
		noRoom := func() pshedtest.Target {
			return pshedtest.Target{Persistence: pshed.NewAdapter(pshed.NewMemStore(0, rangeLen)), RangeLength: rangeLen, CapacityKnown: true}
		}
		if r := pshedtest.Run(c, noRoom()); r.Outcome != pshedtest.Pass {
			t.Errorf("Run(StoreFull) on a store with no room, declared so = %v %q, want pass", r.Outcome, r.Reason())
		}
		tg = noRoom()
		tg.Persistence = pshed.NewAdapter(pshed.NewMemStore(1, rangeLen))
		if r := pshedtest.Run(c, tg); r.Outcome != pshedtest.Fail {
			t.Errorf("Run(StoreFull) on a store with room for one, declared with none = %v %q, want fail", r.Outcome, r.Reason())
		}
		// A non-zero capacity without CapacityKnown is a caller's
		// mistake, not an unknown capacity.
		tg = target(pshed.NewAdapter(goodStore()))
		tg.CapacityKnown = false
		if r := pshedtest.Run(c, tg); r.Outcome != pshedtest.Fail || !strings.Contains(r.Reason(), "CapacityKnown") {
			t.Errorf("Run(StoreFull) with Capacity %d and CapacityKnown false = %v %q, want a fail naming CapacityKnown", tg.Capacity, r.Outcome, r.Reason())
		}
	}
}

func TestReserved(t *testing.T) {
	for id, want := range map[uint64]bool{
		pshedtest.IDBase:                        true,
		pshedtest.IDBase + 1<<40 + 1:            true,
		pshedtest.IDBase + pshedtest.IDSpan - 1: true,
		pshedtest.IDBase + pshedtest.IDSpan:     false,
		pshedtest.IDBase - 1:                    false,
		0x100:                                   false,
	} {
		if pshedtest.Reserved(id) != want {
			t.Errorf("Reserved(%#x) = %v", id, !want)
		}
	}
}
