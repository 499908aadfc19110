package conform

import (
	"fmt"
	"io"
	"strings"

	"github.com/goerst/erst/erst/pshed/pshedtest"
	"github.com/goerst/erst/internal/textout"
)

// ReportJSON is the JSON form of a [Report], the document erst conform -json
// prints; the field order is the document's.
type ReportJSON struct {
	Device       string      `json:"device"`          // the device checked, as the caller names it
	RecordLength int         `json:"record_length"`   // the longest record written: the range length, or the NVRAM slot
	Room         *int        `json:"room"`            // records of record_length the store had room for; null unknown
	Foreign      int         `json:"foreign_records"` // other records in the store, left alone
	Passed       bool        `json:"passed"`          // no check failed
	Failed       []string    `json:"failed"`          // the names of the failed checks; empty, never null
	Checks       []CheckJSON `json:"checks"`          // every check, in the order run
}

// CheckJSON is one check of a [ReportJSON].
type CheckJSON struct {
	Name   string `json:"name"`
	Result string `json:"result"` // pass, fail or skip
	Reason string `json:"reason"` // the first error or skip message, else the first log; one line
}

// JSON returns r's JSON form; device names the device checked.
func (r *Report) JSON(device string) ReportJSON {
	j := ReportJSON{Device: device, RecordLength: r.RecordLength, Foreign: r.Foreign, Failed: r.Failed(), Checks: []CheckJSON{}}
	if j.Failed == nil {
		j.Failed = []string{}
	}
	j.Passed = len(j.Failed) == 0
	if r.FreeKnown {
		free := r.Free
		j.Room = &free
	}
	for _, res := range r.Results {
		j.Checks = append(j.Checks, CheckJSON{Name: res.Name, Result: res.Outcome.String(), Reason: textout.OneLine(res.Reason())})
	}
	return j
}

// Err is nil when every check passed or was skipped, else an error naming
// the failed checks.
func (r *Report) Err() error {
	if failed := r.Failed(); len(failed) > 0 {
		return fmt.Errorf("%d checks failed: %s", len(failed), strings.Join(failed, ", "))
	}
	return nil
}

// WriteIntro prints the line a run on device opens with, before [Run]:
// the room it needs for records of recordLength bytes and the identifiers
// it uses.
func WriteIntro(w io.Writer, device string, recordLength int) error {
	_, err := fmt.Fprintf(w, "conform: %s: needs room for %d records of %d bytes; uses only ids %#x to %#x\n",
		device, pshedtest.Room, recordLength, pshedtest.IDBase, pshedtest.IDBase+pshedtest.IDSpan-1)
	return err
}

// WriteText prints r for a person: the room and the other records, a
// table of the checks (name, result, reason) and a line of counts.
func (r *Report) WriteText(w io.Writer) error {
	room := "unknown"
	if r.FreeKnown {
		room = fmt.Sprint(r.Free)
	}
	p := textout.New(w)
	p.Printf("conform: room for %s records; %d other records in the store, left alone\n\n", room, r.Foreign)
	p.Printf("%-26s %-6s %s\n", "CHECK", "RESULT", "REASON")
	counts := map[pshedtest.Outcome]int{}
	for _, res := range r.Results {
		p.Printf("%-26s %-6s %s\n", res.Name, res.Outcome, textout.OneLine(res.Reason()))
		counts[res.Outcome]++
	}
	p.Printf("\nconform: %d checks: %d pass, %d fail, %d skip\n", len(r.Results), counts[pshedtest.Pass], counts[pshedtest.Fail], counts[pshedtest.Skip])
	return p.Err()
}
