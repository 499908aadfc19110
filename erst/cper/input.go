package cper

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// ErrNotRecord: ReadRecord's input is in none of its three forms (a
// record, its base64 text, its hex text).
var ErrNotRecord = fmt.Errorf("neither a CPER record (no %q signature) nor base64 or hex text of one", Signature)

// ReadRecord reads one record from a file's bytes: the record itself, or
// its base64 text (Redfish LogEntry DiagnosticData) or hex text (with or
// without a leading 0x), whitespace allowed. It returns the record and
// what is wrong with it (findings: bytes after RecordLength, a record cut
// short whose sections all fit, SectionCount 0, malformed section bodies,
// as [Findings] reports them), or an error when the input is not a record
// at all (wrapping [ErrNotRecord] when it is in none of the forms). raw is
// the record's bytes: the input decoded from its text form, without any
// bytes after RecordLength.
func ReadRecord(b []byte) (r *Record, raw []byte, findings []string, err error) {
	raw = b
	if !bytes.HasPrefix(b, []byte(Signature)) {
		text := strings.Join(strings.Fields(string(b)), "")
		if h, ok := strings.CutPrefix(strings.ToLower(text), "0x"); ok && isRecordHex(h) {
			text = h
		}
		switch {
		case text == "":
			return nil, nil, nil, fmt.Errorf("empty input")
		case isRecordHex(text):
			var err error
			if raw, err = hex.DecodeString(text); err != nil {
				return nil, nil, nil, fmt.Errorf("hex: %w", err)
			}
		default:
			var err error
			if raw, err = base64.StdEncoding.DecodeString(text); err != nil {
				if raw, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(text, "=")); err != nil {
					return nil, nil, nil, ErrNotRecord
				}
			}
			if !bytes.HasPrefix(raw, []byte(Signature)) {
				// Text that happens to be valid base64 but does not
				// hold a record: say what the input is not.
				return nil, nil, nil, ErrNotRecord
			}
		}
	}
	r, err = Parse(raw)
	switch {
	case errors.Is(err, ErrTrailingBytes):
		t, terr := Trim(raw)
		if terr != nil {
			return nil, nil, nil, fmt.Errorf("not a valid CPER record: %w", terr)
		}
		if r, err = Parse(t); err == nil {
			findings = append(findings, fmt.Sprintf("%d bytes after the record (RecordLength %d, the input holds %d): ignored",
				len(raw)-len(t), len(t), len(raw)))
			raw = t
		}
	case errors.Is(err, ErrRecordTruncated):
		if tr, terr := ParseTruncated(raw); terr == nil {
			r, err = tr, nil
			findings = append(findings, fmt.Sprintf("record cut short: RecordLength %d, the input holds %d bytes; every section is within them and decoded",
				tr.RecordLength, len(raw)))
		}
	}
	if err != nil {
		return nil, nil, nil, fmt.Errorf("not a valid CPER record: %w", err)
	}
	for _, f := range Findings(r) {
		findings = append(findings, f.Error())
	}
	return r, raw, findings, nil
}

// isRecordHex reports whether s is an even number of hex digits starting
// with the hex of "CPER", so that base64 text of hex digits alone is not
// taken for hex.
func isRecordHex(s string) bool {
	if len(s)%2 != 0 || !strings.HasPrefix(strings.ToLower(s), hex.EncodeToString([]byte(Signature))) {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return false
		}
	}
	return true
}
