package torture

import (
	"errors"
	"fmt"
	"slices"

	"github.com/goerst/erst/erst"
)

// Device is the part of an ERST device the writer and the verifier use;
// *[erst.Device] satisfies it. Errors wrap the erst sentinels.
type Device interface {
	Write(rec []byte) error
	Read(id uint64) ([]byte, error)
	Clear(id uint64) error
	IDs() ([]uint64, error)
}

// Options control Torture.
type Options struct {
	// N is how many records to write.
	N int
	// Start is the counter of the first record; 0 means one past the
	// highest counter of this seed in the store (1 in a store without
	// any), so that a run restarted after a power cut goes on where the
	// store says the last one stopped.
	Start uint32
	// Keep, when above 0, bounds this seed's records in the store: before
	// each write of a new record, the oldest are cleared until fewer than
	// Keep remain. Two runs that share a store each keep room this way.
	Keep int
	// ReadBack reads every acknowledged record back and checks it before
	// going on.
	ReadBack bool
	// Ack is called after each write the device acknowledged, and only
	// then. An error stops the run.
	Ack func(id uint64) error
	// Clearing is called before Torture clears one of its own records to
	// make room. An error stops the run.
	Clearing func(id uint64) error
}

// Stats is what a Torture run did.
type Stats struct {
	Seed    uint64 // the generator's seed
	Written int    // writes acknowledged
	Cleared int    // own records cleared to make room (or to honour Keep)
	First   uint64 // first identifier written; 0 when none
	Last    uint64 // last identifier written; 0 when none
}

// Torture writes o.N records of g to d, in counter order. When d answers
// a write with ErrNotEnoughSpace, Torture clears this seed's record with
// the lowest counter and tries again; it never touches a record of
// another seed or another creator, and fails when the store is full
// without any record of its own.
func (g *Gen) Torture(d Device, o Options) (Stats, error) {
	s := Stats{Seed: g.seed}
	ids, err := d.IDs()
	if err != nil {
		return s, fmt.Errorf("torture: %w", err)
	}
	var own []uint32 // this seed's counters in the store, ascending
	for _, id := range ids {
		if n, ok := g.Index(id); ok {
			own = append(own, n)
		}
	}
	slices.Sort(own)
	start := o.Start
	if start == 0 {
		start = 1
		if len(own) > 0 {
			start = own[len(own)-1] + 1
		}
	}
	if o.N < 0 || uint64(start)+uint64(o.N) > MaxIndex+1 {
		return s, fmt.Errorf("torture: %d records from counter %d would pass the last counter %d", o.N, start, uint64(MaxIndex))
	}
	for i := range o.N {
		n := start + uint32(i)
		id := g.ID(n)
		rec := g.Record(id)
		for o.Keep > 0 && len(own) >= o.Keep && !slices.Contains(own, n) {
			if err := g.clear(d, own[0], o.Clearing); err != nil {
				return s, err
			}
			own = own[1:]
			s.Cleared++
		}
		for {
			err := d.Write(rec)
			if err == nil {
				break
			}
			if !errors.Is(err, erst.ErrNotEnoughSpace) {
				return s, fmt.Errorf("torture: %w", err)
			}
			victim := slices.IndexFunc(own, func(m uint32) bool { return m != n })
			if victim < 0 {
				return s, fmt.Errorf("torture: write %#x: the store is full and holds no record of seed %#x to clear: %w", id, g.seed, err)
			}
			if err := g.clear(d, own[victim], o.Clearing); err != nil {
				return s, err
			}
			own = slices.Delete(own, victim, victim+1)
			s.Cleared++
		}
		if !slices.Contains(own, n) {
			own = append(own, n)
			slices.Sort(own)
		}
		s.Written++
		if s.First == 0 {
			s.First = id
		}
		s.Last = id
		if o.Ack != nil {
			if err := o.Ack(id); err != nil {
				return s, err
			}
		}
		if o.ReadBack {
			got, err := d.Read(id)
			if err != nil {
				return s, fmt.Errorf("torture: read back: %w", err)
			}
			if err := g.Check(id, got); err != nil {
				return s, fmt.Errorf("torture: read back: %w", err)
			}
		}
	}
	return s, nil
}

// clear clears this seed's record n, telling clearing first; a record
// already gone is not an error.
func (g *Gen) clear(d Device, n uint32, clearing func(uint64) error) error {
	id := g.ID(n)
	if clearing != nil {
		if err := clearing(id); err != nil {
			return err
		}
	}
	if err := d.Clear(id); err != nil && !errors.Is(err, erst.ErrRecordNotFound) {
		return fmt.Errorf("torture: make room: %w", err)
	}
	return nil
}

// Fault is a record of the seed that failed verification.
type Fault struct {
	ID  uint64
	Err error // a *Damage (errors.Is ErrCorrupt), or the read's error
}

// Report is what Verify found.
type Report struct {
	Seed       uint64   // the generator's seed
	Intact     []uint64 // this seed's records, read back exactly, in store order
	Faults     []Fault  // this seed's records that could not be read or differ
	OtherSeeds int      // torture records of other seeds, not read
	Others     int      // other records, not read
	// Missing are records of the seed that should be in the store and
	// are not, ascending: with Verify, the counters absent between the
	// lowest and the highest of the seed in the store (Torture only ever
	// clears its oldest, so the counters it leaves are contiguous); with
	// VerifyAcked, the acknowledged records not cleared since.
	Missing []uint64
	// Acked is set by VerifyAcked: Missing are acknowledged records.
	Acked bool
}

// OK reports whether every record of the seed that should be there was
// there and intact.
func (r *Report) OK() bool { return len(r.Faults) == 0 && len(r.Missing) == 0 }

// Found is how many records of the seed the store holds.
func (r *Report) Found() int { return len(r.Intact) + len(r.Faults) }

// Verify reads every record of g's seed in d and checks every byte, and
// reports the counters missing between the lowest and the highest. It
// tells records apart by identifier alone, so a record of the seed whose
// CreatorID (or anything else) was damaged is still checked; records of
// other seeds and other creators are counted and not read. The error is
// for a store that cannot be enumerated; damaged or unreadable records
// are in the [Report].
func (g *Gen) Verify(d Device) (*Report, error) {
	ids, err := d.IDs()
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	r := &Report{Seed: g.seed}
	for _, id := range ids {
		if _, ok := g.Index(id); !ok {
			if IsTortureID(id) {
				r.OtherSeeds++
			} else {
				r.Others++
			}
			continue
		}
		rec, err := d.Read(id)
		if err == nil {
			err = g.Check(id, rec)
		}
		if err != nil {
			r.Faults = append(r.Faults, Fault{ID: id, Err: err})
			continue
		}
		r.Intact = append(r.Intact, id)
	}
	r.Missing = g.gaps(r)
	return r, nil
}
