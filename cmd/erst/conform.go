package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/goerst/erst/erst/conform"
	"github.com/goerst/erst/erst/hw"
	"github.com/goerst/erst/erst/pshed/pshedtest"
)

func init() {
	register(&command{name: "conform", summary: `Check the device: the driver-level behaviour Linux and Windows rely on and the PSHED
persistence contract (pshedtest), one line per check with pass, fail or skip and the reason.
It uses only the record ids pshedtest reserves (0x7073686564000000 and the 2^41 after), needs
room for 5 records of the error log range length, clears what it wrote after each check and
checks that every other record reads back byte for byte. Its checks include the execute time
it measures against the one the table announces (on a -store file, the simulator's modelled
time: none, or what -fault slow=D adds), and a full store.
Exit status: 0 every check passed (or was skipped with a reason), 1 a check failed, 2 the run
could not start (bad usage, no device, too little room, reserved ids already in the store).`, setup: setupConform})
}

type conformCheckJSON struct {
	Name   string `json:"name"`
	Result string `json:"result"` // pass, fail, skip
	Reason string `json:"reason"`
}

type conformJSON struct {
	Device    string             `json:"device"`
	RecordLen int                `json:"record_length"` // the longest record written: the range length, or the NVRAM slot
	Room      *int               `json:"room"`          // records of record_length the store had room for; null unknown
	Foreign   int                `json:"foreign_records"`
	Passed    bool               `json:"passed"`
	Failed    []string           `json:"failed"`
	Checks    []conformCheckJSON `json:"checks"`
}

func setupConform(fs *flag.FlagSet) func(*env, []string) error {
	asJSON := fs.Bool("json", false, "print JSON")
	samples := fs.Int("samples", 50, "dummy writes the Timings check times")
	return func(e *env, args []string) error {
		if len(args) > 0 {
			return usagef("conform takes no arguments")
		}
		if *samples < 1 {
			return usagef("-samples %d: want at least 1", *samples)
		}
		if e.g.store != "" {
			// A simulated device's execute time is the simulator's, not
			// the host's: Timings then checks what the device models
			// (-fault slow=D takes D), whatever the host's speed.
			e.g.simClock = hw.NewFakeClock()
		}
		d, err := e.openDeviceWrite()
		if err != nil {
			return usageErr(err)
		}
		o := conform.Options{Samples: *samples, RecordLength: d.MaxRecordSize()}
		if c := e.g.simClock; c != nil {
			o.Clock = c.Now
		}
		if d.st != nil {
			o.Free, o.FreeKnown = d.st.FreeSlots(), true
		}
		if !*asJSON {
			fmt.Fprintf(e.stdout, "conform: %s: needs room for %d records of %d bytes; uses only ids %#x to %#x\n",
				d.where, pshedtest.Room, o.RecordLength, pshedtest.IDBase, pshedtest.IDBase+pshedtest.IDSpan-1)
		}
		rep, err := conform.Run(d.Device, o)
		if errors.Is(err, conform.ErrCannotRun) {
			return usageErr(err)
		}
		if err != nil {
			return err
		}
		j := conformJSON{Device: d.where, RecordLen: rep.RecordLength, Foreign: rep.Foreign, Failed: rep.Failed(), Checks: []conformCheckJSON{}}
		if j.Failed == nil {
			j.Failed = []string{}
		}
		j.Passed = len(j.Failed) == 0
		if rep.FreeKnown {
			j.Room = &rep.Free
		}
		for _, r := range rep.Results {
			j.Checks = append(j.Checks, conformCheckJSON{Name: r.Name, Result: r.Outcome.String(), Reason: oneLine(r.Reason())})
		}
		if *asJSON {
			if err := printJSON(e.stdout, j); err != nil {
				return err
			}
		} else {
			room := "unknown"
			if j.Room != nil {
				room = fmt.Sprint(*j.Room)
			}
			fmt.Fprintf(e.stdout, "conform: room for %s records; %d other records in the store, left alone\n\n", room, j.Foreign)
			fmt.Fprintf(e.stdout, "%-26s %-6s %s\n", "CHECK", "RESULT", "REASON")
			counts := map[string]int{}
			for _, c := range j.Checks {
				fmt.Fprintf(e.stdout, "%-26s %-6s %s\n", c.Name, c.Result, c.Reason)
				counts[c.Result]++
			}
			fmt.Fprintf(e.stdout, "\nconform: %d checks: %d pass, %d fail, %d skip\n", len(j.Checks), counts["pass"], counts["fail"], counts["skip"])
		}
		if !j.Passed {
			return fmt.Errorf("%d checks failed: %s", len(j.Failed), strings.Join(j.Failed, ", "))
		}
		return nil
	}
}
