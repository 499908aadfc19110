package torture

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// ReadAcks keeps the ids acknowledged and not cleared since, in the order
// acknowledged, reading ids in 0x-hex or decimal (erst.ParseID).
func TestReadAcks(t *testing.T) {
	out := "ack 0x10\nack 0x11\ntorture: 2 written\n\nack 18\nclear 0x11\nack 0X13\n"
	ids, err := ReadAcks(strings.NewReader(out))
	if want := []uint64{0x10, 0x12, 0x13}; err != nil || !slices.Equal(ids, want) {
		t.Errorf("ReadAcks = %#x, %v; want %#x", ids, err, want)
	}
	for _, bad := range []string{"ack 0x1g", "ack", "ack 0x10000000000000000", "write 0x1", "ack 0b1"} {
		if _, err := ReadAcks(strings.NewReader("ack 0x1\n" + bad + "\n")); !errors.Is(err, ErrAcks) || !strings.HasPrefix(err.Error(), "line 2: ") {
			t.Errorf("ReadAcks of %q = %v, want ErrAcks naming line 2", bad, err)
		}
	}
}
