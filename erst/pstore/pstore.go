// Package pstore turns the records Linux leaves in ERST into files people
// read, as systemd-pstore does for /sys/fs/pstore, but from the records
// themselves: no pstore file system, nothing cleared.
//
// Linux's pstore (fs/pstore/platform.c pstore_dump) writes one kernel log
// dump (a panic, an oops, ...) as several records when it does not fit in
// one: each record's text starts with a line "<reason>#<count> Part<n>",
// Part1 holding the newest end of the log, Part2 the text before it, and
// so on. The ERST backend (drivers/acpi/apei/erst.c erst_writer) numbers
// records with cper_next_record_id, which counts up by one, so Part n of a
// dump has the id of Part1 plus n-1. Build groups the parts of one dump by
// reason, count and that id of Part1, and joins them, oldest text first.
//
// The files [Build] makes (names relative to the export directory; <id> is
// a record id as 16 hex digits, so that names sort as ids do):
//
//	dmesg-<id>.txt   one kernel log dump, its parts joined; <id> is Part1's
//	                 (the id Part1 has, or would have when it is missing)
//	mce-<id>.txt     a Linux MCE record (struct mce), decoded, as text
//	mce-<id>.json    the same as JSON (cper.RecordJSON)
//	<id>.cper        any other record, byte for byte
//	<id>.json        its decode (cper.RecordJSON), unless it is not CPER
//	index.json       the Index: which record went where
//
// In a dmesg file the parts' header lines are left out, so the text reads
// as the kernel's log did; where a part is missing, a line says so (see
// [GapLine]). A DMESG or DMESG_Z record whose text cannot be read (it does
// not inflate) goes out as <id>.cper and <id>.json, and the log it
// belonged to shows the gap.
package pstore

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/goerst/erst/erst/cper"
)

// ErrDuplicateID: two input records have the same id; their files would
// have the same names.
var ErrDuplicateID = errors.New("pstore: two records have the same id")

// Input is one record to export.
type Input struct {
	ID  uint64 // the record's id (in a store, the id it is stored under)
	Raw []byte // the record's bytes, exactly RecordLength of them
	Err error  // why the record could not be read; Raw is then ignored
}

// File is one file of an export: its name in the export directory and
// its contents.
type File struct {
	Name string
	Data []byte
}

// Export is what [Build] makes of a set of records: the files to write and
// the index that says which record went where. Files include index.json.
type Export struct {
	Files []File
	Index Index

	problems []string
}

// Kind says what [Build] made of a record.
type Kind string

// The kinds of record.
const (
	KindDmesg      Kind = "dmesg"      // a DMESG or DMESG_Z record (a part of a kernel log dump)
	KindMCE        Kind = "mce"        // a Linux MCE record: one MCE section
	KindCPER       Kind = "cper"       // any other CPER record
	KindInvalid    Kind = "invalid"    // bytes that are not a valid CPER record
	KindUnreadable Kind = "unreadable" // the record could not be read: no file
)

// Index is index.json: every record in input order, every kernel log
// dump, and where each went.
type Index struct {
	// Records lists the input records in input (store) order.
	Records []RecordEntry `json:"records"`
	// Logs lists the kernel log dumps, by the id of their Part1.
	Logs []Log `json:"logs"`
}

// RecordEntry is one record in the [Index].
type RecordEntry struct {
	ID   string `json:"id"` // 0x-hex
	Kind Kind   `json:"kind"`
	// Files are the files that hold the record, relative to the export
	// directory: for a dmesg part, the dmesg file it was joined into.
	Files []string `json:"files"`
	// Part is pstore's header line of a dmesg part, e.g. "Panic#1 Part2".
	Part string `json:"part,omitempty"`
	// Error says why the record, or a part of it, could not be decoded
	// (a DMESG_Z body that does not inflate, a section body too short,
	// bytes that are not CPER) or read.
	Error string `json:"error,omitempty"`
}

// Log is one kernel log dump in the [Index].
type Log struct {
	File   string `json:"file"`   // dmesg-<id>.txt
	Reason string `json:"reason"` // "Panic", "Oops", ...; empty for text without pstore's header line
	Count  int    `json:"count"`  // pstore's dump count, the N of "Panic#N"
	// FirstID is the id of Part1: the record's when it is present, else
	// the id Linux would have given it.
	FirstID string `json:"first_id"`
	// Parts are the parts present, in the order of the text: the highest
	// part number (the oldest text) first, Part1 last.
	Parts []LogPart `json:"parts"`
	// Missing are the runs of parts absent between the highest part
	// present and Part1; empty when the log is whole as far as the
	// records show (parts older than the highest present leave no trace).
	Missing []Gap `json:"missing,omitempty"`
}

// LogPart is one record of a [Log].
type LogPart struct {
	Part       int    `json:"part"`
	ID         string `json:"id"`
	Compressed bool   `json:"compressed"` // DMESG_Z
	Bytes      int    `json:"bytes"`      // bytes of text, header line left out
}

// Gap is a run of missing parts, First >= Last (parts count down
// towards the end of the log).
type Gap struct {
	First int `json:"first"`
	Last  int `json:"last"`
}

func (g Gap) String() string {
	if g.First == g.Last {
		return fmt.Sprintf("Part%d", g.First)
	}
	return fmt.Sprintf("Part%d-%d", g.First, g.Last)
}

// GapLine is the line a dmesg file holds where parts of the log are
// missing: reason and count name the dump, firstID the id Part1 has.
func GapLine(reason string, count int, firstID uint64, g Gap) string {
	return fmt.Sprintf("--- %s#%d %s (record %s) missing: the log has a gap here ---\n",
		reason, count, g, partIDs(firstID, g))
}

func partIDs(firstID uint64, g Gap) string {
	if g.First == g.Last {
		return hexID(firstID + uint64(g.First-1))
	}
	return hexID(firstID+uint64(g.Last-1)) + "-" + hexID(firstID+uint64(g.First-1))
}

// Problems are the one-line findings of an export: records that could
// not be read or decoded, logs with missing parts. The files are written
// all the same.
func (x *Export) Problems() []string { return x.problems }

func hexID(id uint64) string { return fmt.Sprintf("%#x", id) }

// part is one readable dmesg record.
type part struct {
	in   int // index in the input
	id   uint64
	d    cper.Dmesg
	body []byte // the text without the header line
}

// logKey identifies a dump: its header's reason and count and the id of
// its Part1.
type logKey struct {
	reason string
	count  int
	first  uint64
}

// Build decodes the records and makes the export: it does not touch any
// file. Records with the same id give [ErrDuplicateID].
func Build(in []Input) (*Export, error) {
	seen := make(map[uint64]int, len(in))
	for i, r := range in {
		if j, ok := seen[r.ID]; ok {
			return nil, fmt.Errorf("%w: records %d and %d are both %s", ErrDuplicateID, j+1, i+1, hexID(r.ID))
		}
		seen[r.ID] = i
	}
	x := &Export{Index: Index{Records: make([]RecordEntry, len(in)), Logs: []Log{}}}
	names := map[string]bool{"index.json": true}
	add := func(name string, data []byte) string {
		name = unique(names, name)
		x.Files = append(x.Files, File{Name: name, Data: data})
		return name
	}
	groups := map[logKey][]part{}
	for i, r := range in {
		e := &x.Index.Records[i]
		e.ID, e.Files = hexID(r.ID), []string{}
		if r.Err != nil {
			e.Kind, e.Error = KindUnreadable, r.Err.Error()
			continue
		}
		rec, err := cper.Parse(r.Raw)
		if err != nil {
			e.Kind, e.Error = KindInvalid, "not a valid CPER record: "+err.Error()
			e.Files = append(e.Files, add(fmt.Sprintf("%016x.cper", r.ID), r.Raw))
			continue
		}
		if len(rec.Sections) == 1 && isDmesg(rec.Sections[0].Descriptor.Type) {
			e.Kind = KindDmesg
			d, err := cper.DecodeDmesg(&rec.Sections[0])
			if err == nil {
				p := part{in: i, id: r.ID, d: d, body: d.Text}
				k := logKey{first: r.ID}
				if d.Part > 0 && uint64(d.Part-1) <= r.ID {
					_, p.body, _ = bytes.Cut(d.Text, []byte("\n"))
					k = logKey{d.Reason, d.Count, r.ID - uint64(d.Part-1)}
					e.Part = fmt.Sprintf("%s#%d Part%d", d.Reason, d.Count, d.Part)
				} else {
					p.d.Part = 0 // no usable header: a log of its own
				}
				groups[k] = append(groups[k], p)
				continue
			}
			e.Error = err.Error()
		} else if len(rec.Sections) == 1 && rec.Sections[0].Descriptor.Type == cper.SectionTypeMCE {
			e.Kind = KindMCE
			var t bytes.Buffer
			if err := cper.WriteText(&t, rec); err != nil {
				return nil, err // a bytes.Buffer does not fail
			}
			e.Error = sectionErrors(rec)
			e.Files = append(e.Files,
				add(fmt.Sprintf("mce-%016x.json", r.ID), recordJSON(rec)),
				add(fmt.Sprintf("mce-%016x.txt", r.ID), t.Bytes()))
			continue
		} else {
			e.Kind = KindCPER
			e.Error = sectionErrors(rec)
		}
		e.Files = append(e.Files,
			add(fmt.Sprintf("%016x.cper", r.ID), r.Raw),
			add(fmt.Sprintf("%016x.json", r.ID), recordJSON(rec)))
	}

	keys := make([]logKey, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b logKey) int {
		return cmp.Or(cmp.Compare(a.first, b.first), cmp.Compare(a.reason, b.reason), cmp.Compare(a.count, b.count))
	})
	for _, k := range keys {
		l, text := join(k, groups[k])
		l.File = add(fmt.Sprintf("dmesg-%016x.txt", k.first), text)
		for _, p := range groups[k] {
			e := &x.Index.Records[p.in]
			e.Files = append(e.Files, l.File)
		}
		x.Index.Logs = append(x.Index.Logs, l)
	}
	for _, r := range x.Index.Records {
		if r.Error != "" {
			x.problems = append(x.problems, fmt.Sprintf("record %s: %s", r.ID, r.Error))
		}
	}
	for i, l := range x.Index.Logs {
		for _, g := range l.Missing {
			x.problems = append(x.problems, fmt.Sprintf("%s: %s#%d %s (record %s) missing", l.File, l.Reason, l.Count, g, partIDs(keys[i].first, g)))
		}
	}
	idx, err := json.MarshalIndent(x.Index, "", "  ")
	if err != nil {
		return nil, err
	}
	x.Files = append(x.Files, File{Name: "index.json", Data: append(idx, '\n')})
	return x, nil
}

// join puts the parts of one dump in the order of the log, the highest
// part first, with a GapLine for each run of missing parts.
func join(k logKey, ps []part) (Log, []byte) {
	slices.SortFunc(ps, func(a, b part) int { return cmp.Compare(b.d.Part, a.d.Part) })
	l := Log{Reason: k.reason, Count: k.count, FirstID: hexID(k.first), Parts: []LogPart{}}
	var text []byte
	gap := func(first, last int) {
		if first < last {
			return
		}
		g := Gap{First: first, Last: last}
		l.Missing = append(l.Missing, g)
		if len(text) > 0 && text[len(text)-1] != '\n' {
			text = append(text, '\n')
		}
		text = append(text, GapLine(k.reason, k.count, k.first, g)...)
	}
	for i, p := range ps {
		if i > 0 && p.d.Part != 0 {
			gap(ps[i-1].d.Part-1, p.d.Part+1)
		}
		l.Parts = append(l.Parts, LogPart{Part: p.d.Part, ID: hexID(p.id), Compressed: p.d.Compressed, Bytes: len(p.body)})
		text = append(text, p.body...)
	}
	if last := ps[len(ps)-1].d.Part; last > 1 {
		gap(last-1, 1)
	}
	return l, text
}

func isDmesg(t cper.SectionType) bool {
	return t == cper.SectionTypeDmesg || t == cper.SectionTypeDmesgZ
}

// sectionErrors is the decode errors of rec's sections, or "".
func sectionErrors(rec *cper.Record) string {
	var errs []error
	for i := range rec.Sections {
		if d := cper.DecodeSection(&rec.Sections[i]); d != nil && d.Err != nil {
			errs = append(errs, fmt.Errorf("section %d: %w", i, d.Err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err.Error()
	}
	return ""
}

func recordJSON(rec *cper.Record) []byte {
	b, err := json.MarshalIndent(rec.JSON(), "", "  ")
	if err != nil {
		// RecordJSON holds strings, numbers and raw JSON the decoder
		// made; say so in the file rather than lose the record.
		b, _ = json.Marshal(map[string]string{"error": err.Error()})
	}
	return append(b, '\n')
}

// unique returns name, or name with "-2", "-3", ... before its extension
// when a file of the export already has it.
func unique(used map[string]bool, name string) string {
	base, ext := name, ""
	if i := bytes.LastIndexByte([]byte(name), '.'); i > 0 {
		base, ext = name[:i], name[i:]
	}
	for n := 2; used[name]; n++ {
		name = fmt.Sprintf("%s-%d%s", base, n, ext)
	}
	used[name] = true
	return name
}
