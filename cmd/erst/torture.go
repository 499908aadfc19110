package main

import (
	"flag"

	"github.com/goerst/erst/erst/target"
	"github.com/goerst/erst/erst/torture"
	"github.com/goerst/erst/internal/cli"
)

func init() {
	register(&command{Name: "torture", Summary: `Write -n torture records, each byte derived from (-seed, id); print "ack ID" for each write the device acknowledged.
Ids are 0x7e, 24 bits of the seed's hash, a 32-bit counter: seeds never collide,
and without -start a run goes on after the highest counter of its seed in the store.
Sizes run from the 128-byte header alone to the error log range length. When the
store is full, torture prints "clear ID" and clears its own oldest record, never
another; the output then says which records must still be there (erst verify).`, Setup: setupTorture})
}

// seedFlag registers -seed, decimal or 0x-hex.
func seedFlag(fs *flag.FlagSet) *uint64 {
	return fs.Uint64("seed", 1, "torture `seed` (decimal or 0x-hex): with the record id it determines every byte")
}

// tortureGen opens the device with access (a -store file for writing for
// torture, read-only for verify; neither creates one) and the generator
// of seed for its range.
func (e *env) tortureGen(seed uint64, access target.Mode) (*target.Device, *torture.Gen, error) {
	d, err := e.open(access)
	if err != nil {
		return nil, nil, err
	}
	g, err := torture.New(seed, d.Range().Length)
	return d, g, err
}

func setupTorture(fs *flag.FlagSet) func(*env, []string) error {
	seed := seedFlag(fs)
	n := fs.Int("n", 100, "how many records to write")
	start := fs.Uint64("start", 0, "counter of the first record (1 to 4294967294); 0: one past the highest of the seed in the store")
	readBack := fs.Bool("readback", false, "read every acknowledged record back and check it before the next write")
	keep := fs.Int("keep", 0, "keep at most this many records of the seed: clear the oldest before writing a new one (0: only when the store is full)")
	return func(e *env, args []string) error {
		if len(args) > 0 {
			return cli.Usagef("torture takes no arguments")
		}
		switch {
		case *n < 0:
			return cli.Usagef("-n %d: want a count of records, 0 or more", *n)
		case *start > torture.MaxIndex:
			return cli.Usagef("-start %d: want a counter from 1 to %d, or 0 for one past the highest in the store", *start, torture.MaxIndex)
		case *keep < 0:
			return cli.Usagef("-keep %d: want a count of records, 0 or more (0: clear only when the store is full)", *keep)
		}
		d, g, err := e.tortureGen(*seed, target.ReadWrite)
		if err != nil {
			return err
		}
		log := torture.Log{W: e.stdout}
		s, err := g.Torture(d, torture.Options{
			N: *n, Start: uint32(*start), Keep: *keep, ReadBack: *readBack,
			Ack: log.Ack, Clearing: log.Clear,
		})
		if err != nil {
			return err
		}
		return s.WriteText(e.stdout, d.Where)
	}
}
