package main

import (
	"errors"
	"flag"
	"fmt"

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

// stored is one record as ls and dump see it: its bytes, or why they
// could not be read or decoded.
type stored struct {
	id  uint64
	raw []byte
	rec *cper.Record
	err error // the read failed, or the bytes are not a valid CPER record
	// unread: err is the device's, the record could not be read at all.
	unread bool
}

// readFailures prints one line on stderr for each record the device could
// not read and returns an error counting them (exit 1), joined with the
// store's findings; ls and dump list what they could read, on stdout.
func (e *env) readFailures(cmd string, recs []stored) error {
	n := 0
	for _, r := range recs {
		if r.unread {
			fmt.Fprintf(e.stderr, "erst %s: %s\n", cmd, oneLine(r.err.Error()))
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
func (e *env) storedRecords(cmd string, args []string) ([]stored, error) {
	if len(args) > 0 {
		return nil, usagef("%s takes no arguments", cmd)
	}
	d, err := e.openDevice()
	if err != nil {
		return nil, err
	}
	ids, err := d.IDs()
	if err != nil {
		return nil, errors.Join(err, e.storeFindings())
	}
	out := make([]stored, len(ids))
	for i, id := range ids {
		s := &out[i]
		s.id = id
		if s.raw, s.err = d.Read(id); s.err != nil {
			s.unread = true
			continue
		}
		if s.rec, err = cper.Parse(s.raw); err != nil {
			s.err = fmt.Errorf("not a valid CPER record: %w", err)
		}
	}
	return out, nil
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
			out[i] = lsEntry{ID: hex64(r.id), Length: len(r.raw)}
			if r.err != nil {
				out[i].Error = r.err.Error()
			} else {
				out[i].Summary = cper.Summary(r.rec)
			}
		}
		if *asJSON {
			if err := printJSON(e.stdout, map[string]any{"records": out}); err != nil {
				return err
			}
			return e.readFailures("ls", recs)
		}
		for i, l := range out {
			if !recs[i].unread {
				fmt.Fprintf(e.stdout, "%-18s %s%s\n", l.ID, l.Summary, l.Error)
			}
		}
		return e.readFailures("ls", recs)
	}
}
