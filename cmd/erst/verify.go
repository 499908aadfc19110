package main

import (
	"errors"
	"flag"
	"fmt"

	"github.com/goerst/erst/erst/torture"
)

func init() {
	register(&command{name: "verify", summary: `Check every byte of every torture record of -seed in the store, header included.
Each damaged or unreadable record is named on a line "corrupt ID: ..." or
"unreadable ID: ..." and the exit status is 1; otherwise a summary line, exit 0.
Records of other seeds and creators are counted, not read.`, setup: setupVerify})
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
		d, g, err := e.tortureGen(*seed, false)
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
