package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime/metrics"
	"time"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst"
)

// run times the operations, after storing fill more records; the
// store ends as it began, whatever happens. It stops early, with an
// error, when ctx is cancelled.
func run(ctx context.Context, d *erst.Device, rec []byte, n, fill int) (_ map[string]*opTimes, err error) {
	stored, err := checkIDsFree(d)
	if err != nil {
		return nil, err
	}
	times := map[string]*opTimes{}
	for _, op := range Ops {
		trace := make([]erst.RecordedAccess, 0, 256)
		times[op] = &opTimes{lat: make([]time.Duration, 0, n), floor: make([]time.Duration, 0, n), trace: &trace}
	}
	for op, eop := range map[string]erst.Operation{
		"count": erst.OpCount, "dummy-write": erst.OpDummyWrite,
		"write": erst.OpWrite, "read": erst.OpRead, "clear": erst.OpClear,
	} {
		times[op].min, _ = d.MinAccesses(eop)
	}
	if next, ok := d.MinAccesses(erst.OpNextID); ok {
		// IDs: one GET_RECORD_IDENTIFIER per record, one for the end,
		// one for its second pass (erst.Device.IDs).
		times["ids"].min = next * (stored + fill + 2)
	}
	allocs := []metrics.Sample{{Name: "/gc/heap/allocs:objects"}}
	heapAllocs := func() uint64 {
		metrics.Read(allocs)
		if allocs[0].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return allocs[0].Value.Uint64()
	}
	// counting is set for the pass that counts allocations: reading the
	// runtime's counter right before a timed run would have that run
	// start on the caches the read disturbed (under TCG some 2 µs of a
	// 20 µs write), so the timed passes read only the clock.
	counting := false
	// measure times f the one way driver and floor alike are timed.
	measure := func(f func() error) (time.Duration, error) {
		t0 := time.Now()
		err := f()
		return time.Since(t0), err
	}
	// floor replays the accesses of op's first run raw, with in copied
	// into the range before and out filled from it after. It must run with
	// the device in the state the timed run found it (the record stored
	// or not), so that the device does the same work.
	floor := func(op string, in, out []byte) error {
		if counting {
			return nil
		}
		o := times[op]
		dt, err := measure(func() error { return d.Replay(*o.trace, in, out) })
		if err != nil {
			return fmt.Errorf("%s: floor: %w", op, err)
		}
		o.floor = append(o.floor, dt)
		return nil
	}
	// timed runs f, one operation, recording its accesses the first time;
	// then, unless later, its floor. The accesses are the driver's own
	// count (erst.Device.Accesses), not a trace hook: the hook's call per
	// access would be timed as the driver's. In the counting pass it
	// counts f's allocations instead.
	timed := func(op string, f func() error, in, out []byte, later bool) error {
		o := times[op]
		if counting {
			m0 := heapAllocs()
			err := f()
			m1 := heapAllocs()
			if err != nil {
				return fmt.Errorf("%s: %w", op, err)
			}
			o.allocs += m1 - m0
			o.allocRuns++
			return nil
		}
		run := f
		if len(o.lat) == 0 {
			run = func() error { return d.Record(o.trace, f) }
		}
		a0 := d.Accesses()
		dt, err := measure(run)
		a1 := d.Accesses()
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		o.lat = append(o.lat, dt)
		o.accesses += int64(a1 - a0)
		if later {
			return nil
		}
		return floor(op, in, out)
	}

	// The fill records, cleared on the way out.
	filled := 0
	defer func() {
		var errs []error
		for i := range filled {
			id := ID + 1 + uint64(i)
			if cerr := d.Clear(id); cerr != nil && !errors.Is(cerr, erst.ErrRecordNotFound) {
				errs = append(errs, fmt.Errorf("%s: %w", hex64(id), cerr))
			}
		}
		if len(errs) > 0 {
			err = errors.Join(err, fmt.Errorf("cleaning up the -fill records: %w (remove them with 'erst clear')", errors.Join(errs...)))
		}
	}()
	for i := range fill {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("interrupted after storing %d of %d -fill records", i, fill)
		}
		r, err := Record(len(rec), ID+1+uint64(i))
		if err != nil {
			return nil, err
		}
		filled = i + 1 // a failed write may still have stored it
		if err := d.Write(r); err != nil {
			return nil, fmt.Errorf("-fill: record %d of %d: %w", i+1, fill, err)
		}
	}
	interrupted := func(i int) error {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted after %d of %d iterations", i, n)
		}
		return nil
	}

	var ids []uint64 // reused: ids times the enumeration, not the slice's growth
	if !d.Machine().Has(acpi.BeginDummyWriteOperation) {
		times["dummy-write"].skipped = "the table has no BEGIN_DUMMY_WRITE_OPERATION"
	}
	// From the first write on, the record may be stored: clear it on the
	// way out unless the last clear is known to have worked.
	written := false
	defer func() {
		if !written {
			return
		}
		if cerr := d.Clear(ID); cerr != nil && !errors.Is(cerr, erst.ErrRecordNotFound) {
			err = errors.Join(err, fmt.Errorf("cleaning up: %w (the store still holds bench's record %s; run 'erst clear %s')", cerr, hex64(ID), hex64(ID)))
		}
	}()
	got, floorOut := make([]byte, len(rec)), make([]byte, len(rec))
	// The timed pass of n iterations, then the pass that counts
	// allocations, of at most 100.
	for pass, iters := range []int{n, min(n, 100)} {
		counting = pass == 1
		for i := range iters {
			if err := interrupted(i); err != nil {
				return nil, err
			}
			if err := timed("count", func() error { _, err := d.Count(); return err }, nil, nil, false); err != nil {
				return nil, err
			}
			if err := timed("ids", func() (err error) { ids, err = d.AppendIDs(ids[:0]); return err }, nil, nil, false); err != nil {
				return nil, err
			}
			if times["dummy-write"].skipped == "" {
				if err := timed("dummy-write", d.DummyWrite, nil, nil, false); err != nil {
					return nil, err
				}
			}
		}
		for i := range iters {
			if err := interrupted(i); err != nil {
				return nil, err
			}
			// The floors of write and clear run after the timed clear, so
			// that each finds the store as its timed run did.
			written = true
			if err := timed("write", func() error { return d.Write(rec) }, nil, nil, true); err != nil {
				return nil, err
			}
			if err := timed("read", func() (err error) { _, err = d.ReadInto(ID, got); return err }, nil, floorOut, false); err != nil {
				return nil, err
			}
			if !bytes.Equal(got, rec) {
				return nil, fmt.Errorf("read: record %s came back different from what was written", hex64(ID))
			}
			if err := timed("clear", func() error { return d.Clear(ID) }, nil, nil, true); err != nil {
				return nil, err
			}
			if err := floor("write", rec, nil); err != nil {
				return nil, err
			}
			if err := floor("clear", nil, nil); err != nil {
				return nil, err
			}
			// The replays do not check statuses: the record may be left.
		}
	}
	return times, nil
}

// checkIDsFree refuses a store that holds a record in bench's id
// range: a user's record, which a write would replace, or a leftover of a
// run that was killed. ID itself is looked up directly first:
// on QEMU, reading a missing id moves the enumeration cursor, and the
// enumeration after it puts the cursor back at the start, so the timed
// enumerations all start from there. It returns how many records the
// store holds.
func checkIDsFree(d *erst.Device) (int, error) {
	_, err := d.Read(ID)
	switch {
	case err == nil:
		return 0, fmt.Errorf("the store holds record %s, the id bench writes: 'erst clear %s' removes it", hex64(ID), hex64(ID))
	case !errors.Is(err, erst.ErrRecordNotFound) && !errors.Is(err, erst.ErrStoreEmpty):
		return 0, err
	}
	ids, err := d.IDs()
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		if id >= ID && id <= IDEnd {
			return 0, fmt.Errorf("the store holds record %s, in the id range bench keeps for itself [%s, %s]: a leftover of an interrupted bench? See it with 'erst read %s'; 'erst clear %s' removes it", hex64(id), hex64(ID), hex64(IDEnd), hex64(id), hex64(id))
		}
	}
	return len(ids), nil
}
