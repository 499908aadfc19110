// Package textout holds what the text renderings of reports share:
// formatted output that keeps its first write error, so that a renderer
// writes line after line and checks once, and one-line messages.
package textout

import (
	"fmt"
	"io"
	"strings"
)

// Printer writes formatted text to a writer and keeps the first write
// error; after it, Printf writes nothing.
type Printer struct {
	w   io.Writer
	err error
}

// New returns a Printer writing to w.
func New(w io.Writer) *Printer { return &Printer{w: w} }

// Printf writes as fmt.Fprintf, unless an earlier write failed.
func (p *Printer) Printf(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

// Err returns the first write error, or nil.
func (p *Printer) Err() error { return p.err }

// OneLine keeps a message on one line, as scripts reading a command's
// output expect: surrounding space trimmed, inner line breaks as "; ".
func OneLine(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), "\n", "; ") }
