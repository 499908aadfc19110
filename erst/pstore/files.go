package pstore

import (
	"fmt"

	"github.com/goerst/erst/erst/cper"
)

// Files collects record files to export, as [cper.ReadRecord] reads them
// (binary, base64 or hex), refusing two files of one record id: an export
// names its files by record id. The zero value is empty and ready.
type Files struct {
	in   []Input
	from map[uint64]string
}

// Add reads the record file named name, whose contents are b. Findings
// are what is odd about a record that is exported all the same (bytes
// after it, cut short, a malformed section), as "name: finding". The
// error is for b not being a record ("name: cause") or for a record id
// already added (wrapping [ErrDuplicateID]); then nothing is added, but
// the findings are still returned.
func (s *Files) Add(name string, b []byte) (findings []string, err error) {
	r, raw, fs, err := cper.ReadRecord(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	for _, f := range fs {
		findings = append(findings, name+": "+f)
	}
	if other, ok := s.from[r.RecordID]; ok {
		return findings, &duplicateError{other, name, r.RecordID}
	}
	if s.from == nil {
		s.from = map[uint64]string{}
	}
	s.from[r.RecordID] = name
	s.in = append(s.in, Input{ID: r.RecordID, Raw: raw})
	return findings, nil
}

// Inputs are the records added, in the order added, for [Build].
func (s *Files) Inputs() []Input { return s.in }

// duplicateError names the two files that hold one record id.
type duplicateError struct {
	first, second string
	id            uint64
}

func (e *duplicateError) Error() string {
	return fmt.Sprintf("%s and %s are both record %s: export writes files by record id", e.first, e.second, hexID(e.id))
}

func (e *duplicateError) Unwrap() error { return ErrDuplicateID }
