package lint

import (
	"encoding/binary"
	"slices"
	"testing"

	"github.com/goerst/erst/acpi/acpitest"
)

// derivedCodes are the finding codes whose presence in a table follows
// from a plain reading of its bytes, by the layout of ACPI 6.5 §18.5
// (Tables 18.25-18.27) and §5.2.3.2 (the GAS), without package acpi's
// decoder or Check's logic. For each, the rule it derives from:
var derivedCodes = map[string]func(raw []byte, entries [][]byte) bool{
	// ACPI §5.2.6: the bytes of the whole table, Length of them, sum to
	// zero.
	CodeChecksum: func(raw []byte, _ [][]byte) bool {
		var sum byte
		for _, b := range raw[:min(len(raw), int(binary.LittleEndian.Uint32(raw[4:])))] {
			sum += b
		}
		return sum != 0
	},
	// Table 18.25: Instruction Entry Count (offset 44) is the number of
	// 32-byte entries after the 48-byte header, Length (offset 4) says.
	CodeEntryCount: func(raw []byte, _ [][]byte) bool {
		length, count := binary.LittleEndian.Uint32(raw[4:]), binary.LittleEndian.Uint32(raw[44:])
		return length < 48 || (length-48)/32 != count
	},
	// Table 18.26: action 0x0C is reserved; the firmware in the corpus
	// that has one puts it there as a filler.
	CodeFillerAction: func(_ []byte, es [][]byte) bool {
		return slices.ContainsFunc(es, func(e []byte) bool { return e[0] == 0x0C })
	},
	// Table 18.26: GET_EXECUTE_OPERATION_TIMINGS is action 0x10 (ACPI
	// 6.3 and later).
	CodeMissingTimings: func(_ []byte, es [][]byte) bool {
		return !slices.ContainsFunc(es, func(e []byte) bool { return e[0] == 0x10 })
	},
	// §5.2.3.2: the GAS (entry offset 4) has its Address at +4; Linux
	// refuses an address of 0 (apei_check_gar) in an entry whose
	// instruction accesses its register.
	CodeGASAddress: func(_ []byte, es [][]byte) bool {
		return slices.ContainsFunc(es, func(e []byte) bool { return accessesRegister(e) && binary.LittleEndian.Uint64(e[8:]) == 0 })
	},
	// §5.2.3.2: Access Size (GAS +3) is 1 to 4; Linux refuses 0
	// (undefined) and the reserved values, for such an entry.
	CodeGASAccessSize: func(_ []byte, es [][]byte) bool {
		return slices.ContainsFunc(es, func(e []byte) bool { return accessesRegister(e) && (e[7] < 1 || e[7] > 4) })
	},
	// Table 18.27: Mask (entry offset 24) against the register's Bit
	// Width (GAS +1), for such an entry.
	CodeMaskWiderThanReg: func(_ []byte, es [][]byte) bool {
		return slices.ContainsFunc(es, func(e []byte) bool {
			w := e[5]
			return accessesRegister(e) && w < 64 && binary.LittleEndian.Uint64(e[24:])>>w != 0
		})
	},
}

// accessesRegister reports whether the instruction of entry e (offset 1;
// ACPI 6.5 Table 18.28 defines 0x00-0x12) touches its register: all but
// NOOP, ADD, SUBTRACT, STALL and GOTO, as Linux's erst_ins_type marks
// them (APEI_EXEC_INS_ACCESS_REGISTER).
func accessesRegister(e []byte) bool {
	return e[1] <= 0x12 && !slices.Contains([]byte{0x04, 0x08, 0x09, 0x0C, 0x0F}, e[1])
}

// The codes corpusCodes lists that derivedCodes can tell are exactly the
// ones a plain reading of each table's bytes finds: for those, the
// expectation does not come from Check's own output. (Where the other
// codes come from is said at corpusCodes.)
func TestCorpusCodesDerived(t *testing.T) {
	for _, ct := range acpitest.Corpus(t) {
		raw := ct.Raw
		if len(raw) < 48 {
			t.Errorf("%s: %d bytes, shorter than the ERST header", ct.Name, len(raw))
			continue
		}
		n := min(int(binary.LittleEndian.Uint32(raw[44:])), (len(raw)-48)/32)
		var entries [][]byte
		for i := range n {
			entries = append(entries, raw[48+32*i:][:32])
		}
		want, ok := corpusCodes[ct.Name]
		if !ok {
			continue // TestCorpus reports it
		}
		for code, has := range derivedCodes {
			if got := has(raw, entries); got != slices.Contains(want, code) {
				t.Errorf("%s: the table's bytes say %s is %v; corpusCodes says %v", ct.Name, code, got, !got)
			}
		}
	}
}
