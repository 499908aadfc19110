package main

import (
	"errors"
	"flag"
	"fmt"

	"github.com/goerst/erst/erst/target"
	"github.com/goerst/erst/erst/torture"
	"github.com/goerst/erst/internal/cli"
)

func init() {
	register(&command{Name: "verify", Summary: `Check every byte of every torture record of -seed in the store, header included.
Each damaged or unreadable record is named on a line "corrupt ID: ..." or
"unreadable ID: ...", each missing one on "missing ID: ...", and the exit
status is 1; otherwise a summary line, exit 0. Missing: with -acks FILE (the
output of torture runs), each "ack ID" not followed by "clear ID"; without,
the counters absent between the seed's lowest and highest in the store. No
record of the seed at all is exit 1 unless -empty-ok. Records of other seeds
and creators are counted, not read.`, Setup: setupVerify})
}

func setupVerify(fs *flag.FlagSet) func(*env, []string) error {
	seed := seedFlag(fs)
	asJSON := fs.Bool("json", false, "print JSON: intact ids, faults, missing ids, counts of other records")
	acks := fs.String("acks", "", "`file` with the output of the torture runs of -seed (- for stdin): the records acknowledged (\"ack ID\") and not cleared since (\"clear ID\") must all be there")
	emptyOK := fs.Bool("empty-ok", false, "succeed when the store holds no record of -seed (and -acks, if given, expects none)")
	return func(e *env, args []string) error {
		if len(args) > 0 {
			return cli.Usagef("verify takes no arguments")
		}
		var acked []uint64
		if *acks != "" {
			var err error
			if acked, err = readAcksFile(e, *acks); err != nil {
				return err
			}
		}
		d, g, err := e.tortureGen(*seed, target.ReadOnly)
		if err != nil {
			return err
		}
		var rep *torture.Report
		if *acks != "" {
			rep, err = g.VerifyAcked(d, acked)
			if errors.Is(err, torture.ErrAcks) {
				return cli.Usagef("-acks %s: %v", *acks, err)
			}
		} else {
			rep, err = g.Verify(d)
		}
		if err != nil {
			return err
		}
		empty := rep.Found() == 0 && !*emptyOK
		if *asJSON {
			j := rep.JSON()
			j.OK = j.OK && !empty
			err = cli.PrintJSON(e.stdout, j)
		} else {
			err = rep.WriteText(e.stdout, *acks)
		}
		if err != nil {
			return err
		}
		errs := []error{rep.Err()}
		if empty {
			errs = append(errs, fmt.Errorf("no record of seed %#x in the store (a mistyped -seed? -empty-ok accepts an empty result)", *seed))
		}
		return errors.Join(errs...)
	}
}

// readAcksFile reads -acks: torture's output from a file, or stdin for -.
func readAcksFile(e *env, name string) ([]uint64, error) {
	in, _, err := cli.OpenInput(name, e.stdin)
	if err != nil {
		return nil, fmt.Errorf("-acks: %w", err)
	}
	defer in.Close()
	ids, err := torture.ReadAcks(in)
	if err != nil {
		return nil, cli.Usagef("-acks %s: %v", name, err)
	}
	return ids, nil
}
