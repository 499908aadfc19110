package batch

import "fmt"

// Written is a record written, as erst write -json reports it.
type Written struct {
	ID     string `json:"id"` // 0x-hex
	Length int    `json:"length"`
}

// WrittenOf returns r's entry in a report of the records written.
func WrittenOf(r Record) Written { return Written{ID: fmt.Sprintf("%#x", r.ID), Length: len(r.Data)} }
