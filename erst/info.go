package erst

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// Info is what a device says about itself, as erst info prints it: the
// Error Log Address Range with its attributes and execute timings, the
// busy timeout, the record count, and the geometry of the store behind
// a simulated device.
type Info struct {
	Device      string // which device, e.g. "live device"
	Range       Range
	Timeout     time.Duration // the busy-poll timeout, [Device.Timeout]
	RecordCount uint64        // GET_RECORD_COUNT
	// Store is the backing store's geometry; nil when there is none to
	// tell (a live device).
	Store *StoreGeometry
}

// StoreGeometry is a backing store's shape: Capacity records of up to
// RecordSize bytes, in a file of Size bytes.
type StoreGeometry struct {
	Capacity, RecordSize, Size int
}

// Info returns d's [Info], reading the record count; Device and Store are
// for the caller to fill in.
func (d *Device) Info() (Info, error) {
	n, err := d.Count()
	if err != nil {
		return Info{}, err
	}
	return Info{Range: d.Range(), Timeout: d.Timeout(), RecordCount: n}, nil
}

// infoJSON is [Info] on the wire: addresses and bit fields in 0x-hex,
// times in microseconds, null for what the table or device does not say.
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

func (i Info) json() infoJSON {
	r := i.Range
	names := Attributes(r.Attributes).Names()
	if names == nil {
		names = []string{}
	}
	j := infoJSON{
		Device: i.Device, RangeBase: hexValue(r.Base), RangeLength: r.Length,
		Attributes: hexValue(r.Attributes), AttributeNames: names, NVRAM: r.NVRAM(),
		TimeoutUS: i.Timeout.Microseconds(), RecordCount: i.RecordCount,
	}
	if r.HasTimings {
		s := hexValue(uint64(r.Timings))
		mx, nom := uint64(r.Timings.Max().Microseconds()), uint64(r.Timings.Nominal().Microseconds())
		j.Timings, j.MaxExecuteUS, j.NominalExecUS = &s, &mx, &nom
	}
	if g := i.Store; g != nil {
		j.Capacity, j.RecordSize, j.StoreSize = &g.Capacity, &g.RecordSize, &g.Size
	}
	return j
}

// MarshalJSON encodes i as {"device", "range_base", "range_length",
// "attributes", "attribute_names", "nvram", "timings", "max_execute_us",
// "nominal_execute_us", "timeout_us", "record_count", "capacity",
// "record_size", "store_size"}: the timings null when the table lacks
// them, the store's geometry null without a store, attribute_names [] for
// no bits.
func (i Info) MarshalJSON() ([]byte, error) { return json.Marshal(i.json()) }

// WriteText writes i for a person, one "label: value" line per fact.
func (i Info) WriteText(w io.Writer) error {
	j := i.json()
	var b strings.Builder
	fmt.Fprintf(&b, "device:          %s\n", j.Device)
	fmt.Fprintf(&b, "error log range: %s, %d bytes\n", j.RangeBase, j.RangeLength)
	fmt.Fprintf(&b, "attributes:      %s %v\n", j.Attributes, j.AttributeNames)
	if j.Timings != nil {
		fmt.Fprintf(&b, "execute timings: %s (max %d, nominal %d; µs per ACPI)\n", *j.Timings, *j.MaxExecuteUS, *j.NominalExecUS)
	} else {
		fmt.Fprintf(&b, "execute timings: not in the table (ACPI 6.3+)\n")
	}
	fmt.Fprintf(&b, "busy timeout:    %v\n", i.Timeout)
	fmt.Fprintf(&b, "records:         %d\n", i.RecordCount)
	if j.Capacity != nil {
		fmt.Fprintf(&b, "capacity:        %d records of up to %d bytes (%d-byte store)\n", *j.Capacity, *j.RecordSize, *j.StoreSize)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func hexValue(v uint64) string { return fmt.Sprintf("%#x", v) }
