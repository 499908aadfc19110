package main

import (
	"cmp"
	"errors"
	"flag"
	"os"
	"time"

	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/cper"
	"github.com/goerst/erst/internal/cli"
)

func init() {
	register(&command{Name: "new", Summary: "Build a valid CPER record from flags and write it to -o or stdout.", Setup: setupNew})
}

// newIDs are erst new's ids when -id is not given: Linux's layout, each
// above the last within the process.
var newIDs cper.RecordIDs

func setupNew(fs *flag.FlagSet) func(*env, []string) error {
	id := fs.String("id", "", "record id, decimal or 0x-hex (default: Linux-style, the time in seconds << 32 plus the nanoseconds, so ids made one after another differ and sort in order)")
	sev := fs.String("severity", "fatal", "record and section severity: fatal, recoverable, corrected, informational")
	notify := fs.String("notify", "MCE", "notification type: a name (MCE, CMC, NMI, PCIe, BOOT, ...) or a GUID")
	creator := fs.String("creator", "LinuxPstore", "creator: a name or a GUID (LinuxPstore: time, revision and flags as Linux's erst_writer sets them)")
	section := fs.String("section", "DMESG", "section type: a name or a GUID")
	payload := fs.String("payload", "", "section body from this `file` (default: a one-line text for DMESG, a zeroed structure with no field valid for ProcessorGeneric, PlatformMemory, PlatformMemory2, PCIe and PCIXBus; other types need -payload or -text)")
	text := fs.String("text", "", "section body text (instead of -payload)")
	out := fs.String("o", "", "write the record to this `file` instead of stdout")
	compress := fs.Bool("compress", false, "deflate the body into a DMESG_Z section, as Linux's pstore does by default (the section type must be DMESG;\nLinux 6.1 inflates at most 17760 bytes of text from an 8 KiB ERST range)")
	return func(e *env, args []string) error {
		if len(args) > 0 {
			return cli.Usagef("new takes flags only")
		}
		if err := e.checkOutput(*out); err != nil {
			return err
		}
		var s cper.Single
		var err error
		if *id == "" {
			s.ID = newIDs.Next(time.Now())
		} else if s.ID, err = erst.ParseID(*id); err == nil {
			err = erst.CheckID(s.ID)
		}
		if err == nil {
			err = s.ParseNames(*sev, *notify, *creator, *section)
		}
		if err != nil {
			return cli.Usage(err)
		}
		if s.Compress = *compress; s.Compress && s.Type != cper.SectionTypeDmesg {
			return cli.Usagef("-compress makes a DMESG_Z section from a DMESG one; -section is %v", s.Type)
		}
		switch {
		case *payload != "" && *text != "":
			return cli.Usagef("-payload and -text are exclusive")
		case *payload != "":
			if s.Body, err = os.ReadFile(*payload); err != nil {
				return cli.Usage(err)
			}
		case *text != "" || s.Type == cper.SectionTypeDmesg:
			s.Body = []byte(cmp.Or(*text, "erst new: test record\n"))
		}
		rec, err := s.Bytes()
		if errors.Is(err, cper.ErrNoDefaultBody) {
			return cli.Usagef("-section %v: no default body for this section type; give -payload FILE or -text", s.Type)
		}
		if err != nil {
			return err
		}
		return e.output(*out, rec)
	}
}
