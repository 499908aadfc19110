package main

import (
	"flag"
	"fmt"

	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/batch"
	"github.com/goerst/erst/erst/target"
	"github.com/goerst/erst/internal/cli"
)

func init() {
	register(&command{Name: "clear", Args: "ID...|-all", Summary: "Clear the given records, or every record with -all.", Setup: setupClear})
}

func setupClear(fs *flag.FlagSet) func(*env, []string) error {
	all := fs.Bool("all", false, "clear every record; on a -store file erst fsck finds inconsistent, clear nothing and exit 1")
	return func(e *env, args []string) error {
		if *all == (len(args) > 0) {
			return cli.Usagef("clear takes record IDs or -all, not both or neither")
		}
		var ids []uint64
		for _, a := range args {
			id, err := erst.ParseID(a)
			if err == nil {
				err = erst.CheckID(id)
			}
			if err != nil {
				return cli.Usage(err)
			}
			ids = append(ids, id)
		}
		d, err := e.open(target.ReadWrite)
		if err != nil {
			return err
		}
		if *all {
			// On an inconsistent store, clearing every record would
			// stop part-way or miss some: clear nothing.
			if err := e.storeFindings(); err != nil {
				return fmt.Errorf("%w; nothing cleared", err)
			}
			if ids, err = d.IDs(); err != nil {
				return err
			}
		}
		return batch.Clear(d, ids, func(id uint64) { fmt.Fprintf(e.stdout, "cleared %s\n", hex64(id)) })
	}
}
