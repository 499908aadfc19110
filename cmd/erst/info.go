package main

import (
	"flag"
	"fmt"

	"github.com/goerst/erst/erst"
)

func init() {
	register(&command{name: "info", summary: "Show the error log address range, attributes, timings, record count and capacity.", setup: setupInfo})
}

type infoJSON struct {
	Device         string   `json:"device"`
	RangeBase      string   `json:"range_base"`
	RangeLength    uint64   `json:"range_length"`
	Attributes     string   `json:"attributes"`
	AttributeNames []string `json:"attribute_names"`
	NVRAM          bool     `json:"nvram"`
	Timings        *string  `json:"timings"`
	MaxExecuteUS   *uint64  `json:"max_execute_us"`
	NominalExecUS  *uint64  `json:"nominal_execute_us"`
	TimeoutUS      int64    `json:"timeout_us"`
	RecordCount    uint64   `json:"record_count"`
	Capacity       *int     `json:"capacity"`
	RecordSize     *int     `json:"record_size"`
	StoreSize      *int     `json:"store_size"`
}

// attributeNames names the range attribute bits for info, [] for none.
func attributeNames(a uint64) []string {
	if names := erst.Attributes(a).Names(); names != nil {
		return names
	}
	return []string{}
}

func setupInfo(fs *flag.FlagSet) func(*env, []string) error {
	asJSON := fs.Bool("json", false, "print JSON")
	return func(e *env, args []string) error {
		if len(args) > 0 {
			return usagef("info takes no arguments")
		}
		d, err := e.openDevice()
		if err != nil {
			return err
		}
		count, err := d.Count()
		if err != nil {
			return err
		}
		r := d.Range()
		j := infoJSON{
			Device: d.where, RangeBase: hex64(r.Base), RangeLength: r.Length,
			Attributes: hex64(r.Attributes), AttributeNames: attributeNames(r.Attributes), NVRAM: r.NVRAM(),
			TimeoutUS: d.Timeout().Microseconds(), RecordCount: count,
		}
		if r.HasTimings {
			s := hex64(uint64(r.Timings))
			mx, nom := uint64(r.Timings.Max().Microseconds()), uint64(r.Timings.Nominal().Microseconds())
			j.Timings, j.MaxExecuteUS, j.NominalExecUS = &s, &mx, &nom
		}
		if d.st != nil {
			c, rs, sz := d.st.Capacity(), d.st.RecordSize(), d.st.Size()
			j.Capacity, j.RecordSize, j.StoreSize = &c, &rs, &sz
		}
		if *asJSON {
			return printJSON(e.stdout, j)
		}
		w := e.stdout
		fmt.Fprintf(w, "device:          %s\n", j.Device)
		fmt.Fprintf(w, "error log range: %s, %d bytes\n", j.RangeBase, j.RangeLength)
		fmt.Fprintf(w, "attributes:      %s %v\n", j.Attributes, j.AttributeNames)
		if j.Timings != nil {
			fmt.Fprintf(w, "execute timings: %s (max %d, nominal %d; µs per ACPI)\n", *j.Timings, *j.MaxExecuteUS, *j.NominalExecUS)
		} else {
			fmt.Fprintf(w, "execute timings: not in the table (ACPI 6.3+)\n")
		}
		fmt.Fprintf(w, "busy timeout:    %v\n", d.Timeout())
		fmt.Fprintf(w, "records:         %d\n", count)
		if j.Capacity != nil {
			fmt.Fprintf(w, "capacity:        %d records of up to %d bytes (%d-byte store)\n", *j.Capacity, *j.RecordSize, *j.StoreSize)
		}
		return nil
	}
}
