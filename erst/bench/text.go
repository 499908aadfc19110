package bench

import (
	"fmt"
	"io"

	"github.com/goerst/erst/internal/textout"
)

// WriteText prints r as a table for a person, one row per operation.
func (r *Report) WriteText(w io.Writer) error {
	mode := "exchange buffer"
	if r.NVRAM {
		mode = "NVRAM"
	}
	p := textout.New(w)
	p.Printf("device:  %s (%s, range %d bytes)\n", r.Device, mode, r.RangeLength)
	p.Printf("records: %d bytes, id %s; %d iterations\n\n", r.RecordSize, r.RecordID, r.Iterations)
	p.Printf("%-12s %6s %10s %10s %10s %10s %10s %12s %8s %10s %7s\n", "op", "count", "mean µs", "p50 µs", "p99 µs", "min µs", "max µs", "accesses/op", "(least)", "allocs/op", "floor×")
	us := func(ns int64) string { return fmt.Sprintf("%.1f", float64(ns)/1e3) }
	for _, o := range r.Operations {
		if o.Skipped != "" {
			p.Printf("%-12s skipped: %s\n", o.Op, o.Skipped)
			continue
		}
		p.Printf("%-12s %6d %10s %10s %10s %10s %10s %12.1f %8d %10.1f %7.2f\n", o.Op, o.Count, us(o.MeanNS), us(o.P50NS), us(o.P99NS), us(o.MinNS), us(o.MaxNS), o.AccessesPerOp, o.AccessesMin, o.AllocsPerOp, o.FloorRatio)
	}
	return p.Err()
}
