package pstore

import (
	"fmt"
	"io"
	"strings"
)

// WriteText lists what went where, for a person: one line per kernel log
// dump (its file, reason#count, parts and gaps), one per other record (its
// files and kind), and a count line saying the records came from `from`
// (e.g. "store FILE") into dir.
func (x *Export) WriteText(w io.Writer, dir, from string) error {
	var b strings.Builder
	for _, l := range x.Index.Logs {
		var parts []string
		for _, p := range l.Parts {
			parts = append(parts, fmt.Sprintf("Part%d %s", p.Part, p.ID))
		}
		head := "log"
		if l.Reason != "" {
			head = fmt.Sprintf("%s#%d", l.Reason, l.Count)
		}
		fmt.Fprintf(&b, "%s: %s from %s", l.File, head, strings.Join(parts, ", "))
		for _, g := range l.Missing {
			fmt.Fprintf(&b, "; %s missing", g)
		}
		b.WriteString("\n")
	}
	for _, r := range x.Index.Records {
		if r.Kind == KindDmesg && r.Part != "" {
			continue // listed with its log
		}
		files := "no file"
		if len(r.Files) > 0 {
			files = strings.Join(r.Files, ", ")
		}
		fmt.Fprintf(&b, "%s: record %s (%s)\n", files, r.ID, r.Kind)
	}
	fmt.Fprintf(&b, "exported %d record(s) from %s into %s (index.json lists them)\n", len(x.Index.Records), from, dir)
	_, err := io.WriteString(w, b.String())
	return err
}
