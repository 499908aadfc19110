package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/batch"
	"github.com/goerst/erst/erst/cper"
	"github.com/goerst/erst/erst/store"
)

func init() {
	register(&command{name: "write", args: "[FILE|-]...", summary: "Write CPER records (from the FILEs, or stdin) under the ids in their headers; prints each id.\nEvery record (CPER structure, id, fit in the error log range, free slots of a -store file) is checked\nbefore the first is written; a stored record with the same id is replaced, two with one id are refused. If the device fails part-way,\nthe error names the records written and those not written.", setup: setupWrite})
}

// write is all or nothing as far as anything can be known in advance:
// every record's header, length, id, CPER structure, fit in the error log
// address range and (on a -store file) the free slots are checked before
// the first record is written. Only the device itself failing part-way can
// leave some written, and the error then names exactly which.

// pendingRecord is one record named on write's command line. Its header is
// read first, so that a file that is not a record, or whose RecordLength
// exceeds the error log address range, is refused without reading the
// rest of it (UEFI 2.10 §N.2.1: RecordLength covers the whole record).
type pendingRecord struct {
	name   string    // the file name, or "stdin"
	in     io.Reader // positioned after the header
	rec    []byte    // the header, then (after readBody) the whole record
	id     uint64
	length uint32 // the header's RecordLength
}

func setupWrite(fs *flag.FlagSet) func(*env, []string) error {
	asJSON := fs.Bool("json", false, "print one JSON document, {\"records\": [{\"id\", \"length\"}...]}, the records written, instead of the ids")
	return func(e *env, args []string) error {
		if len(args) == 0 {
			args = []string{"-"}
		}
		recs := make([]*pendingRecord, len(args))
		first := map[uint64]*pendingRecord{}
		for i, name := range args {
			p, err := openRecordArg(e, name)
			if err != nil {
				return err
			}
			// The device keeps one record per id: the second would
			// silently replace the first.
			if q := first[p.id]; q != nil {
				return fmt.Errorf("%s: record id %s is also the id of %s; one write stores each id once, nothing written", p.name, hex64(p.id), q.name)
			}
			first[p.id] = p
			recs[i] = p
		}
		// Opening a missing -store creates it: check the records first,
		// against the range the new store will have (its record size).
		// Otherwise the range is known once the device is open.
		early := false
		if e.g.store != "" {
			if state, _ := store.Probe(e.g.store); state == store.FileMissing {
				early = true
				if err := readBodies(recs, uint64(e.g.recordSize)); err != nil {
					return err
				}
			}
		}
		d, err := e.openDeviceCreate()
		if err != nil {
			return err
		}
		if !early {
			if err := readBodies(recs, d.Range().Length); err != nil {
				return err
			}
		}
		b := make([]batch.Record, len(recs))
		for i, p := range recs {
			b[i] = batch.Record{Name: p.name, ID: p.id, Data: p.rec}
		}
		if err := batch.Check(d.Device, d.st, b); err != nil {
			return err
		}
		if !*asJSON {
			return e.storeFault(batch.Write(d, b, func(r batch.Record) error {
				_, err := fmt.Fprintln(e.stdout, hex64(r.ID))
				return err
			}))
		}
		// One JSON document, the records written, even when the device
		// failed part-way (the error then says which were not).
		written := []writeJSON{}
		err = batch.Write(d, b, func(r batch.Record) error {
			written = append(written, writeJSON{ID: hex64(r.ID), Length: len(r.Data)})
			return nil
		})
		if perr := printJSON(e.stdout, map[string]any{"records": written}); perr != nil && err == nil {
			err = perr
		}
		return e.storeFault(err)
	}
}

// writeJSON is one record written, in write -json's output.
type writeJSON struct {
	ID     string `json:"id"`
	Length int    `json:"length"`
}

// openRecordArg opens one record (a file, or stdin for "-") and reads and
// checks its 128-byte header: both signatures, a RecordLength of at least
// the header, and an id other than 0 and ~0 (which no store keeps).
func openRecordArg(e *env, name string) (*pendingRecord, error) {
	p := &pendingRecord{name: name, in: e.stdin}
	if name == "-" {
		p.name = "stdin"
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, usageErr(err)
		}
		e.g.onClose(f.Close)
		p.in = f
	}
	hdr := make([]byte, cper.HeaderSize)
	n, err := io.ReadFull(p.in, hdr)
	switch {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return nil, fmt.Errorf("%s: not a valid CPER record: %d bytes, shorter than the %d-byte header", p.name, n, cper.HeaderSize)
	case err != nil:
		return nil, usageErr(fmt.Errorf("%s: %w", p.name, err))
	}
	if err := cper.CheckHeader(hdr); err != nil {
		return nil, fmt.Errorf("%s: not a valid CPER record: %w", p.name, err)
	}
	p.length, _ = cper.RecordLength(hdr)
	p.id, _ = cper.RecordID(hdr)
	if p.id == 0 || p.id == erst.InvalidID {
		// Checked before the store is opened (and perhaps created).
		return nil, fmt.Errorf("%s: record id %#x is reserved (0 and ~0 cannot be stored): %w", p.name, p.id, erst.ErrInvalidID)
	}
	p.rec = hdr
	return p, nil
}

// readBodies checks every record's length field against the error log
// address range (rangeLength bytes), then reads and validates each.
func readBodies(recs []*pendingRecord, rangeLength uint64) error {
	for _, p := range recs {
		if uint64(p.length) > rangeLength {
			return fmt.Errorf("%s: the record length field says %d bytes, more than the %d-byte error log address range: %w", p.name, p.length, rangeLength, erst.ErrBadRecord)
		}
	}
	for _, p := range recs {
		if err := p.readBody(); err != nil {
			return err
		}
	}
	return nil
}

// readBody reads the rest of the record, exactly RecordLength bytes in
// all, and validates it as CPER. Input beyond RecordLength is refused
// after reading one byte of it.
func (p *pendingRecord) readBody() error {
	rec := make([]byte, p.length)
	copy(rec, p.rec)
	n, err := io.ReadFull(p.in, rec[cper.HeaderSize:])
	switch {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%s: not a valid CPER record: the record length field says %d bytes, the input holds %d", p.name, p.length, cper.HeaderSize+n)
	case err != nil:
		return usageErr(fmt.Errorf("%s: %w", p.name, err))
	}
	var one [1]byte
	if n, err := p.in.Read(one[:]); n > 0 {
		return fmt.Errorf("%s: not a valid CPER record: the input goes on after the %d bytes its record length field says", p.name, p.length)
	} else if err != nil && !errors.Is(err, io.EOF) {
		return usageErr(fmt.Errorf("%s: %w", p.name, err))
	}
	if err := cper.Validate(rec); err != nil {
		return fmt.Errorf("%s: not a valid CPER record: %w", p.name, err)
	}
	p.rec = rec
	return nil
}
