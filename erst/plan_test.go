package erst_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/hw"
	"github.com/goerst/erst/erst/sim"
)

// failingPlatform fails the access numbered fail (from 1; 0: none) of
// those made after arm.
type failingPlatform struct {
	*sim.Device
	n, fail int
}

func (p *failingPlatform) Bus(s acpi.AddressSpace) (hw.Bus, error) {
	b, err := p.Device.Bus(s)
	if err != nil {
		return nil, err
	}
	return failingBus{b, p}, nil
}

type failingBus struct {
	hw.Bus
	p *failingPlatform
}

func (b failingBus) tick() error {
	b.p.n++
	if b.p.n == b.p.fail {
		return fmt.Errorf("access %d: %w", b.p.n, hw.ErrUnmapped)
	}
	return nil
}

func (b failingBus) Read32(a uint64) (uint32, error) {
	if err := b.tick(); err != nil {
		return 0, err
	}
	return b.Bus.Read32(a)
}

func (b failingBus) Read64(a uint64) (uint64, error) {
	if err := b.tick(); err != nil {
		return 0, err
	}
	return b.Bus.Read64(a)
}

func (b failingBus) Write32(a uint64, v uint32) error {
	if err := b.tick(); err != nil {
		return err
	}
	return b.Bus.Write32(a, v)
}

func (b failingBus) Write64(a uint64, v uint64) error {
	if err := b.tick(); err != nil {
		return err
	}
	return b.Bus.Write64(a, v)
}

// TestPlansMatchActions: an operation run as one plan makes the same
// register accesses, sleeps as long and fails with the same error as the
// same operation run action by action, in success, under every status,
// busy polls and timeouts, and with a failed access at every position.
func TestPlansMatchActions(t *testing.T) {
	type outcome struct {
		trace []erst.TraceEvent
		errs  []string
		slept time.Duration
		count uint64 // Device.Accesses over the operations
	}
	const id = 0x77
	scenario := func(plans bool, fault func(*sim.Device), fail int) outcome {
		_, dev, clock := newSim(t, 64<<10)
		var o outcome
		p := &failingPlatform{Device: dev}
		d, err := erst.Open(dev.Table(), p, erst.WithClock(clock), erst.WithTimeout(20*time.Microsecond), erst.WithTrace(func(e erst.TraceEvent) { o.trace = append(o.trace, e) }))
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range []acpi.Action{acpi.BeginWriteOperation, acpi.BeginReadOperation, acpi.BeginClearOperation, acpi.BeginDummyWriteOperation} {
			if !erst.HasPlan(d, uint8(b)) {
				t.Fatalf("no plan for %v on QEMU's table", b)
			}
		}
		if !plans {
			erst.WithoutPlans(d)
		}
		o.trace = nil
		p.n, p.fail = 0, fail
		if fault != nil {
			fault(dev)
		}
		t0, a0 := clock.Now(), d.Accesses()
		buf := make([]byte, 1024)
		for _, f := range []func() error{
			func() error { return d.Write(record(1024, id)) },
			func() error { _, err := d.ReadInto(id, buf); return err },
			d.DummyWrite,
			func() error { return d.Clear(id) },
			func() error { _, err := d.ReadInto(id, buf); return err },
			func() error { return d.Clear(id) },
		} {
			err := f()
			o.errs = append(o.errs, fmt.Sprint(err))
		}
		o.slept, o.count = clock.Now().Sub(t0), d.Accesses()-a0
		return o
	}
	faults := map[string]func(*sim.Device){
		"none":        nil,
		"failed":      func(d *sim.Device) { d.ForceStatus(acpi.StatusFailed, 2, false) },
		"reserved":    func(d *sim.Device) { d.ForceStatus(0x9c, 1, true) },
		"full":        func(d *sim.Device) { d.SetFull(true) },
		"busy 3":      func(d *sim.Device) { d.SetBusy(sim.Busy{Polls: 3}) },
		"busy 5µs":    func(d *sim.Device) { d.SetBusy(sim.Busy{For: 5 * time.Microsecond}) },
		"busy always": func(d *sim.Device) { d.SetBusy(sim.Busy{Forever: true}) },
	}
	for name, fault := range faults {
		// fail 0 is no failed access; the last is past every access.
		for fail := 0; fail <= 70; fail++ {
			want := scenario(false, fault, fail)
			got := scenario(true, fault, fail)
			if !slices.Equal(got.errs, want.errs) {
				t.Errorf("%s, access %d failing: errors\n%q\nwant (action by action)\n%q", name, fail, got.errs, want.errs)
			}
			if !slices.Equal(got.trace, want.trace) {
				t.Errorf("%s, access %d failing: %d accesses, action by action %d (or other ones)", name, fail, len(got.trace), len(want.trace))
			}
			if got.count != uint64(len(got.trace)) || want.count != uint64(len(want.trace)) {
				t.Errorf("%s, access %d failing: Accesses counted %d, the trace %d (action by action %d, %d)", name, fail, got.count, len(got.trace), want.count, len(want.trace))
			}
			if got.slept != want.slept {
				t.Errorf("%s, access %d failing: slept %v, action by action %v", name, fail, got.slept, want.slept)
			}
			if name != "none" || fail > 0 {
				continue
			}
			if want.errs[0] != "<nil>" || want.errs[1] != "<nil>" || want.errs[4] == "<nil>" {
				t.Fatalf("the reference run: %q", want.errs)
			}
		}
	}
}
