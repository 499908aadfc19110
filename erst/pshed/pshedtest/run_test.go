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
		tg.Capacity = 0
		if r := pshedtest.Run(c, tg); r.Outcome != pshedtest.Skip || r.Reason() == "" {
			t.Errorf("Run(StoreFull) with an unknown capacity = %v %q, want a skip with a reason", r.Outcome, r.Reason())
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
