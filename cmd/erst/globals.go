package main

import (
	"flag"

	"github.com/goerst/erst/erst/hw"
	"github.com/goerst/erst/erst/sim"
	"github.com/goerst/erst/erst/store"
	"github.com/goerst/erst/erst/target"
	"github.com/goerst/erst/internal/cli"
	"github.com/goerst/erst/internal/size"
)

// globalFlags are the flags before the subcommand.
type globalFlags struct {
	store      string // simulated device over this QEMU backing file
	storeSize  size.Flag
	recordSize size.Flag
	sizeErr    error // a bad -store-size or -record-size, reported by the commands that create
	trace      bool
	tablePath  string // ERST table to use instead of the live one
	faults     sim.Faults

	closers []func() error
	opened  *target.Device // the device once a command opened it
	// simClock, when set before a -store file is opened, is the clock of
	// the simulated device and of the driver over it: the device's time as
	// the simulator models it (an operation takes no time unless a fault
	// says so), not the host's.
	simClock *hw.FakeClock

	// storeSizeSet and recordSizeSet: the flag was given (create checks
	// an existing store against it).
	storeSizeSet, recordSizeSet bool
}

// lazySize is a size flag whose parse error waits for a command that
// creates a store: a one-line error stating the limit, instead of the
// flag package's error followed by the whole usage.
type lazySize struct {
	f    *size.Flag
	name string
	err  *error
	set  *bool
}

func (l lazySize) String() string {
	if l.f == nil {
		return ""
	}
	return l.f.String()
}

func (l lazySize) Set(v string) error {
	*l.set = true
	if err := l.f.Set(v); err != nil {
		*l.err = cli.Usagef("-%s %s: not a size: want bytes with an optional K, M or G suffix, at most 4 GiB - 1 (QEMU keeps storage_size in 32 bits)", l.name, v)
	}
	return nil
}

// checkStoreFlags reports a bad -store-size or -record-size, stating the
// limits, for a command about to create a store.
func (g *globalFlags) checkStoreFlags() error {
	if g.sizeErr != nil {
		return g.sizeErr
	}
	return exitCode(g.options().CheckGeometry())
}

// options is the device the global flags name.
func (g *globalFlags) options() target.Options {
	o := target.Options{Store: g.store, StoreSize: uint64(g.storeSize), RecordSize: uint64(g.recordSize),
		StoreSizeSet: g.storeSizeSet, RecordSizeSet: g.recordSizeSet, TableFile: g.tablePath, Faults: g.faults, LockPath: liveLockPath}
	if g.simClock != nil {
		o.Clock = g.simClock
	}
	return o
}

func (g *globalFlags) register(fs *flag.FlagSet) {
	g.storeSize = store.DefaultSize
	g.recordSize = store.DefaultRecordSize
	fs.StringVar(&g.store, "store", "", "use a simulated QEMU acpi-erst device over this backing `file` instead of the live device. Only create and write make\na store (of a missing, empty or zero-filled file, as QEMU does); other commands need an existing one, and\ninfo, ls, dump, read and verify open it read-only")
	fs.Var(lazySize{&g.storeSize, "store-size", &g.sizeErr, &g.storeSizeSet}, "store-size", "size of a new -store file (QEMU rules: a multiple of -record-size, under 4 GiB, with room for a record; K/M/G suffixes;\nthe default is QEMU's documented example)")
	fs.Var(lazySize{&g.recordSize, "record-size", &g.sizeErr, &g.recordSizeSet}, "record-size", "record slot size of a new -store file (a power of two >= 4096; QEMU's record_size)")
	fs.BoolVar(&g.trace, "trace", false, "print every register access with its action and instruction to stderr")
	fs.StringVar(&g.tablePath, "table", "", "ERST table `file` (binary or acpidump text) to use instead of the live one")
	fs.Var(&g.faults, "fault", sim.FaultsHelp)
}

func (g *globalFlags) onClose(f func() error) { g.closers = append(g.closers, f) }

func (g *globalFlags) close() {
	for i := len(g.closers) - 1; i >= 0; i-- {
		g.closers[i]()
	}
	g.closers = nil
}
