package batch

import (
	"fmt"

	"github.com/goerst/erst/erst/cper"
)

// Stored is one stored record as [ReadAll] returns it: its bytes and
// decode, or why they could not be read or decoded.
type Stored struct {
	ID  uint64
	Raw []byte       // the record as the device returned it
	Rec *cper.Record // the decode; nil when Err is set
	// Err: the read failed (Unread), or the bytes are not a valid CPER
	// record ("not a valid CPER record: ...").
	Err    error
	Unread bool // Err is the device's: the record could not be read at all
}

// Reader is what [ReadAll] needs of the device (an erst.Device).
type Reader interface {
	IDs() ([]uint64, error)
	Read(id uint64) ([]byte, error)
}

// ReadAll reads and decodes every stored record, in the device's order.
// A record that cannot be read or decoded is reported in its entry, and
// the others are still read; only the enumeration failing is an error.
func ReadAll(r Reader) ([]Stored, error) {
	ids, err := r.IDs()
	if err != nil {
		return nil, err
	}
	out := make([]Stored, len(ids))
	for i, id := range ids {
		s := &out[i]
		s.ID = id
		if s.Raw, s.Err = r.Read(id); s.Err != nil {
			s.Unread = true
			continue
		}
		if s.Rec, err = cper.Parse(s.Raw); err != nil {
			s.Err = fmt.Errorf("not a valid CPER record: %w", err)
		}
	}
	return out, nil
}
