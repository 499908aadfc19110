package acpi

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
)

// SysfsTables is where Linux exposes the firmware's ACPI tables.
const SysfsTables = "/sys/firmware/acpi/tables"

// MaxSourceSize bounds how much of a file [ReadTableFile] reads. An acpidump
// of a whole large server is a few MiB of text.
const MaxSourceSize = 64 << 20

// ReadTableFile reads the table with signature sig from path, which holds
// either the binary table (as written by `acpidump -b` or copied from
// sysfs) or acpidump's text output with one or more tables in it.
func ReadTableFile(path string, sig [4]byte) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxSourceSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(b) > MaxSourceSize {
		return nil, fmt.Errorf("%s: larger than %d bytes: not an ACPI table or acpidump", path, MaxSourceSize)
	}
	t, err := TableFromBytes(b, sig)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// TableFromBytes picks the table with signature sig out of b, which is a
// binary table or acpidump text. A binary table is returned as given.
func TableFromBytes(b []byte, sig [4]byte) ([]byte, error) {
	switch {
	case len(b) == 0:
		return nil, formatErr(ErrTruncated, 0, "empty input")
	case bytes.HasPrefix(b, storeMagic):
		return nil, formatErr(ErrSignature, 0, "this is an erst store (a QEMU acpi-erst backing file, magic %q), not an ACPI table: give it to -store", storeMagic)
	case len(b) >= 4 && [4]byte(b[:4]) == sig && !bytes.HasPrefix(b[4:], []byte(" @ 0x")):
		// A binary table. Text that starts with acpidump's heading for
		// sig ("ERST @ 0x...", as `acpidump -n ERST` prints) also starts
		// with sig; it is not binary: its Length would read as " @ 0"
		// (0x30204020), which no table has.
		return b, nil
	case looksLikeAcpidump(b):
		return ParseAcpidump(b, sig)
	case len(b) >= 4 && isTableSignature(b[:4]):
		return nil, formatErr(ErrSignature, 0, "this is a %q table, not %q", b[:4], sig[:])
	}
	return nil, formatErr(ErrSignature, 0, "neither a binary %q table nor acpidump text", sig[:])
}

// ReadLiveTable reads the firmware's table from sysfs (Linux only; root).
func ReadLiveTable(sig [4]byte) ([]byte, error) {
	path := SysfsTables + "/" + string(sig[:])
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%s: %w: this machine's firmware has no %s table (or this is not Linux)", path, ErrNotFound, sig[:])
	case errors.Is(err, fs.ErrPermission):
		return nil, fmt.Errorf("%s: %w: reading ACPI tables needs root", path, err)
	case err != nil:
		return nil, err
	}
	return b, nil
}

func isTableSignature(b []byte) bool {
	for _, c := range b {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// storeMagic starts a QEMU acpi-erst backing file (STORE_MAGIC in QEMU's
// hw/acpi/erst.c, "ERSTSTOR" on disk): its first four bytes are the ERST
// signature, so without this check it would be read as a table whose
// Length is "STOR".
var storeMagic = []byte("ERSTSTOR")

// CountAcpidump returns how many tables with signature sig the acpidump
// text b holds (0 for anything else); [ParseAcpidump] returns the first.
func CountAcpidump(b []byte, sig [4]byte) int {
	n := 0
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<16)
	for sc.Scan() {
		if s, ok := acpidumpHeading(sc.Bytes()); ok && s == sig {
			n++
		}
	}
	return n
}

// looksLikeAcpidump reports whether b has a line of the form
// "SIG @ 0x<hex>", acpidump's table heading.
func looksLikeAcpidump(b []byte) bool {
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<16)
	for sc.Scan() {
		if _, ok := acpidumpHeading(sc.Bytes()); ok {
			return true
		}
	}
	return false
}

// acpidumpHeading parses "SIG @ 0xADDR" (leading space allowed).
func acpidumpHeading(line []byte) ([4]byte, bool) {
	line = bytes.TrimSpace(line)
	var sig [4]byte
	if len(line) < 9 || !bytes.HasPrefix(line[4:], []byte(" @ 0x")) || !isTableSignature(line[:4]) {
		return sig, false
	}
	copy(sig[:], line)
	return sig, true
}

// ParseAcpidump extracts the first table with signature sig from the text
// that `acpidump` prints:
//
//	ERST @ 0x00000000BF6B7000
//	    0000: 45 52 53 54 30 02 00 00 01 6A 49 4E 54 45 4C 20  ERST0....jINTEL
//
// Offsets must run contiguously from 0; the ASCII column is ignored. The
// result is cut to the header's Length when the dump holds more.
func ParseAcpidump(text []byte, sig [4]byte) ([]byte, error) {
	sc := bufio.NewScanner(bytes.NewReader(text))
	sc.Buffer(nil, 1<<16)
	var (
		out     []byte
		inTable bool
		lineNo  int
	)
	for sc.Scan() {
		lineNo++
		line := sc.Bytes()
		if s, ok := acpidumpHeading(line); ok {
			if inTable {
				break // the next table starts
			}
			inTable = s == sig
			continue
		}
		if !inTable {
			continue
		}
		trimmed := bytes.TrimSpace(line)
		if len(trimmed) == 0 {
			if len(out) > 0 {
				break
			}
			continue
		}
		off, data, ok := parseDumpLine(trimmed)
		if !ok {
			if len(out) > 0 {
				break
			}
			return nil, formatErr(ErrBadAcpidump, len(out), "line %d: expected \"OFFSET: hex bytes\", got %.40q", lineNo, trimmed)
		}
		if off != len(out) {
			return nil, formatErr(ErrBadAcpidump, len(out), "line %d: offset %#x does not follow %#x", lineNo, off, len(out))
		}
		out = append(out, data...)
	}
	if err := sc.Err(); err != nil {
		return nil, formatErr(ErrBadAcpidump, len(out), "line %d: %v", lineNo+1, err)
	}
	if !inTable && out == nil {
		return nil, formatErr(ErrNotFound, 0, "no %q table in the acpidump text", sig[:])
	}
	if len(out) == 0 {
		return nil, formatErr(ErrBadAcpidump, 0, "the %q table has no hex lines", sig[:])
	}
	if h, err := DecodeHeader(out); err == nil && int(h.Length) >= HeaderSize && int(h.Length) < len(out) {
		out = out[:h.Length]
	}
	return out, nil
}

// parseDumpLine parses "0010: 53 35 ...  ASCII". It reads up to 16 bytes,
// each two hex digits followed by a space or the end of the line; the
// double space before the ASCII column ends the bytes.
func parseDumpLine(line []byte) (off int, data []byte, ok bool) {
	colon := bytes.IndexByte(line, ':')
	if colon < 1 || colon > 8 {
		return 0, nil, false
	}
	o, err := strconv.ParseUint(string(line[:colon]), 16, 32)
	if err != nil {
		return 0, nil, false
	}
	rest := line[colon+1:]
	data = make([]byte, 0, 16)
	for len(data) < 16 && len(rest) >= 3 && rest[0] == ' ' {
		h, l := unhex(rest[1]), unhex(rest[2])
		if h < 0 || l < 0 || (len(rest) > 3 && rest[3] != ' ' && rest[3] != '\t') {
			break
		}
		data = append(data, byte(h<<4|l))
		rest = rest[3:]
	}
	if len(data) == 0 {
		return 0, nil, false
	}
	return int(o), data, true
}

func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}
