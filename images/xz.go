package images

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"hash/crc64"
	"io"

	"github.com/ulikunitz/xz/lzma"
)

// This file decodes the one XZ stream a Linux bzImage carries as its
// payload when the kernel is built with CONFIG_KERNEL_XZ: a single block
// with the x86 BCJ filter before LZMA2, as scripts/xz_wrap.sh makes it
// (xz --check=crc32 --x86 --lzma2=...). github.com/ulikunitz/xz reads
// only plain LZMA2 blocks, so the container and the BCJ filter are
// decoded here and the LZMA2 data by its lzma package. The format is
// "The .xz File Format" 1.1.0 (tukaani.org/xz/xz-file-format.txt); the
// section numbers below are that document's.

// xzMagic starts an XZ stream (§2.1.1.1).
var xzMagic = []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}

// Filter IDs (§5.3).
const (
	xzFilterX86   = 0x04
	xzFilterLZMA2 = 0x21
)

// Check types (§2.1.1.2).
const (
	xzCheckNone   = 0x00
	xzCheckCRC32  = 0x01
	xzCheckCRC64  = 0x04
	xzCheckSHA256 = 0x0a
)

// ErrXZ: the XZ payload is malformed, corrupt, or uses a feature this
// decoder does not have (several blocks, filters other than x86 BCJ and
// LZMA2).
var ErrXZ = errors.New("xz")

func xzErrorf(off int, format string, args ...any) error {
	return fmt.Errorf("%w: at byte %d: %s", ErrXZ, off, fmt.Sprintf(format, args...))
}

// decodeXZ decodes the first block of the XZ stream at the start of b,
// verifies its check and returns the uncompressed data. The rest of the
// stream (index, footer) and anything after it are ignored: a bzImage
// appends its own fields there.
func decodeXZ(b []byte) ([]byte, error) {
	// Stream header (§2.1.1): magic, two flag bytes, CRC32 of the flags.
	if len(b) < 12 || !bytes.Equal(b[:6], xzMagic) {
		return nil, xzErrorf(0, "no stream header")
	}
	if b[6] != 0 || b[7]&0xf0 != 0 {
		return nil, xzErrorf(6, "unsupported stream flags %#02x%02x", b[6], b[7])
	}
	if crc32.ChecksumIEEE(b[6:8]) != binary.LittleEndian.Uint32(b[8:12]) {
		return nil, xzErrorf(8, "stream header CRC32 mismatch")
	}
	check := b[7]
	checkSize := map[byte]int{xzCheckNone: 0, xzCheckCRC32: 4, xzCheckCRC64: 8, xzCheckSHA256: 32}
	if _, ok := checkSize[check]; !ok {
		return nil, xzErrorf(7, "unsupported check type %#x", check)
	}

	// Block header (§3.1): size, flags, optional sizes, filter flags,
	// padding, CRC32.
	const start = 12
	if len(b) < start+1 || b[start] == 0 {
		return nil, xzErrorf(start, "no block (an empty stream)")
	}
	hsize := (int(b[start]) + 1) * 4
	if len(b) < start+hsize {
		return nil, xzErrorf(start, "block header of %d bytes runs past the end", hsize)
	}
	h := b[start : start+hsize]
	if crc32.ChecksumIEEE(h[:hsize-4]) != binary.LittleEndian.Uint32(h[hsize-4:]) {
		return nil, xzErrorf(start+hsize-4, "block header CRC32 mismatch")
	}
	flags := h[1]
	if flags&0x3c != 0 {
		return nil, xzErrorf(start+1, "reserved block flags %#x", flags)
	}
	r := &headerReader{b: h[:hsize-4], off: 2}
	if flags&0x40 != 0 {
		r.varint() // compressed size
	}
	if flags&0x80 != 0 {
		r.varint() // uncompressed size
	}
	var x86, dictProp = false, -1
	var x86Start uint32
	nfilters := int(flags&0x03) + 1
	for i := 0; i < nfilters && r.err == nil; i++ {
		id, props := r.varint(), r.varint()
		p := r.bytes(int(props))
		last := i == nfilters-1
		switch {
		case r.err != nil:
		case id == xzFilterX86 && !last && !x86 && (props == 0 || props == 4):
			x86 = true
			if props == 4 {
				x86Start = binary.LittleEndian.Uint32(p)
			}
		case id == xzFilterLZMA2 && last && props == 1:
			dictProp = int(p[0])
		default:
			return nil, xzErrorf(start+r.off, "unsupported filter %#x (with %d property bytes) in position %d of %d", id, props, i+1, nfilters)
		}
	}
	if r.err != nil {
		return nil, xzErrorf(start+r.off, "block header: %v", r.err)
	}
	if dictProp < 0 || dictProp > 40 {
		return nil, xzErrorf(start, "no LZMA2 filter with a valid dictionary size")
	}

	// Compressed data (§3.3), LZMA2 (§5.3.1).
	dictCap := lzma.MaxDictCap
	if dictProp < 40 {
		dictCap = (2 | dictProp&1) << (dictProp/2 + 11)
	}
	data := bytes.NewReader(b[start+hsize:])
	lr, err := lzma.Reader2Config{DictCap: max(dictCap, lzma.MinDictCap)}.NewReader2(data)
	if err != nil {
		return nil, xzErrorf(start+hsize, "LZMA2: %v", err)
	}
	out, err := io.ReadAll(lr)
	if err != nil || !lr.EOS() {
		return nil, xzErrorf(start+hsize, "LZMA2 data: %v", errors.Join(err, io.ErrUnexpectedEOF))
	}
	if x86 {
		bcjX86(out, x86Start, false)
	}

	// Block padding to a multiple of four, then the check (§3.4, §3.5).
	end := len(b) - data.Len()
	pad := (4 - (end-start)%4) % 4
	sum := b[end:]
	if len(sum) < pad+checkSize[check] {
		return nil, xzErrorf(end, "block ends without its padding and check")
	}
	if !bytes.Equal(sum[:pad], make([]byte, pad)) {
		return nil, xzErrorf(end, "non-zero block padding")
	}
	sum = sum[pad : pad+checkSize[check]]
	var ok bool
	switch check {
	case xzCheckNone:
		ok = true
	case xzCheckCRC32:
		ok = crc32.ChecksumIEEE(out) == binary.LittleEndian.Uint32(sum)
	case xzCheckCRC64:
		ok = crc64.Checksum(out, crc64.MakeTable(crc64.ECMA)) == binary.LittleEndian.Uint64(sum)
	case xzCheckSHA256:
		h := sha256.Sum256(out)
		ok = bytes.Equal(h[:], sum)
	}
	if !ok {
		return nil, xzErrorf(end+pad, "the uncompressed data fails its check (type %#x)", check)
	}
	return out, nil
}

// headerReader reads the variable-length fields of a block header.
type headerReader struct {
	b   []byte
	off int
	err error
}

// varint reads a multibyte integer (§1.2): seven bits a byte, low first,
// at most nine bytes.
func (r *headerReader) varint() uint64 {
	var v uint64
	for i := 0; r.err == nil; i++ {
		if r.off >= len(r.b) || i == 9 {
			r.err = errors.New("truncated or overlong integer")
			break
		}
		c := r.b[r.off]
		r.off++
		v |= uint64(c&0x7f) << (7 * i)
		if c&0x80 == 0 {
			return v
		}
	}
	return 0
}

func (r *headerReader) bytes(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.b)-r.off {
		r.err = errors.New("filter properties run past the header")
		return nil
	}
	p := r.b[r.off : r.off+n]
	r.off += n
	return p
}

// bcjX86 undoes (or, with encode, applies) the x86 branch/call/jump
// filter in place on buf, whose first byte is at stream position pos:
// the filter turns the relative targets of E8/E9 instructions into
// absolute ones, which compress better. This is the algorithm of
// xz-embedded's bcj_x86 (linux/lib/xz/xz_dec_bcj.c) on one buffer.
func bcjX86(buf []byte, pos uint32, encode bool) {
	maskAllowed := [8]bool{true, true, true, false, true, false, false, false}
	maskBit := [8]uint32{0, 1, 2, 2, 3, 3, 3, 3}
	msb := func(c byte) bool { return c == 0x00 || c == 0xff }
	if len(buf) <= 4 {
		return
	}
	size := len(buf) - 4
	prevPos := -1
	var prevMask uint32
	for i := 0; i < size; i++ {
		if buf[i]&0xfe != 0xe8 {
			continue
		}
		d := i - prevPos
		if d > 3 {
			prevMask = 0
		} else {
			prevMask = (prevMask << (d - 1)) & 7
			if prevMask != 0 {
				c := buf[i+4-int(maskBit[prevMask])]
				if !maskAllowed[prevMask] || msb(c) {
					prevPos = i
					prevMask = prevMask<<1 | 1
					continue
				}
			}
		}
		prevPos = i
		if !msb(buf[i+4]) {
			prevMask = prevMask<<1 | 1
			continue
		}
		src := binary.LittleEndian.Uint32(buf[i+1:])
		var dest uint32
		for {
			at := pos + uint32(i) + 5
			if encode {
				dest = src + at
			} else {
				dest = src - at
			}
			if prevMask == 0 {
				break
			}
			j := maskBit[prevMask] * 8
			if !msb(byte(dest >> (24 - j))) {
				break
			}
			src = dest ^ (1<<(32-j) - 1)
		}
		dest &= 0x01ffffff
		dest |= -(dest & 0x01000000)
		binary.LittleEndian.PutUint32(buf[i+1:], dest)
		i += 4
	}
}
