package main

import (
	"errors"
	"flag"
	"fmt"

	"github.com/goerst/erst/erst/batch"
	"github.com/goerst/erst/erst/cper"
)

func init() {
	register(&command{name: "ls", summary: "List the stored record ids, with a one-line CPER summary each.", setup: setupLs})
}

type lsEntry struct {
	ID      string `json:"id"`
	Length  int    `json:"length"`
	Summary string `json:"summary,omitempty"`
	Error   string `json:"error,omitempty"`
}

// readFailures prints one line on stderr for each record the device could
// not read and returns an error counting them (exit 1), joined with the
// store's findings; ls and dump list what they could read, on stdout.
func (e *env) readFailures(cmd string, recs []batch.Stored) error {
	n := 0
	for _, r := range recs {
		if r.Unread {
			fmt.Fprintf(e.stderr, "erst %s: %s\n", cmd, oneLine(r.Err.Error()))
			n++
		}
	}
	var err error
	if n > 0 {
		err = fmt.Errorf("%d of %d records could not be read", n, len(recs))
	}
	return errors.Join(err, e.storeFindings())
}

// storedRecords opens the device and reads and decodes every record, in
// store order. A record that cannot be read or decoded is reported in its
// entry; the enumeration itself failing is an error.
func (e *env) storedRecords(cmd string, args []string) ([]batch.Stored, error) {
	if len(args) > 0 {
		return nil, usagef("%s takes no arguments", cmd)
	}
	d, err := e.openDevice()
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
		out := make([]lsEntry, len(recs))
		for i, r := range recs {
			out[i] = lsEntry{ID: hex64(r.ID), Length: len(r.Raw)}
			if r.Err != nil {
				out[i].Error = r.Err.Error()
			} else {
				out[i].Summary = cper.Summary(r.Rec)
			}
		}
		if *asJSON {
			if err := printJSON(e.stdout, map[string]any{"records": out}); err != nil {
				return err
			}
			return e.readFailures("ls", recs)
		}
		for i, l := range out {
			if !recs[i].Unread {
				fmt.Fprintf(e.stdout, "%-18s %s%s\n", l.ID, l.Summary, l.Error)
			}
		}
		return e.readFailures("ls", recs)
	}
}
