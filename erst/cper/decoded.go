package cper

import (
	"fmt"
	"io"
)

// MaxInput bounds what [ReadInput] reads: a record's RecordLength is a
// u32, but no real record comes near 64 MiB (its base64 text a third more).
const MaxInput = 64 << 20

// ErrInputTooLarge: [ReadInput]'s input holds more than [MaxInput] bytes.
var ErrInputTooLarge = fmt.Errorf("larger than %d MiB: not an error record", MaxInput>>20)

// ReadInput reads a record file for [ReadRecord] or [DecodeFile], at most
// [MaxInput] bytes of it: more is [ErrInputTooLarge].
func ReadInput(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxInput+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxInput {
		return nil, ErrInputTooLarge
	}
	return b, nil
}

// Decoded is one input file read with [ReadRecord], as erst decode -json
// lists it: the record as far as it decoded, what is wrong with it, or
// why it is not a record at all.
type Decoded struct {
	File     string      `json:"file"`
	Record   *RecordJSON `json:"record,omitempty"`
	Findings []string    `json:"findings,omitempty"`
	Error    string      `json:"error,omitempty"`

	Rec *Record `json:"-"` // the record; nil when Err is set
	Raw []byte  `json:"-"` // its bytes, as ReadRecord returns them
	Err error   `json:"-"` // why the input is not a record
}

// DecodeFile reads the record in b, the contents of the file called name.
func DecodeFile(name string, b []byte) Decoded {
	d := Decoded{File: name}
	d.Rec, d.Raw, d.Findings, d.Err = ReadRecord(b)
	if d.Err != nil {
		d.Error = d.Err.Error()
	} else {
		j := d.Rec.JSON()
		d.Record = &j
	}
	return d
}

// WriteText writes d's record as [WriteText] does, after a line "FILE:"
// when named; nothing when d is not a record.
func (d Decoded) WriteText(w io.Writer, named bool) error {
	if d.Err != nil {
		return nil
	}
	if named {
		if _, err := fmt.Fprintf(w, "%s:\n", d.File); err != nil {
			return err
		}
	}
	return WriteText(w, d.Rec)
}

// Problems are why d is not a record, or its findings: one line each.
func (d Decoded) Problems() []string {
	if d.Err != nil {
		return []string{d.Error}
	}
	return d.Findings
}

// DecodeError counts the inputs that are not records and those with
// findings, "2 of 5 inputs are not CPER records, 1 have findings", or is
// nil when every input is a record without findings.
func DecodeError(ds []Decoded) error {
	failed, withFindings := 0, 0
	for _, d := range ds {
		if d.Err != nil {
			failed++
		}
		if len(d.Findings) > 0 {
			withFindings++
		}
	}
	switch {
	case failed > 0 && withFindings > 0:
		return fmt.Errorf("%d of %d inputs are not CPER records, %d have findings", failed, len(ds), withFindings)
	case failed > 0:
		return fmt.Errorf("%d of %d inputs are not CPER records", failed, len(ds))
	case withFindings > 0:
		return fmt.Errorf("%d of %d records have findings", withFindings, len(ds))
	}
	return nil
}
