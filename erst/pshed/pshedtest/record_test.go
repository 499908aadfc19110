package pshedtest_test

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/goerst/erst/erst/pshed/pshedtest"
)

// The builder's fields, checked at their offsets one by one.
func TestNewRecordLayout(t *testing.T) {
	le := binary.LittleEndian
	const id = 0x1122334455667788
	r := pshedtest.NewRecord(300, id)
	for _, tc := range []struct {
		field     string
		got, want uint64
	}{
		{"length of the slice", uint64(len(r)), 300},
		{"Revision @4", uint64(le.Uint16(r[4:])), 0x0100},
		{"SignatureEnd @6", uint64(le.Uint32(r[6:])), 0xFFFFFFFF},
		{"SectionCount @10", uint64(le.Uint16(r[10:])), 1},
		{"ErrorSeverity @12 (informational)", uint64(le.Uint32(r[12:])), 3},
		{"ValidationBits @16", uint64(le.Uint32(r[16:])), 0},
		{"RecordLength @20", uint64(le.Uint32(r[20:])), 300},
		{"RecordID @96", le.Uint64(r[96:]), id},
		{"Flags @104", uint64(le.Uint32(r[104:])), 0},
		{"section SectionOffset @128", uint64(le.Uint32(r[128:])), 200},
		{"section SectionLength @132", uint64(le.Uint32(r[132:])), 100},
		{"section Revision @136", uint64(le.Uint16(r[136:])), 0x0100},
		{"section Flags @140 (primary)", uint64(le.Uint32(r[140:])), 1},
		{"section SectionSeverity @176", uint64(le.Uint32(r[176:])), 3},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %#x, want %#x", tc.field, tc.got, tc.want)
		}
	}
	if string(r[0:4]) != "CPER" {
		t.Errorf("SignatureStart = %q, want CPER", r[0:4])
	}
	if string(r[108:110]) != "ER" {
		t.Errorf("PersistenceInfo signature = %q, want ER", r[108:110])
	}
	if !bytes.Equal(r[116:128], make([]byte, 12)) {
		t.Errorf("Reserved @116 is not zero")
	}
	if got, ok := pshedtest.RecordID(r); !ok || got != id {
		t.Errorf("RecordID = %#x, %v; want %#x, true", got, ok, uint64(id))
	}
}

func TestNewRecordSmall(t *testing.T) {
	for _, size := range []int{128, 129, 199} {
		r := pshedtest.NewRecord(size, 5)
		if n := binary.LittleEndian.Uint16(r[10:]); n != 0 {
			t.Errorf("%d bytes: SectionCount = %d, want 0 (no room for a descriptor)", size, n)
		}
		if n := binary.LittleEndian.Uint32(r[20:]); int(n) != size {
			t.Errorf("%d bytes: RecordLength = %d", size, n)
		}
	}
	if bytes.Equal(pshedtest.NewRecord(256, 1)[200:], pshedtest.NewRecord(256, 2)[200:]) {
		t.Errorf("records with different ids have the same payload")
	}
	if _, ok := pshedtest.RecordID(make([]byte, 103)); ok {
		t.Errorf("RecordID of 103 bytes: ok, want false")
	}
}

func TestNewRecordPanicsOnShortSize(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Errorf("NewRecord(127, 1) did not panic")
		}
	}()
	pshedtest.NewRecord(127, 1)
}
