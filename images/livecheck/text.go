package livecheck

import (
	"fmt"
	"strings"
	"time"
)

// Text is the report as \erst\report.txt and the console show it: the
// verdict first, then each part.
func (r *Report) Text() string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	p("ERST live check: %s", strings.ToUpper(r.Verdict))
	if len(r.Failed) > 0 {
		p("failed: %s", strings.Join(r.Failed, ", "))
	}
	p("")
	m := r.Machine
	p("machine:   %s %s (board %s %s)", m.Vendor, m.Product, m.BoardVendor, m.BoardName)
	p("firmware:  %s %s (%s)", m.FirmwareVendor, m.FirmwareVersion, m.FirmwareDate)
	p("kernel:    %s", m.Kernel)
	if r.Boot1 != nil {
		p("boot 1:    %s to %s", stamp(r.Boot1.Start), stamp(r.Boot1.End))
	}
	if r.Boot2 != nil {
		p("boot 2:    %s to %s", stamp(r.Boot2.Start), stamp(r.Boot2.End))
	}
	if r.ReportOnly {
		p("mode:      report only (nothing written to the store)")
	}
	p("")
	switch {
	case r.Verdict == VerdictNoERST:
		p("table:     no ERST table: the firmware publishes none (ACPI 6.5 §18.5)")
	case r.Table != nil:
		t := r.Table
		p("table:     ERST rev %d, %d bytes, %d entries, OEM %q %q rev %#x, creator %q", t.Revision, t.Length, t.Entries, t.OEMID, t.OEMTableID, t.OEMRevision, t.CreatorID)
	}
	if r.Table != nil {
		p("lint:      %d finding(s)", len(r.Lint))
		for _, f := range r.Lint {
			p("  %s", f)
		}
	}
	if d := r.Device; d != nil {
		timings := d.Timings
		if timings == "" {
			timings = "none"
		}
		p("device:    error log range %s, %d bytes, attributes %s, timings %s, %d records", d.RangeBase, d.RangeLength, d.Attributes, timings, d.RecordCount)
	}
	if c := r.Conform; c != nil {
		p("")
		p("conform:   %d checks, records of %d bytes, %d other records left alone", len(c.Checks), c.RecordLength, c.Foreign)
		for _, ch := range c.Checks {
			line := fmt.Sprintf("  %-26s %-4s", ch.Name, ch.Result)
			if ch.Reason != "" {
				line += " " + ch.Reason
			}
			p("%s", line)
		}
	}
	if ps := r.Persistence; ps != nil {
		p("")
		p("persistence across the reset: %s", ps.Result)
		p("  seed %s, records %s (sizes %v)", ps.Seed, strings.Join(ps.IDs, " "), ps.Sizes)
		if ps.Result != "pending" {
			p("  intact %d, missing %d, damaged %d, cleared %d", ps.Intact, ps.Missing, ps.Damaged, ps.Cleared)
		}
		for _, f := range ps.Faults {
			p("  %s", f)
		}
	}
	p("")
	if r.Store.After >= 0 {
		p("store:     %d records before, %d after, unchanged: %v", r.Store.Before, r.Store.After, r.Store.Unchanged)
	} else {
		p("store:     %d records before", r.Store.Before)
	}
	for _, e := range r.Errors {
		p("error:     %s", e)
	}
	return b.String()
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
