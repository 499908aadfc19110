package sim

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst/store"
)

// FaultsHelp documents the specs [Faults.Set] takes, as erst's -fault flag
// prints it (README.md has the same list).
const FaultsHelp = `inject a ` + "`fault`" + ` into the simulated device (-store only; repeat the flag or separate with commas, each kind once):
busy: EXECUTE_OPERATION never completes, CHECK_BUSY_STATUS stays 1 (every operation times out);
slow=DURATION: each operation completes DURATION after its EXECUTE_OPERATION (e.g. 500us, 20ms);
status=N: every operation ends with command status N (0-255; 1 NOT_ENOUGH_SPACE, 2 HARDWARE_NOT_AVAILABLE, 3 FAILED, 4 RECORD_STORE_EMPTY, 5 RECORD_NOT_FOUND, 6+ reserved) without touching the store;
full: the store refuses new record ids with NOT_ENOUGH_SPACE (overwrites still succeed);
torn[=BYTES]: the next write loses power after BYTES of its slot (default half) reached the file, the map entry never written; the device is then gone.
Faults last for this command only; the store file keeps no trace of them except what a torn write left`

// Faults is a list of faults named by spec ([FaultsHelp]: busy,
// slow=DURATION, status=N, full, torn[=BYTES]), applied to a [Device] in
// order by Inject through its fault injection methods. It is a
// flag.Value: Set takes comma-separated specs, each kind once.
type Faults []Fault

// Fault is one fault, as [ParseFault] read it from its spec.
type Fault struct {
	spec  string
	apply func(*Device)
}

// String returns the spec f was parsed from.
func (f Fault) String() string { return f.spec }

// String returns the specs, comma-separated.
func (f *Faults) String() string {
	if f == nil {
		return ""
	}
	s := make([]string, len(*f))
	for i, x := range *f {
		s[i] = x.spec
	}
	return strings.Join(s, ",")
}

// Set adds the comma-separated faults of v; a fault of a kind already
// given (busy and slow are one kind) is refused, as one would replace the
// other.
func (f *Faults) Set(v string) error {
	for _, spec := range strings.Split(v, ",") {
		x, err := ParseFault(strings.TrimSpace(spec))
		if err != nil {
			return err
		}
		// A second fault of one kind would replace the first: refuse it.
		for _, y := range *f {
			if faultKind(y.spec) == faultKind(x.spec) {
				return fmt.Errorf("fault %q: %q is already given and one would replace the other; give each kind once", x.spec, y.spec)
			}
		}
		*f = append(*f, x)
	}
	return nil
}

// ParseFault reads one fault's spec.
func ParseFault(spec string) (Fault, error) {
	name, arg, hasArg := strings.Cut(spec, "=")
	bad := func(want string) (Fault, error) {
		return Fault{}, fmt.Errorf("fault %q: %s", spec, want)
	}
	switch name {
	case "busy", "full":
		if hasArg {
			return bad("takes no value")
		}
		if name == "busy" {
			return Fault{spec, func(d *Device) { d.SetBusy(Busy{Forever: true}) }}, nil
		}
		return Fault{spec, func(d *Device) { d.SetFull(true) }}, nil
	case "slow":
		dur, err := time.ParseDuration(arg)
		if err != nil || dur <= 0 {
			return bad("want slow=DURATION, e.g. slow=500us")
		}
		return Fault{spec, func(d *Device) { d.SetBusy(Busy{For: dur}) }}, nil
	case "status":
		n, err := strconv.ParseUint(arg, 0, 8)
		if err != nil {
			return bad("want status=N, N from 0 to 255")
		}
		return Fault{spec, func(d *Device) { d.ForceStatus(acpi.CommandStatus(n), -1, false) }}, nil
	case "torn":
		bytes := -1
		if hasArg {
			n, err := strconv.Atoi(arg)
			if err != nil || n < 0 {
				return bad("want torn or torn=BYTES, BYTES >= 0")
			}
			bytes = n
		}
		return Fault{spec, func(d *Device) {
			n := bytes
			if n < 0 {
				n = d.Store().RecordSize() / 2
			}
			d.TearNextWrite(store.Tear{SlotBytes: n})
		}}, nil
	}
	return bad("unknown fault; want busy, slow=DURATION, status=N, full or torn[=BYTES]")
}

// faultKind names what a fault sets on the device: busy and slow both set
// its busy behaviour.
func faultKind(spec string) string {
	name, _, _ := strings.Cut(spec, "=")
	if name == "slow" {
		return "busy"
	}
	return name
}

// Inject applies every fault to d, in order.
func (f Faults) Inject(d *Device) {
	for _, x := range f {
		x.apply(d)
	}
}
