package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/cper"
)

func init() {
	register(&command{name: "info", summary: "Show the error log address range, attributes, timings, record count and capacity.", setup: setupInfo})
	register(&command{name: "ls", summary: "List the stored record ids, with a one-line CPER summary each.", setup: setupLs})
	register(&command{name: "read", args: "ID", summary: "Read one record's raw bytes (ID 0 = the first record).", setup: setupRead})
	register(&command{name: "write", args: "[FILE|-]...", summary: "Write CPER records (from the FILEs, or stdin) under the ids in their headers; prints each id.\nEvery record (CPER structure, id, fit in the error log range, free slots of a -store file) is checked\nbefore the first is written; a stored record with the same id is replaced, two with one id are refused. If the device fails part-way,\nthe error names the records written and those not written.", setup: setupWrite})
	register(&command{name: "clear", args: "ID...|-all", summary: "Clear the given records, or every record with -all.", setup: setupClear})
	register(&command{name: "dump", summary: "Decode every stored record: header, sections, and validation problems.", setup: setupDump})
	register(&command{name: "new", summary: "Build a valid CPER record from flags and write it to -o or stdout.", setup: setupNew})
}

func hex64(v uint64) string { return fmt.Sprintf("%#x", v) }

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// --- info

type infoJSON struct {
	Device         string   `json:"device"`
	RangeBase      string   `json:"range_base"`
	RangeLength    uint64   `json:"range_length"`
	Attributes     string   `json:"attributes"`
	AttributeNames []string `json:"attribute_names"`
	NVRAM          bool     `json:"nvram"`
	Timings        *string  `json:"timings"`
	MaxExecuteUS   *uint64  `json:"max_execute_us"`
	NominalExecUS  *uint64  `json:"nominal_execute_us"`
	TimeoutUS      int64    `json:"timeout_us"`
	RecordCount    uint64   `json:"record_count"`
	Capacity       *int     `json:"capacity"`
	RecordSize     *int     `json:"record_size"`
	StoreSize      *int     `json:"store_size"`
}

// attributeNames names the range attribute bits for info, [] for none.
func attributeNames(a uint64) []string {
	if names := erst.Attributes(a).Names(); names != nil {
		return names
	}
	return []string{}
}

func setupInfo(fs *flag.FlagSet) func(*env, []string) error {
	asJSON := fs.Bool("json", false, "print JSON")
	return func(e *env, args []string) error {
		if len(args) > 0 {
			return usagef("info takes no arguments")
		}
		d, err := e.openDevice()
		if err != nil {
			return err
		}
		count, err := d.Count()
		if err != nil {
			return err
		}
		r := d.Range()
		j := infoJSON{
			Device: d.where, RangeBase: hex64(r.Base), RangeLength: r.Length,
			Attributes: hex64(r.Attributes), AttributeNames: attributeNames(r.Attributes), NVRAM: r.NVRAM(),
			TimeoutUS: d.Timeout().Microseconds(), RecordCount: count,
		}
		if r.HasTimings {
			s := hex64(uint64(r.Timings))
			mx, nom := uint64(r.Timings>>32), uint64(uint32(r.Timings))
			j.Timings, j.MaxExecuteUS, j.NominalExecUS = &s, &mx, &nom
		}
		if d.st != nil {
			c, rs, sz := d.st.Capacity(), d.st.RecordSize(), d.st.Size()
			j.Capacity, j.RecordSize, j.StoreSize = &c, &rs, &sz
		}
		if *asJSON {
			return printJSON(e.stdout, j)
		}
		w := e.stdout
		fmt.Fprintf(w, "device:          %s\n", j.Device)
		fmt.Fprintf(w, "error log range: %s, %d bytes\n", j.RangeBase, j.RangeLength)
		fmt.Fprintf(w, "attributes:      %s %v\n", j.Attributes, j.AttributeNames)
		if j.Timings != nil {
			fmt.Fprintf(w, "execute timings: %s (max %d, nominal %d; µs per ACPI)\n", *j.Timings, *j.MaxExecuteUS, *j.NominalExecUS)
		} else {
			fmt.Fprintf(w, "execute timings: not in the table (ACPI 6.3+)\n")
		}
		fmt.Fprintf(w, "busy timeout:    %v\n", d.Timeout())
		fmt.Fprintf(w, "records:         %d\n", count)
		if j.Capacity != nil {
			fmt.Fprintf(w, "capacity:        %d records of up to %d bytes (%d-byte store)\n", *j.Capacity, *j.RecordSize, *j.StoreSize)
		}
		return nil
	}
}

// --- ls and dump

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

func setupDump(fs *flag.FlagSet) func(*env, []string) error {
	asJSON := fs.Bool("json", false, "print JSON")
	format := fs.String("format", "text", "output `format`: text, json, or redfish (as erst decode -format redfish)")
	return func(e *env, args []string) error {
		if err := outputFormat(format, asJSON); err != nil {
			return err
		}
		recs, err := e.storedRecords("dump", args)
		if err != nil {
			return err
		}
		if *format == "redfish" {
			return e.dumpRedfish(recs)
		}
		type dumpEntry struct {
			ID     string           `json:"id"`
			Record *cper.RecordJSON `json:"record,omitempty"`
			Error  string           `json:"error,omitempty"`
		}
		if *asJSON {
			out := make([]dumpEntry, len(recs))
			for i, r := range recs {
				out[i].ID = hex64(r.id)
				if r.err != nil {
					out[i].Error = r.err.Error()
					continue
				}
				j := r.rec.JSON()
				out[i].Record = &j
			}
			if err := printJSON(e.stdout, map[string]any{"records": out}); err != nil {
				return err
			}
			return e.readFailures("dump", recs)
		}
		first := true
		for _, r := range recs {
			if r.unread {
				continue
			}
			if !first {
				fmt.Fprintln(e.stdout)
			}
			first = false
			if r.err != nil {
				fmt.Fprintf(e.stdout, "record %s: %v\n", hex64(r.id), r.err)
				continue
			}
			if err := cper.WriteText(e.stdout, r.rec); err != nil {
				return err
			}
		}
		return e.readFailures("dump", recs)
	}
}

// --- read

func setupRead(fs *flag.FlagSet) func(*env, []string) error {
	out := fs.String("o", "", "write the record to this `file` instead of stdout")
	return func(e *env, args []string) error {
		if len(args) != 1 {
			return usagef("read takes one record ID")
		}
		id, err := parseID(args[0])
		if err != nil {
			return usageErr(err)
		}
		if id == erst.InvalidID { // 0 means the first record
			return reservedID(id)
		}
		if err := e.checkOutput(*out); err != nil {
			return err
		}
		d, err := e.openDevice()
		if err != nil {
			return err
		}
		rec, err := d.Read(id)
		if err != nil {
			return err
		}
		return e.output(*out, rec)
	}
}

// --- clear

func setupClear(fs *flag.FlagSet) func(*env, []string) error {
	all := fs.Bool("all", false, "clear every record; on a -store file erst fsck finds inconsistent, clear nothing and exit 1")
	return func(e *env, args []string) error {
		if *all == (len(args) > 0) {
			return usagef("clear takes record IDs or -all, not both or neither")
		}
		var ids []uint64
		for _, a := range args {
			id, err := parseID(a)
			if err != nil {
				return usageErr(err)
			}
			if err := reservedID(id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		d, err := e.openDeviceWrite()
		if err != nil {
			return err
		}
		var errs []error
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
		for _, id := range ids {
			if err := d.Clear(id); err != nil {
				errs = append(errs, err)
				continue
			}
			fmt.Fprintf(e.stdout, "cleared %s\n", hex64(id))
		}
		return errors.Join(errs...)
	}
}

// --- new

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
			b.RecordID = defaultRecordID(time.Now())
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
		r, err := b.Build()
		if err != nil {
			return err
		}
		rec, err := r.Marshal()
		if err != nil {
			return err
		}
		return e.output(*out, rec)
	}
}
