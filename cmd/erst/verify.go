package main

import (
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/goerst/erst/erst/torture"
)

func init() {
	register(&command{name: "verify", summary: `Check every byte of every torture record of -seed in the store, header included.
Each damaged or unreadable record is named on a line "corrupt ID: ..." or
"unreadable ID: ...", each missing one on "missing ID: ...", and the exit
status is 1; otherwise a summary line, exit 0. Missing: with -acks FILE (the
output of torture runs), each "ack ID" not followed by "clear ID"; without,
the counters absent between the seed's lowest and highest in the store. No
record of the seed at all is exit 1 unless -empty-ok. Records of other seeds
and creators are counted, not read.`, setup: setupVerify})
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
	Missing    []string          `json:"missing"`
	OtherSeeds int               `json:"other_seeds"`
	Others     int               `json:"others"`
}

func setupVerify(fs *flag.FlagSet) func(*env, []string) error {
	seed := seedFlag(fs)
	asJSON := fs.Bool("json", false, "print JSON: intact ids, faults, missing ids, counts of other records")
	acks := fs.String("acks", "", "`file` with the output of the torture runs of -seed (- for stdin): the records acknowledged (\"ack ID\") and not cleared since (\"clear ID\") must all be there")
	emptyOK := fs.Bool("empty-ok", false, "succeed when the store holds no record of -seed (and -acks, if given, expects none)")
	return func(e *env, args []string) error {
		if len(args) > 0 {
			return usagef("verify takes no arguments")
		}
		var acked []uint64
		if *acks != "" {
			var err error
			if acked, err = readAcksFile(e, *acks); err != nil {
				return err
			}
		}
		d, g, err := e.tortureGen(*seed, false)
		if err != nil {
			return err
		}
		var rep *torture.Report
		if *acks != "" {
			rep, err = g.VerifyAcked(d, acked)
			if errors.Is(err, torture.ErrAcks) {
				return usagef("-acks %s: %v", *acks, err)
			}
		} else {
			rep, err = g.Verify(d)
		}
		if err != nil {
			return err
		}
		j := verifyJSON{Seed: hex64(*seed), OK: rep.OK(), Intact: []string{}, Faults: []verifyFaultJSON{}, Missing: []string{}, OtherSeeds: rep.OtherSeeds, Others: rep.Others}
		for _, id := range rep.Missing {
			j.Missing = append(j.Missing, hex64(id))
		}
		empty := rep.Found() == 0 && !*emptyOK
		if empty {
			j.OK = false
		}
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
			why := "between the seed's lowest and highest counter in the store"
			if *acks != "" {
				why = "acknowledged in " + *acks + " and not cleared since"
			}
			for _, id := range j.Missing {
				fmt.Fprintf(e.stdout, "missing %s: %s, not in the store\n", id, why)
			}
			fmt.Fprintf(e.stdout, "verify: seed %#x: %d records intact, %d failed, %d missing; %d torture records of other seeds and %d other records left alone\n",
				*seed, len(rep.Intact), len(rep.Faults), len(rep.Missing), rep.OtherSeeds, rep.Others)
		}
		var errs []error
		if !rep.OK() {
			ids := make([]string, 0, len(j.Faults)+len(j.Missing))
			for _, f := range j.Faults {
				ids = append(ids, f.ID)
			}
			ids = append(ids, j.Missing...)
			errs = append(errs, fmt.Errorf("%d of %d records of seed %#x failed verification, %d missing: %v", len(rep.Faults), rep.Found(), *seed, len(rep.Missing), ids))
		}
		if empty {
			errs = append(errs, fmt.Errorf("no record of seed %#x in the store (a mistyped -seed? -empty-ok accepts an empty result)", *seed))
		}
		return errors.Join(errs...)
	}
}

// readAcksFile reads -acks: torture's output from a file, or stdin for -.
func readAcksFile(e *env, name string) ([]uint64, error) {
	in := e.stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, usageErr(fmt.Errorf("-acks: %w", err))
		}
		defer f.Close()
		in = f
	}
	ids, err := torture.ReadAcks(in)
	if err != nil {
		return nil, usagef("-acks %s: %v", name, err)
	}
	return ids, nil
}
