package main

import (
	"flag"

	"github.com/goerst/erst/erst/store"
	"github.com/goerst/erst/internal/cli"
)

func init() {
	register(&command{Name: "fsck", Summary: `Check the -store file's consistency, read-only: header, record count against
the map, ids in the map (~0, duplicates, on header slots), each record
against its map entry (id, length, CPER validity), storage_offset.
One finding per line: CODE [slot N] [id ID]: detail. Exit 0 clean, 1
findings, 2 when the file cannot be checked (missing, not a store, in use).
An overwrite torn mid-write shows only where it broke the format (see
erst/store).`, Setup: setupFsck})
}

func setupFsck(flags *flag.FlagSet) func(*env, []string) error {
	asJSON := flags.Bool("json", false, "print JSON: {\"store\", \"clean\", \"findings\": [{\"code\", \"slot\", \"id\", \"detail\"}]}")
	return func(e *env, args []string) error {
		if len(args) > 0 {
			return cli.Usagef("fsck takes no arguments")
		}
		path := e.g.store
		if path == "" {
			return cli.Usagef("fsck needs -store FILE: it checks a backing file, not the live device")
		}
		found, err := store.Check(path)
		if err != nil {
			return storeError(path, err)
		}
		r := store.Report{Path: path, Findings: found}
		if *asJSON {
			err = cli.PrintJSON(e.stdout, r)
		} else {
			err = r.WriteText(e.stdout)
		}
		if err != nil {
			return err
		}
		if len(found) > 0 {
			return cli.Silent(cli.ExitFailure)
		}
		return nil
	}
}
