package batch

import (
	"errors"
	"fmt"
	"io"

	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/cper"
)

// ErrDuplicateID: two records of one batch have the same id. A device
// keeps one record per id, so the second would silently replace the first.
var ErrDuplicateID = errors.New("two records of the batch have one id")

// ReadError is a failure to read a record's input (the file or stream,
// not what it holds): the input, not the record, is at fault.
type ReadError struct {
	Name string // the input, as [Input.Add] was given it
	Err  error
}

func (e *ReadError) Error() string { return e.Name + ": " + e.Err.Error() }

// Unwrap returns the reader's error.
func (e *ReadError) Unwrap() error { return e.Err }

// Input reads the records of a batch from streams, each in two steps, so
// that a stream that is not a record, or is longer than any error log
// address range could take, is refused without reading the rest of it
// (UEFI 2.10 §N.2.1: RecordLength covers the whole record). [Input.Add]
// reads and checks each record's 128-byte header; [Input.Records], once
// the range's length is known, checks every RecordLength against it, then
// reads and validates the bodies.
//
// A refused record's error names it and wraps [erst.ErrBadRecord] (and
// the [cper] sentinel saying why), [erst.ErrInvalidID] or
// [ErrDuplicateID]; a failed read is a [*ReadError]. The zero Input is
// empty and ready.
type Input struct {
	recs  []*pending
	first map[uint64]*pending
}

// pending is one record whose header has been read.
type pending struct {
	name   string
	in     io.Reader // positioned after the header
	hdr    []byte
	id     uint64
	length uint32 // the header's RecordLength
}

// Add reads the header of the record in r, which name names in messages
// (a file name, "stdin"), and refuses it unless it has both signatures, a
// RecordLength of at least the header, an id other than 0 and ~0
// ([erst.CheckID]: no store keeps them) and an id no earlier record of
// the batch has. Reading r stops after the header.
func (b *Input) Add(name string, r io.Reader) error {
	hdr := make([]byte, cper.HeaderSize)
	n, err := io.ReadFull(r, hdr)
	switch {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return refuse(fmt.Errorf("%s: not a valid CPER record: %d bytes, shorter than the %d-byte header", name, n, cper.HeaderSize), cper.ErrTruncated)
	case err != nil:
		return &ReadError{Name: name, Err: err}
	}
	if err := cper.CheckHeader(hdr); err != nil {
		return refuse(fmt.Errorf("%s: not a valid CPER record: %w", name, err), nil)
	}
	p := &pending{name: name, in: r, hdr: hdr}
	p.length, _ = cper.RecordLength(hdr)
	p.id, _ = cper.RecordID(hdr)
	if err := erst.CheckID(p.id); err != nil {
		return fmt.Errorf("%s: %w: %w", name, err, erst.ErrInvalidID)
	}
	if q := b.first[p.id]; q != nil {
		return &marked{fmt.Errorf("%s: record id %#x is also the id of %s; one write stores each id once, nothing written", name, p.id, q.name), []error{ErrDuplicateID}}
	}
	if b.first == nil {
		b.first = map[uint64]*pending{}
	}
	b.first[p.id] = p
	b.recs = append(b.recs, p)
	return nil
}

// Records checks every added record's RecordLength against an error log
// address range of rangeLength bytes, then reads the rest of each record,
// exactly RecordLength bytes in all, and validates it ([cper.Validate]).
// A stream that goes on past RecordLength is refused after reading one
// byte more. The records are in the order added.
func (b *Input) Records(rangeLength uint64) ([]Record, error) {
	for _, p := range b.recs {
		if uint64(p.length) > rangeLength {
			return nil, fmt.Errorf("%s: the record length field says %d bytes, more than the %d-byte error log address range: %w", p.name, p.length, rangeLength, erst.ErrBadRecord)
		}
	}
	recs := make([]Record, len(b.recs))
	for i, p := range b.recs {
		data, err := p.readBody()
		if err != nil {
			return nil, err
		}
		recs[i] = Record{Name: p.name, ID: p.id, Data: data}
	}
	return recs, nil
}

// readBody reads the rest of p's record and validates the whole.
func (p *pending) readBody() ([]byte, error) {
	rec := make([]byte, p.length)
	copy(rec, p.hdr)
	n, err := io.ReadFull(p.in, rec[cper.HeaderSize:])
	switch {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return nil, refuse(fmt.Errorf("%s: not a valid CPER record: the record length field says %d bytes, the input holds %d", p.name, p.length, cper.HeaderSize+n), cper.ErrRecordTruncated)
	case err != nil:
		return nil, &ReadError{Name: p.name, Err: err}
	}
	var one [1]byte
	if n, err := p.in.Read(one[:]); n > 0 {
		return nil, refuse(fmt.Errorf("%s: not a valid CPER record: the input goes on after the %d bytes its record length field says", p.name, p.length), cper.ErrTrailingBytes)
	} else if err != nil && !errors.Is(err, io.EOF) {
		return nil, &ReadError{Name: p.name, Err: err}
	}
	if err := cper.Validate(rec); err != nil {
		return nil, refuse(fmt.Errorf("%s: not a valid CPER record: %w", p.name, err), nil)
	}
	return rec, nil
}

// marked is err, a message, that also matches sentinels (which its text
// does not name) with errors.Is.
type marked struct {
	err       error
	sentinels []error
}

func (e *marked) Error() string   { return e.err.Error() }
func (e *marked) Unwrap() []error { return append([]error{e.err}, e.sentinels...) }

// refuse marks err, a refused record's message, as erst.ErrBadRecord and
// cause (a cper sentinel saying why; nil when err wraps one already).
func refuse(err, cause error) error {
	if cause == nil {
		return &marked{err, []error{erst.ErrBadRecord}}
	}
	return &marked{err, []error{erst.ErrBadRecord, cause}}
}
