package store

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
)

// findingJSON is a [Finding] on the wire: slot is null for the header as
// a whole, id is 0x-hex and absent when there is none.
type findingJSON struct {
	Code   string `json:"code"`
	Slot   *int   `json:"slot"`
	ID     string `json:"id,omitempty"`
	Detail string `json:"detail"`
}

// MarshalJSON encodes f as {"code","slot","id","detail"}: slot null when
// the finding is about the header as a whole, id ("0x..") left out when 0.
func (f Finding) MarshalJSON() ([]byte, error) {
	j := findingJSON{Code: f.Code, Detail: f.Detail}
	if f.Slot >= 0 {
		j.Slot = &f.Slot
	}
	if f.ID != 0 {
		j.ID = fmt.Sprintf("%#x", f.ID)
	}
	return json.Marshal(j)
}

// UnmarshalJSON decodes what MarshalJSON writes.
func (f *Finding) UnmarshalJSON(b []byte) error {
	var j findingJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*f = Finding{Code: j.Code, Slot: -1, Detail: j.Detail}
	if j.Slot != nil {
		f.Slot = *j.Slot
	}
	if j.ID != "" {
		id, err := strconv.ParseUint(j.ID, 0, 64)
		if err != nil {
			return fmt.Errorf("store: finding id %q: %w", j.ID, err)
		}
		f.ID = id
	}
	return nil
}

// Report is what [Check] found in the backing file at Path.
type Report struct {
	Path     string
	Findings []Finding
}

// MarshalJSON encodes r as {"store": Path, "clean", "findings": [...]};
// findings is [] (not null) for a clean store.
func (r Report) MarshalJSON() ([]byte, error) {
	fs := r.Findings
	if fs == nil {
		fs = []Finding{}
	}
	return json.Marshal(struct {
		Store    string    `json:"store"`
		Clean    bool      `json:"clean"`
		Findings []Finding `json:"findings"`
	}{r.Path, len(fs) == 0, fs})
}

// WriteText writes the findings one per line, as [Finding.String]; nothing
// for a clean store.
func (r Report) WriteText(w io.Writer) error {
	for _, f := range r.Findings {
		if _, err := fmt.Fprintln(w, f); err != nil {
			return err
		}
	}
	return nil
}
