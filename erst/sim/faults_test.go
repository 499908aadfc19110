package sim_test

import (
	"strings"
	"testing"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst/sim"
	"github.com/goerst/erst/erst/store/storetest"
)

// Faults parses what -fault takes, refuses a bad spec and a second fault
// of one kind, and Inject gives the device the faults named.
func TestFaults(t *testing.T) {
	var f sim.Faults
	if err := f.Set("full, status=3"); err != nil {
		t.Fatal(err)
	}
	if got := f.String(); got != "full,status=3" {
		t.Errorf("String = %q", got)
	}
	for _, bad := range []string{"slow", "slow=-1s", "status=256", "torn=-1", "full=1", "fast", "status=1"} {
		g := append(sim.Faults(nil), f...)
		if err := g.Set(bad); err == nil || !strings.Contains(err.Error(), "fault ") {
			t.Errorf("Set(%q) = %v; want an error naming the fault", bad, err)
		}
	}
	var busy sim.Faults
	if err := busy.Set("busy,slow=1ms"); err == nil {
		t.Error("busy and slow together accepted; both set the busy behaviour")
	}

	r := newRig(t)
	sim.Faults{mustFault(t, "status=5")}.Inject(r.d)
	if st := r.put(storetest.CPER(0x42, 300, 0)); st != acpi.StatusRecordNotFound {
		t.Errorf("write under status=5: status %v, want RECORD_NOT_FOUND", st)
	}
}

func mustFault(t *testing.T, spec string) sim.Fault {
	t.Helper()
	f, err := sim.ParseFault(spec)
	if err != nil {
		t.Fatal(err)
	}
	return f
}
