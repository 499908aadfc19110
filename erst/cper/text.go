package cper

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"
)

// WriteText writes r for a person, as erst dump and erst decode print
// it: the header fields one per line, then each section: its descriptor,
// then its body: the kernel log of a Linux pstore section (inflated when
// DMESG_Z), the named fields of a standard section, or hex.
func WriteText(w io.Writer, r *Record) error {
	bw := bufio.NewWriter(w)
	h := &r.Header
	fmt.Fprintf(bw, "record %#x  (%d bytes)\n", h.RecordID, h.RecordLength)
	fmt.Fprintf(bw, "  revision       %v\n", h.Revision)
	fmt.Fprintf(bw, "  severity       %v\n", h.Severity)
	fmt.Fprintf(bw, "  validation     %v\n", h.ValidationBits)
	if t, err := h.Time(); err == nil {
		fmt.Fprintf(bw, "  timestamp      %s\n", t.Format(time.RFC3339))
	} else {
		fmt.Fprintf(bw, "  timestamp      (%v)\n", err)
	}
	fmt.Fprintf(bw, "  platform id    %v\n", h.PlatformID)
	fmt.Fprintf(bw, "  partition id   %v\n", h.PartitionID)
	fmt.Fprintf(bw, "  creator        %v\n", h.Creator)
	fmt.Fprintf(bw, "  notification   %v\n", h.Notification)
	fmt.Fprintf(bw, "  flags          %v\n", h.Flags)
	fmt.Fprintf(bw, "  persistence    %v\n", h.Persistence)
	for i := range r.Sections {
		s := &r.Sections[i]
		sd := &s.Descriptor
		fmt.Fprintf(bw, "  section %d: %v, %d bytes at %d, severity %v, flags %v\n", i, sd.Type, sd.Length, sd.Offset, sd.Severity, sd.Flags)
		if sd.ValidationBits&ValidFRUID != 0 {
			fmt.Fprintf(bw, "    fru id %v\n", sd.FRUID)
		}
		if sd.ValidationBits&ValidFRUText != 0 {
			fmt.Fprintf(bw, "    fru text %q\n", sd.FRU())
		}
		writeBodyText(bw, s)
	}
	return bw.Flush()
}

func writeBodyText(w io.Writer, s *Section) {
	switch s.Descriptor.Type {
	case SectionTypeDmesg, SectionTypeDmesgZ:
		d, err := DecodeDmesg(s)
		if err != nil {
			fmt.Fprintf(w, "    (%v)\n", err)
			writeHex(w, s.Body, 64)
			return
		}
		if d.Compressed {
			fmt.Fprintf(w, "    compressed, %d bytes inflated to %d\n", len(s.Body), len(d.Text))
		}
		if d.Reason != "" {
			fmt.Fprintf(w, "    pstore dump: reason %s, count %d, part %d\n", d.Reason, d.Count, d.Part)
		}
		writeLines(w, d.Text)
		return
	}
	if dec := DecodeSection(s); dec != nil {
		dec.writeText(w, "    ")
		return
	}
	if !s.Descriptor.Type.Known() {
		fmt.Fprintf(w, "    unknown section type %v: %d bytes, not decoded\n", GUID(s.Descriptor.Type), len(s.Body))
	}
	if isText(s.Body) {
		writeLines(w, s.Body)
		return
	}
	writeHex(w, s.Body, 64)
}

func writeLines(w io.Writer, text []byte) {
	for _, line := range strings.Split(strings.TrimRight(string(text), "\n\x00"), "\n") {
		fmt.Fprintf(w, "    | %s\n", line)
	}
}

// writeHex writes the first n bytes of b in hex, saying how many more
// there are; n < 0 writes them all, 32 to a line.
func writeHex(w io.Writer, b []byte, n int) {
	if n < 0 || n > len(b) {
		n = len(b)
	}
	for i := 0; i < n; i += 32 {
		fmt.Fprintf(w, "    % x\n", b[i:min(n, i+32)])
	}
	if n < len(b) {
		fmt.Fprintf(w, "    ... (%d more bytes not shown)\n", len(b)-n)
	}
}

// isText reports whether b is printable ASCII with newlines and tabs,
// ignoring trailing NULs.
func isText(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range bytes.TrimRight(b, "\x00") {
		if c != '\n' && c != '\t' && (c < 0x20 || c > 0x7e) {
			return false
		}
	}
	return true
}
