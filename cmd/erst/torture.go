package main

import (
	"errors"
	"flag"
	"fmt"

	"github.com/goerst/erst/erst/torture"
)

func init() {
	register(&command{name: "torture", summary: `Write -n torture records, each byte derived from (-seed, id); print "ack ID" for each write the device acknowledged.
Ids are 0x7e, 24 bits of the seed's hash, a 32-bit counter: seeds never collide,
and without -start a run goes on after the highest counter of its seed in the store.
Sizes run from the 128-byte header alone to the error log range length. When the
store is full, torture prints "clear ID" and clears its own oldest record, never
another; the output then says which records must still be there (erst verify).`, setup: setupTorture})
	register(&command{name: "verify", summary: `Check every byte of every torture record of -seed in the store, header included.
Each damaged or unreadable record is named on a line "corrupt ID: ..." or
"unreadable ID: ..." and the exit status is 1; otherwise a summary line, exit 0.
Records of other seeds and creators are counted, not read.`, setup: setupVerify})
}

// seedFlag registers -seed, decimal or 0x-hex.
func seedFlag(fs *flag.FlagSet) *uint64 {
	return fs.Uint64("seed", 1, "torture `seed` (decimal or 0x-hex): with the record id it determines every byte")
}

// tortureGen opens the device and the generator of seed for its range.
func (e *env) tortureGen(seed uint64) (*device, *torture.Gen, error) {
	d, err := e.openDevice()
	if err != nil {
		return nil, nil, err
	}
	g, err := torture.New(seed, d.Range().Length)
	if err != nil {
		return nil, nil, err
	}
	return d, g, nil
}

func setupTorture(fs *flag.FlagSet) func(*env, []string) error {
	seed := seedFlag(fs)
	n := fs.Int("n", 100, "how many records to write")
	start := fs.Uint64("start", 0, "counter of the first record (1 to 4294967294); 0: one past the highest of the seed in the store")
	readBack := fs.Bool("readback", false, "read every acknowledged record back and check it before the next write")
	return func(e *env, args []string) error {
		if len(args) > 0 {
			return usagef("torture takes no arguments")
		}
		if *n < 0 || *start > torture.MaxIndex {
			return usagef("-n %d / -start %d out of range", *n, *start)
		}
		d, g, err := e.tortureGen(*seed)
		if err != nil {
			return err
		}
		s, err := g.Torture(d, torture.Options{
			N: *n, Start: uint32(*start), ReadBack: *readBack,
			Ack: func(id uint64) error {
				_, err := fmt.Fprintf(e.stdout, "ack %#x\n", id)
				return err
			},
			Clearing: func(id uint64) error {
				_, err := fmt.Fprintf(e.stdout, "clear %#x\n", id)
				return err
			},
		})
		if err != nil {
			return err
		}
		if s.Written == 0 {
			fmt.Fprintf(e.stdout, "torture: seed %#x: nothing written\n", *seed)
			return nil
		}
		fmt.Fprintf(e.stdout, "torture: seed %#x: %d records acknowledged (%#x to %#x), %d of its own cleared to make room, on the %s\n",
			*seed, s.Written, s.First, s.Last, s.Cleared, d.where)
		return nil
	}
}

type verifyFaultJSON struct {
	ID      string `json:"id"`
	Corrupt bool   `json:"corrupt"` // false: the read failed
	Error   string `json:"error"`
}

type verifyJSON struct {
	Seed       string            `json:"seed"`
	OK         bool              `json:"ok"`
	Intact     []string          `json:"intact"`
	Faults     []verifyFaultJSON `json:"faults"`
	OtherSeeds int               `json:"other_seeds"`
	Others     int               `json:"others"`
}

func setupVerify(fs *flag.FlagSet) func(*env, []string) error {
	seed := seedFlag(fs)
	asJSON := fs.Bool("json", false, "print JSON: intact ids, faults, counts of other records")
	return func(e *env, args []string) error {
		if len(args) > 0 {
			return usagef("verify takes no arguments")
		}
		d, g, err := e.tortureGen(*seed)
		if err != nil {
			return err
		}
		rep, err := g.Verify(d)
		if err != nil {
			return err
		}
		j := verifyJSON{Seed: hex64(*seed), OK: rep.OK(), Intact: []string{}, Faults: []verifyFaultJSON{}, OtherSeeds: rep.OtherSeeds, Others: rep.Others}
		for _, id := range rep.Intact {
			j.Intact = append(j.Intact, hex64(id))
		}
		for _, f := range rep.Faults {
			j.Faults = append(j.Faults, verifyFaultJSON{ID: hex64(f.ID), Corrupt: errors.Is(f.Err, torture.ErrCorrupt), Error: oneLine(f.Err.Error())})
		}
		if *asJSON {
			if err := printJSON(e.stdout, j); err != nil {
				return err
			}
		} else {
			for _, f := range j.Faults {
				what := "unreadable"
				if f.Corrupt {
					what = "corrupt"
				}
				fmt.Fprintf(e.stdout, "%s %s: %s\n", what, f.ID, f.Error)
			}
			fmt.Fprintf(e.stdout, "verify: seed %#x: %d records intact, %d failed; %d torture records of other seeds and %d other records left alone\n",
				*seed, len(rep.Intact), len(rep.Faults), rep.OtherSeeds, rep.Others)
		}
		if !rep.OK() {
			ids := make([]string, len(j.Faults))
			for i, f := range j.Faults {
				ids[i] = f.ID
			}
			return fmt.Errorf("%d of %d records of seed %#x failed verification: %v", len(rep.Faults), len(rep.Faults)+len(rep.Intact), *seed, ids)
		}
		return nil
	}
}
