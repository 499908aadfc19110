package main

import (
	"errors"
	"flag"

	"github.com/goerst/erst/erst/conform"
	"github.com/goerst/erst/erst/hw"
	"github.com/goerst/erst/erst/target"
	"github.com/goerst/erst/internal/cli"
)

func init() {
	register(&command{Name: "conform", Summary: `Check the device: the driver-level behaviour Linux and Windows rely on and the PSHED
persistence contract (pshedtest), one line per check with pass, fail or skip and the reason.
It uses only the record ids pshedtest reserves (0x7073686564000000 and the 2^41 after), needs
room for 5 records of the error log range length, clears what it wrote after each check and
checks that every other record reads back byte for byte. Its checks include the execute time
it measures against the one the table announces (on a -store file, the simulator's modelled
time: none, or what -fault slow=D adds), and a full store.
Exit status: 0 every check passed (or was skipped with a reason), 1 a check failed, 2 the run
could not start (bad usage, no device, too little room, reserved ids already in the store).`, Setup: setupConform})
}

func setupConform(fs *flag.FlagSet) func(*env, []string) error {
	asJSON := fs.Bool("json", false, "print JSON")
	samples := fs.Int("samples", 50, "dummy writes the Timings check times")
	return func(e *env, args []string) error {
		if len(args) > 0 {
			return cli.Usagef("conform takes no arguments")
		}
		if *samples < 1 {
			return cli.Usagef("-samples %d: want at least 1", *samples)
		}
		if e.g.store != "" {
			// A simulated device's execute time is the simulator's, not
			// the host's: Timings then checks what the device models
			// (-fault slow=D takes D), whatever the host's speed.
			e.g.simClock = hw.NewFakeClock()
		}
		d, err := e.open(target.ReadWrite)
		if err != nil {
			return cli.Usage(err)
		}
		o := conform.Options{Samples: *samples, RecordLength: d.MaxRecordSize()}
		if c := e.g.simClock; c != nil {
			o.Clock = c.Now
		}
		if d.Store != nil {
			o.Free, o.FreeKnown = d.Store.FreeSlots(), true
		}
		if !*asJSON {
			if err := conform.WriteIntro(e.stdout, d.Where, o.RecordLength); err != nil {
				return err
			}
		}
		rep, err := conform.Run(d.Device, o)
		if errors.Is(err, conform.ErrCannotRun) {
			return cli.Usage(err)
		}
		if err != nil {
			return err
		}
		if *asJSON {
			err = cli.PrintJSON(e.stdout, rep.JSON(d.Where))
		} else {
			err = rep.WriteText(e.stdout)
		}
		if err != nil {
			return err
		}
		return rep.Err()
	}
}
