package batch

import (
	"fmt"
	"io"

	"github.com/goerst/erst/erst/cper"
)

// ListEntry is a [Stored] record as erst ls -json lists it: its id
// ("0x.."), length, and [cper.Summary], or why it is not CPER or could not
// be read.
type ListEntry struct {
	ID      string `json:"id"`
	Length  int    `json:"length"`
	Summary string `json:"summary,omitempty"`
	Error   string `json:"error,omitempty"`
}

// ListEntry is s as erst ls lists it.
func (s Stored) ListEntry() ListEntry {
	l := ListEntry{ID: hexID(s.ID), Length: len(s.Raw)}
	if s.Err != nil {
		l.Error = s.Err.Error()
	} else {
		l.Summary = cper.Summary(s.Rec)
	}
	return l
}

// ListEntries are the records' ListEntry values, in order; never nil.
func ListEntries(recs []Stored) []ListEntry {
	out := make([]ListEntry, len(recs))
	for i, r := range recs {
		out[i] = r.ListEntry()
	}
	return out
}

// DumpEntry is a [Stored] record as erst dump -json lists it: its id and
// decode ([cper.RecordJSON]), or why it is not CPER or could not be read.
type DumpEntry struct {
	ID     string           `json:"id"`
	Record *cper.RecordJSON `json:"record,omitempty"`
	Error  string           `json:"error,omitempty"`
}

// DumpEntry is s as erst dump lists it.
func (s Stored) DumpEntry() DumpEntry {
	d := DumpEntry{ID: hexID(s.ID)}
	if s.Err != nil {
		d.Error = s.Err.Error()
	} else {
		j := s.Rec.JSON()
		d.Record = &j
	}
	return d
}

// DumpEntries are the records' DumpEntry values, in order; never nil.
func DumpEntries(recs []Stored) []DumpEntry {
	out := make([]DumpEntry, len(recs))
	for i, r := range recs {
		out[i] = r.DumpEntry()
	}
	return out
}

// WriteList writes one line per record that could be read: its id,
// padded to 18 columns, then its summary or why it is not CPER.
func WriteList(w io.Writer, recs []Stored) error {
	for _, r := range recs {
		if r.Unread {
			continue
		}
		l := r.ListEntry()
		if _, err := fmt.Fprintf(w, "%-18s %s%s\n", l.ID, l.Summary, l.Error); err != nil {
			return err
		}
	}
	return nil
}

// WriteDump writes every record that could be read, decoded as
// [cper.WriteText] does, a blank line between records; a record that is
// not CPER is one line, "record ID: why".
func WriteDump(w io.Writer, recs []Stored) error {
	first := true
	for _, r := range recs {
		if r.Unread {
			continue
		}
		if !first {
			if _, err := fmt.Fprintln(w); err != nil {
				return err
			}
		}
		first = false
		if r.Err != nil {
			if _, err := fmt.Fprintf(w, "record %s: %v\n", hexID(r.ID), r.Err); err != nil {
				return err
			}
			continue
		}
		if err := cper.WriteText(w, r.Rec); err != nil {
			return err
		}
	}
	return nil
}

// RedfishEntries are the records as Redfish LogEntry values
// ([cper.NewRedfishLogEntry]), in order, leaving out those that could not
// be read or are not CPER; never nil.
func RedfishEntries(recs []Stored) []cper.RedfishLogEntry {
	out := []cper.RedfishLogEntry{}
	for _, r := range recs {
		if r.Err == nil {
			out = append(out, cper.NewRedfishLogEntry(r.Rec, r.Raw))
		}
	}
	return out
}

// UnreadError counts the records that could not be read at all, "2 of 7
// records could not be read", or is nil when every one was.
func UnreadError(recs []Stored) error {
	n := 0
	for _, r := range recs {
		if r.Unread {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	return fmt.Errorf("%d of %d records could not be read", n, len(recs))
}

func hexID(id uint64) string { return fmt.Sprintf("%#x", id) }
