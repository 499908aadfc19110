package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst/sim"
	"github.com/goerst/erst/erst/store"
)

// faultHelp documents -fault; README.md has the same list.
const faultHelp = `inject a ` + "`fault`" + ` into the simulated device (-store only; repeat the flag or separate with commas, each kind once):
busy: EXECUTE_OPERATION never completes, CHECK_BUSY_STATUS stays 1 (every operation times out);
slow=DURATION: each operation completes DURATION after its EXECUTE_OPERATION (e.g. 500us, 20ms);
status=N: every operation ends with command status N (0-255; 1 NOT_ENOUGH_SPACE, 2 HARDWARE_NOT_AVAILABLE, 3 FAILED, 4 RECORD_STORE_EMPTY, 5 RECORD_NOT_FOUND, 6+ reserved) without touching the store;
full: the store refuses new record ids with NOT_ENOUGH_SPACE (overwrites still succeed);
torn[=BYTES]: the next write loses power after BYTES of its slot (default half) reached the file, the map entry never written; the device is then gone.
Faults last for this command only; the store file keeps no trace of them except what a torn write left`

// faultList is the -fault flag: faults applied to the simulated device
// in order, through the fault injection erst/sim has.
type faultList []fault

type fault struct {
	spec  string
	apply func(*sim.Device)
}

func (f *faultList) String() string {
	if f == nil {
		return ""
	}
	s := make([]string, len(*f))
	for i, x := range *f {
		s[i] = x.spec
	}
	return strings.Join(s, ",")
}

func (f *faultList) Set(v string) error {
	for _, spec := range strings.Split(v, ",") {
		x, err := parseFault(strings.TrimSpace(spec))
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

func parseFault(spec string) (fault, error) {
	name, arg, hasArg := strings.Cut(spec, "=")
	bad := func(want string) (fault, error) {
		return fault{}, fmt.Errorf("fault %q: %s", spec, want)
	}
	switch name {
	case "busy", "full":
		if hasArg {
			return bad("takes no value")
		}
		if name == "busy" {
			return fault{spec, func(d *sim.Device) { d.SetBusy(sim.Busy{Forever: true}) }}, nil
		}
		return fault{spec, func(d *sim.Device) { d.SetFull(true) }}, nil
	case "slow":
		dur, err := time.ParseDuration(arg)
		if err != nil || dur <= 0 {
			return bad("want slow=DURATION, e.g. slow=500us")
		}
		return fault{spec, func(d *sim.Device) { d.SetBusy(sim.Busy{For: dur}) }}, nil
	case "status":
		n, err := strconv.ParseUint(arg, 0, 8)
		if err != nil {
			return bad("want status=N, N from 0 to 255")
		}
		return fault{spec, func(d *sim.Device) { d.ForceStatus(acpi.CommandStatus(n), -1, false) }}, nil
	case "torn":
		bytes := -1
		if hasArg {
			n, err := strconv.Atoi(arg)
			if err != nil || n < 0 {
				return bad("want torn or torn=BYTES, BYTES >= 0")
			}
			bytes = n
		}
		return fault{spec, func(d *sim.Device) {
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

// inject applies every fault to d.
func (f faultList) inject(d *sim.Device) {
	for _, x := range f {
		x.apply(d)
	}
}
