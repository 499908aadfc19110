package main

import (
	"errors"
	"flag"
	"fmt"

	"github.com/goerst/erst/erst/batch"
	"github.com/goerst/erst/erst/target"
	"github.com/goerst/erst/internal/cli"
	"github.com/goerst/erst/internal/textout"
)

func init() {
	register(&command{Name: "ls", Summary: "List the stored record ids, with a one-line CPER summary each.", Setup: setupLs})
}

// readFailures prints one line on stderr for each record the device could
// not read and returns an error counting them (exit 1), joined with the
// store's findings; ls and dump list what they could read, on stdout.
func (e *env) readFailures(cmd string, recs []batch.Stored) error {
	for _, r := range recs {
		if r.Unread {
			fmt.Fprintf(e.stderr, "erst %s: %s\n", cmd, textout.OneLine(r.Err.Error()))
		}
	}
	return errors.Join(batch.UnreadError(recs), e.storeFindings())
}

// storedRecords opens the device and reads and decodes every record, in
// store order. A record that cannot be read or decoded is reported in its
// entry; the enumeration itself failing is an error.
func (e *env) storedRecords(cmd string, args []string) ([]batch.Stored, error) {
	if len(args) > 0 {
		return nil, cli.Usagef("%s takes no arguments", cmd)
	}
	d, err := e.open(target.ReadOnly)
	if err != nil {
		return nil, err
	}
	recs, err := batch.ReadAll(d)
	if err != nil {
		return nil, errors.Join(err, e.storeFindings())
	}
	return recs, nil
}

func setupLs(fs *flag.FlagSet) func(*env, []string) error {
	asJSON := fs.Bool("json", false, "print JSON")
	return func(e *env, args []string) error {
		recs, err := e.storedRecords("ls", args)
		if err != nil {
			return err
		}
		if *asJSON {
			err = cli.PrintJSON(e.stdout, map[string]any{"records": batch.ListEntries(recs)})
		} else {
			err = batch.WriteList(e.stdout, recs)
		}
		if err != nil {
			return err
		}
		return e.readFailures("ls", recs)
	}
}
