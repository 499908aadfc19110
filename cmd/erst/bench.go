package main

import (
	"context"
	"errors"
	"flag"
	"math"
	"os"
	"os/signal"
	"syscall"

	"github.com/goerst/erst/erst/bench"
	"github.com/goerst/erst/erst/target"
	"github.com/goerst/erst/internal/cli"
	"github.com/goerst/erst/internal/size"
)

func init() {
	register(&command{Name: "bench", Summary: `Time count, ids, dummy-write, write, read and clear on the device, -n times each.
Prints per operation the mean, median, 99th percentile, minimum and maximum
latency, the register accesses per operation (each one a VM exit on real
hardware) beside the fewest the table allows, the Go heap allocations per
operation (counted in untimed runs after the timed ones, at most 100), and
floor×: the driver against the same register accesses replayed raw, without
the interpreter, in the same iteration (the median of the iterations'
ratios; JSON floor_ratio; -samples adds every iteration's times). Writes,
reads back and clears one record of -size bytes per iteration, under id
` + hex64(bench.ID) + `; with -fill N, N more records are stored first (ids
from ` + hex64(bench.ID+1) + `), so that ids is timed at scale. It refuses to
run if a record in [` + hex64(bench.ID) + `, ` + hex64(bench.IDEnd) + `] is
stored, and clears what it wrote, also on error or interrupt, so the store
keeps the records it had.`, Setup: setupBench})
}

func setupBench(fs *flag.FlagSet) func(*env, []string) error {
	var o bench.Options
	fs.IntVar(&o.N, "n", 1000, "run each operation `N` times")
	recSize := size.Flag(0)
	fs.Var(&recSize, "size", "record size in `bytes`, at least 200 (K suffix allowed; default: the largest the device takes, the error log address range length, 8192 on QEMU)")
	fs.IntVar(&o.Fill, "fill", 0, "store `N` more records before timing (cleared after), so that ids is timed at scale")
	asJSON := fs.Bool("json", false, "print JSON (latencies in nanoseconds)")
	fs.BoolVar(&o.Samples, "samples", false, "with -json: add each operation's time in every iteration, the driver's and its floor's (samples_ns)")
	return func(e *env, args []string) error {
		if len(args) > 0 {
			return cli.Usagef("bench takes flags only")
		}
		if o.Samples && !*asJSON {
			return cli.Usagef("-samples needs -json")
		}
		o.RecordSize = int(min(uint64(recSize), math.MaxInt))
		if err := o.Validate(); err != nil {
			return cli.Usage(err)
		}
		d, err := e.open(target.ReadWrite)
		if err != nil {
			return err
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		res, err := bench.Run(ctx, d.Device, o)
		switch {
		case errors.Is(err, bench.ErrOptions):
			return cli.Usage(err)
		case err != nil:
			return err
		}
		res.Device = d.Where
		if *asJSON {
			return cli.PrintJSON(e.stdout, res)
		}
		return res.WriteText(e.stdout)
	}
}
