package erst

import (
	"fmt"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst/hw"
)

// RecordedAccess is one register access as the bus saw it, what Record
// records and Replay replays. Width is in bits, as in the table (a
// sim.Access, what the simulated device decodes, has its Size in bytes).
type RecordedAccess struct {
	Space acpi.AddressSpace
	Addr  uint64
	Width int    // bits
	Write bool   // else a read
	Value uint64 // written, or read
}

// Record runs f (one of the [Device]'s operations) and appends the register
// accesses it made, in order, to *acc. Operations of other goroutines
// meanwhile would be recorded too.
func (d *Device) Record(acc *[]RecordedAccess, f func() error) error {
	d.mu.Lock()
	d.m.rec = acc
	d.mu.Unlock()
	err := f()
	d.mu.Lock()
	d.m.rec = nil
	d.mu.Unlock()
	return err
}

// Accesses returns how many register accesses the driver has made since
// [Open], Open's own included (not Replay's): what erst bench divides by the
// operations to report accesses per operation, at the cost of one
// increment per access where a [WithTrace] hook would cost a call.
func (d *Device) Accesses() uint64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.m.accesses
}

// Replay performs acc, accesses Record returned, raw on the platform's
// buses: the same reads and writes with the same values, without the
// interpreter, the table, status checks or busy polling beyond what was
// recorded. in, when not nil, is copied to the start of the error log
// address range first (a write's record) and out, when not nil, is filled
// from it after (a read's). It is the floor a driver on this table cannot
// beat; erst bench reports the driver's time against it.
func (d *Device) Replay(acc []RecordedAccess, in, out []byte) error {
	if err := d.lock(); err != nil {
		return err
	}
	defer d.unlock()
	if len(in) > len(d.buf) || len(out) > len(d.buf) {
		return fmt.Errorf("replay: %d/%d bytes, a %d-byte range: %w", len(in), len(out), len(d.buf), ErrOutOfRange)
	}
	copy(d.buf, in)
	for i := range acc {
		a := &acc[i]
		b := d.m.mem
		if a.Space != acpi.SystemMemory {
			b = d.m.io
		}
		if b == nil {
			return fmt.Errorf("replay of access %d: %v: %w", i, a.Space, hw.ErrSpace)
		}
		var err error
		if a.Write {
			err = hw.Write(b, a.Width, a.Addr, a.Value)
		} else {
			_, err = hw.Read(b, a.Width, a.Addr)
		}
		if err != nil {
			return fmt.Errorf("replay of access %d: %w", i, err)
		}
	}
	copy(out, d.buf)
	return nil
}
