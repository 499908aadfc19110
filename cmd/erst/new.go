package main

import (
	"flag"
	"os"
	"time"

	"github.com/goerst/erst/erst/cper"
)

func init() {
	register(&command{name: "new", summary: "Build a valid CPER record from flags and write it to -o or stdout.", setup: setupNew})
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
			return usagef("new takes flags only")
		}
		if err := e.checkOutput(*out); err != nil {
			return err
		}
		b := cper.Builder{}
		var err error
		if *id == "" {
			b.RecordID = newIDs.Next(time.Now())
		} else if b.RecordID, err = parseID(*id); err != nil {
			return usageErr(err)
		}
		if err := reservedID(b.RecordID); err != nil {
			return err
		}
		if b.Severity, err = cper.ParseSeverity(*sev); err != nil {
			return usageErr(err)
		}
		if b.Notification, err = cper.ParseNotificationType(*notify); err != nil {
			return usageErr(err)
		}
		if b.Creator, err = cper.ParseCreatorID(*creator); err != nil {
			return usageErr(err)
		}
		if b.Creator == cper.CreatorLinuxPstore {
			b.SetLinuxPstore() // the header as Linux's erst_writer builds it
		}
		st, err := cper.ParseSectionType(*section)
		if err != nil {
			return usageErr(err)
		}
		if *compress && st != cper.SectionTypeDmesg {
			return usagef("-compress makes a DMESG_Z section from a DMESG one; -section is %v", st)
		}
		body := []byte(*text)
		switch {
		case *payload != "" && *text != "":
			return usagef("-payload and -text are exclusive")
		case *payload != "":
			if body, err = os.ReadFile(*payload); err != nil {
				return usageErr(err)
			}
		case *text != "":
		case st == cper.SectionTypeDmesg:
			body = []byte("erst new: test record\n")
		default:
			// A binary structure gets zeroes (no field valid), never text
			// read as validation bits.
			var ok bool
			if body, ok = cper.ZeroBody(st); !ok {
				return usagef("-section %v: no default body for this section type; give -payload FILE or -text", st)
			}
		}
		if *compress {
			st, body = cper.SectionTypeDmesgZ, cper.DeflateDmesg(body)
		}
		b.Sections = []cper.SectionSpec{{Type: st, Severity: b.Severity, Flags: cper.SectionPrimary, Body: body}}
		b.Persistence = cper.PersistenceInfo(cper.PersistenceSignature)
		rec, err := b.Bytes()
		if err != nil {
			return err
		}
		return e.output(*out, rec)
	}
}
