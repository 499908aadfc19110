package acpi

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/goerst/erst/acpi/acpitest"
)

// iaslRandomTables is how many random tables TestRandomTablesMatchIasl
// hands to iasl. iasl takes many files per run, so a few hundred cost
// well under a second.
const iaslRandomTables = 400

// TestRandomTablesMatchIasl generates tables nobody has seen, well formed
// in structure (signature ERST, Length = the file size = 48 + 32*n, or a
// few more for some tables, whose trailing bytes iasl shows as a partial
// entry) but with any value in every field: unknown actions and
// instructions, odd address spaces and widths, wrong checksums and entry
// counts, any Serialization Header Length, non-zero reserved bytes,
// non-ASCII OEM ids. It runs the real `iasl -d` on them and compares every
// field of our JSON with iasl's disassembly, and iasl's raw dump with the
// bytes.
//
// Set ERST_IASL_SEED to repeat a run; the seed is logged.
//
// Outside that structure iasl 20200925 misbehaves, so these stay out: a
// Length below 48 stops its output after the fields that fit (and
// DecodeERST refuses the table); a Length beyond the file makes it fail;
// and a Length shorter than the file makes it loop forever.
func TestRandomTablesMatchIasl(t *testing.T) {
	iasl := acpitest.Iasl(t)
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("ERST_IASL_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 0, 64); err != nil {
			t.Fatalf("ERST_IASL_SEED=%q: %v", s, err)
		}
	}
	t.Logf("seed %d (rerun with ERST_IASL_SEED=%d)", seed, seed)
	r := rand.New(rand.NewPCG(seed, 0x45525354))

	dir := t.TempDir()
	tables := make(map[string][]byte, iaslRandomTables)
	paths := make([]string, 0, iaslRandomTables)
	for i := range iaslRandomTables {
		var b []byte
		switch i {
		case 0:
			b = randomTable(r, 0) // header only
		case 1:
			b = randomTable(r, 300) // bigger than any real table
		case 2, 3:
			b = withTrailing(r, randomTable(r, r.IntN(4)), 1+r.IntN(31))
		default:
			b = randomTable(r, r.IntN(40))
			if r.IntN(10) == 0 {
				b = withTrailing(r, b, 1+r.IntN(31))
			}
		}
		p := filepath.Join(dir, fmt.Sprintf("t%04d.dat", i))
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		tables[p] = b
		paths = append(paths, p)
	}

	start := time.Now()
	dsls, err := acpitest.IaslDisassemble(iasl, paths)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("iasl -d on %d tables took %v", len(paths), time.Since(start))

	failed, checkedTrailing := 0, false
	for _, p := range paths {
		b := tables[p]
		tbl, err := DecodeERST(b)
		if err != nil {
			t.Errorf("%s: %v\n% x", p, err, b)
			continue
		}
		if !bytes.Equal(tbl.Encode(), b) {
			t.Errorf("%s: Encode() differs from the input", p)
		}
		dsl, err := acpitest.ParseDSL(dsls[p])
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		js, err := json.Marshal(tbl.JSON())
		if err != nil {
			t.Fatal(err)
		}
		diffs := acpitest.CompareJSON(js, dsl)
		if len(tbl.Trailing) > 0 && !checkedTrailing {
			// The comparison must notice trailing bytes that are wrong or
			// missing from the JSON.
			checkedTrailing = true
			j := tbl.JSON()
			j.Trailing = fmt.Sprintf("%02x", tbl.Trailing[0]^1) + j.Trailing[2:]
			bad, _ := json.Marshal(j)
			j.Trailing = ""
			none, _ := json.Marshal(j)
			if len(acpitest.CompareJSON(bad, dsl)) == 0 || len(acpitest.CompareJSON(none, dsl)) == 0 {
				t.Errorf("%s: CompareJSON does not notice wrong or missing trailing bytes", p)
			}
		}
		if !bytes.Equal(dsl.Raw, b) {
			diffs = append(diffs, "iasl's raw table data differs from the file")
		}
		if len(diffs) > 0 {
			failed++
			if failed <= 5 {
				t.Errorf("%s (seed %d) disagrees with iasl:\n%s\ntable: % x\niasl:\n%s", filepath.Base(p), seed, joinLines(diffs), b, dsls[p])
			}
		}
	}
	if failed > 0 {
		t.Errorf("%d of %d random tables disagree with iasl", failed, len(paths))
	}
	if !checkedTrailing {
		t.Error("no random table had trailing bytes")
	}
}

func joinLines(s []string) string {
	var b bytes.Buffer
	for _, l := range s {
		b.WriteString("  " + l + "\n")
	}
	return b.String()
}

// randomTable returns an ERST table with n entries and random field
// values, biased towards the values firmware uses and the edges around
// them.
func randomTable(r *rand.Rand, n int) []byte {
	b := make([]byte, ERSTHeaderSize+n*EntrySize)
	le := binary.LittleEndian
	copy(b, "ERST")
	le.PutUint32(b[offLength:], uint32(len(b)))
	b[offRevision] = pick(r, 1, 0, 2, byte(r.Uint32()))
	randomString(r, b[offOEMID:offOEMID+6])
	randomString(r, b[offOEMTableID:offOEMTableID+8])
	le.PutUint32(b[offOEMRevision:], r.Uint32())
	randomString(r, b[offCreatorID:offCreatorID+4])
	le.PutUint32(b[offCreatorRevision:], r.Uint32())
	le.PutUint32(b[offHeaderLength:], pick(r, 48, 12, 0, r.Uint32()))
	le.PutUint32(b[offReserved:], pick(r, 0, 0, 0xf0, r.Uint32()))
	le.PutUint32(b[offEntryCount:], pick(r, uint32(n), uint32(n), uint32(n+1), r.Uint32()))
	for i := range n {
		e := b[ERSTHeaderSize+i*EntrySize:][:EntrySize]
		e[0] = pick(r, byte(r.IntN(NumActions)), byte(r.IntN(NumActions)), 0x0c, byte(r.Uint32()))
		e[1] = pick(r, byte(r.IntN(5)), byte(r.IntN(NumInstructions)), 0x13, byte(r.Uint32()))
		e[2] = pick(r, 0, 1, 0xff, byte(r.Uint32()))
		e[3] = pick(r, 0, 0, 0, byte(r.Uint32()))
		e[4] = pick(r, 0, 1, byte(r.IntN(0x0d)), byte(r.Uint32()))
		e[5] = pick(r, 8, 32, 64, byte(r.Uint32()))
		e[6] = pick(r, 0, 0, 8, byte(r.Uint32()))
		e[7] = pick(r, byte(r.IntN(5)), 3, 5, byte(r.Uint32()))
		le.PutUint64(e[8:], pick(r, 0xfebd7000+uint64(r.IntN(64)), 0xb2, 0, r.Uint64()))
		le.PutUint64(e[16:], pick(r, 0, uint64(r.IntN(100)), 0x9c, r.Uint64()))
		le.PutUint64(e[24:], pick(r, 0xffffffff, 0xff, ^uint64(0), r.Uint64()))
	}
	if r.IntN(3) == 0 {
		b[offChecksum] = byte(r.Uint32())
	} else {
		SetChecksum(b)
	}
	return b
}

// withTrailing appends n random bytes within Length, keeping the
// checksum right or wrong as it was.
func withTrailing(r *rand.Rand, b []byte, n int) []byte {
	ok := Sum(b) == 0
	for range n {
		b = append(b, byte(r.Uint32()))
	}
	binary.LittleEndian.PutUint32(b[offLength:], uint32(len(b)))
	if ok {
		SetChecksum(b)
	}
	return b
}

// randomString fills a fixed-size string field in one of the ways
// firmware does (or does not): printable ASCII, ASCII padded with NULs or
// spaces, any bytes at all, or high bytes only.
func randomString(r *rand.Rand, f []byte) {
	const printable = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"
	switch r.IntN(4) {
	case 0:
		for i := range f {
			f[i] = printable[r.IntN(len(printable))]
		}
	case 1:
		k := r.IntN(len(f) + 1)
		pad := pick(r, byte(0), ' ', 0, ' ')
		for i := range f {
			f[i] = pad
			if i < k {
				f[i] = printable[r.IntN(len(printable))]
			}
		}
	case 2:
		for i := range f {
			f[i] = byte(r.Uint32())
		}
	default:
		for i := range f {
			f[i] = 0x80 | byte(r.Uint32())
		}
	}
}

// pick returns one of four choices with equal chance.
func pick[T any](r *rand.Rand, a, b, c, d T) T {
	return [4]T{a, b, c, d}[r.IntN(4)]
}
