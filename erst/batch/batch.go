// Package batch writes several CPER records to an ERST device all or
// nothing, as far as anything can be known in advance: Check refuses a
// batch the device would take only in part (a record it refuses, more new
// ids than a store's free slots) before the first is written, and [Write]
// names, when the device fails part-way, the records written and those
// not written. [Input] reads the records from streams, each header
// first, and checks them. [Clear] clears several records, going on past
// one that fails. ReadAll reads every stored record back, reporting each
// one that cannot be read or decoded in its entry.
package batch

import (
	"fmt"
	"strings"

	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/store"
)

// Record is one record of a batch.
type Record struct {
	Name string // how messages name it: a file name, "stdin"
	ID   uint64 // its header's record id
	Data []byte // the whole record
}

// Check refuses the batch, before anything is written, when d would
// refuse one of its records ([erst.Device.CheckRecord]) or, with st (the
// store under a simulated d; nil for a device that cannot say how much
// room it has), when the ids not stored yet outnumber the free slots
// ([store.Store.Fits]): [erst.ErrNotEnoughSpace].
func Check(d *erst.Device, st *store.Store, recs []Record) error {
	for _, r := range recs {
		if err := d.CheckRecord(r.Data); err != nil {
			return fmt.Errorf("%s: %w", r.Name, err)
		}
	}
	if st == nil {
		return nil
	}
	ids := make([]uint64, len(recs))
	for i, r := range recs {
		ids[i] = r.ID
	}
	if need, free, ok := st.Fits(ids); !ok {
		return fmt.Errorf("not enough space: %d new records, the store has %d free slots of %d; nothing written: %w", need, free, st.Capacity(), erst.ErrNotEnoughSpace)
	}
	return nil
}

// Writer is what [Write] needs of the device (an [erst.Device]).
type Writer interface{ Write(rec []byte) error }

// Write writes the records in order, calling done after each. When the
// device or done fails part-way, the error names the records written and
// those not written, by id and name.
func Write(w Writer, recs []Record, done func(Record) error) error {
	for i, r := range recs {
		if err := w.Write(r.Data); err != nil {
			return partial(recs, i, fmt.Errorf("%s: %w", r.Name, err))
		}
		if err := done(r); err != nil {
			return partial(recs, i+1, fmt.Errorf("output: %w", err))
		}
	}
	return nil
}

// partial wraps err, which stopped a batch after recs[:n] were written.
// A single record that was not written needs no list.
func partial(recs []Record, n int, err error) error {
	if len(recs) == 1 && n == 0 {
		return err
	}
	list := func(rs []Record) string {
		if len(rs) == 0 {
			return "none"
		}
		s := make([]string, len(rs))
		for i, r := range rs {
			s[i] = fmt.Sprintf("%#x (%s)", r.ID, r.Name)
		}
		return strings.Join(s, ", ")
	}
	return fmt.Errorf("%w; written: %s; not written: %s", err, list(recs[:n]), list(recs[n:]))
}
