package cper

import (
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ErrInflate: a DMESG_Z section body is not a raw deflate stream, or
// inflates to more than [MaxDmesgSize] bytes.
var ErrInflate = errors.New("cper: DMESG_Z section does not inflate")

// MaxDmesgSize bounds what [InflateDmesg] produces, so that a small record
// cannot demand a large allocation. Linux's pstore inflates into a buffer
// of a few times the backend's record size (big_oops_buf_sz in 6.1,
// 3 x bufsize from 6.6); 1 MiB is far above both for any ERST range.
const MaxDmesgSize = 1 << 20

// Dmesg is a kernel log dump as Linux's pstore writes it into an ERST
// record (fs/pstore/platform.c pstore_dump, drivers/acpi/apei/erst.c
// erst_writer): one DMESG section holding the text, or one DMESG_Z section
// holding it compressed.
//
// pstore_dump heads each part with "<reason>#<count> Part<n>\n", the
// reason from kmsg_dump_reason_str ("Panic", "Oops", "Emergency",
// "Shutdown", "Unknown"), count the oops counter, n the part number (1 is
// the newest end of the log; a long log takes several records). Reason,
// Count and Part come from that line; they are zero when the text does
// not start with one.
type Dmesg struct {
	Compressed bool   // the section was DMESG_Z
	Reason     string // "Panic", "Oops", "Emergency", "Shutdown", ...
	Count      int    // oops count
	Part       int    // 1 = the newest end of the log
	Text       []byte // the text, inflated, header line included
}

// DecodeDmesg reads a DMESG or DMESG_Z section. For DMESG_Z it inflates
// the body as raw deflate (RFC 1951), which is what Linux writes: the
// crypto API's "deflate" up to 6.5 and zlib_deflateInit2(-MAX_WBITS) from
// 6.6 both produce a stream without zlib header. A body that does not
// inflate gives [ErrInflate]. Any other section type gives [ErrPstoreType].
func DecodeDmesg(s *Section) (Dmesg, error) {
	var d Dmesg
	switch s.Descriptor.Type {
	case SectionTypeDmesg:
		d.Text = s.Body
	case SectionTypeDmesgZ:
		d.Compressed = true
		t, err := InflateDmesg(s.Body)
		if err != nil {
			return d, err
		}
		d.Text = t
	default:
		return d, fmt.Errorf("%w: %v", ErrPstoreType, s.Descriptor.Type)
	}
	d.Reason, d.Count, d.Part = parseDmesgHead(d.Text)
	return d, nil
}

// InflateDmesg inflates a DMESG_Z body (raw deflate). It stops at the end
// of the deflate stream; bytes after it are ignored, as zlib_inflate does.
func InflateDmesg(body []byte) ([]byte, error) {
	r := flate.NewReader(bytes.NewReader(body))
	defer r.Close()
	out, err := io.ReadAll(io.LimitReader(r, MaxDmesgSize+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %v (after %d bytes of text)", ErrInflate, err, len(out))
	}
	if len(out) > MaxDmesgSize {
		return nil, fmt.Errorf("%w: inflates to more than %d bytes", ErrInflate, MaxDmesgSize)
	}
	return out, nil
}

// DeflateDmesg compresses text as a DMESG_Z body that every Linux version
// inflates. It uses Huffman coding only, without back-references: Linux
// 6.1's pstore inflates through the crypto API's "deflate" with a 2 KiB
// window (DEFLATE_DEF_WINBITS 11), and compress/flate's matches reach back
// up to 32 KiB, which such an inflater may refuse.
func DeflateDmesg(text []byte) []byte {
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.HuffmanOnly) // the level is valid
	w.Write(text)                                  // a bytes.Buffer does not fail
	w.Close()
	return b.Bytes()
}

// DmesgHead is the line pstore_dump writes before each part of the log.
func DmesgHead(reason string, count, part int) string {
	return fmt.Sprintf("%s#%d Part%d\n", reason, count, part)
}

// parseDmesgHead reads "<reason>#<count> Part<n>" from the first line.
func parseDmesgHead(text []byte) (reason string, count, part int) {
	line, _, _ := bytes.Cut(text, []byte("\n"))
	why, rest, ok := strings.Cut(string(line), "#")
	if !ok || why == "" || strings.ContainsAny(why, " \t") {
		return "", 0, 0
	}
	c, p, ok := strings.Cut(rest, " Part")
	if !ok {
		return "", 0, 0
	}
	cn, err1 := strconv.Atoi(c)
	pn, err2 := strconv.Atoi(p)
	if err1 != nil || err2 != nil {
		return "", 0, 0
	}
	return why, cn, pn
}
