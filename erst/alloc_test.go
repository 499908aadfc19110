package erst_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/sim"
)

// Write and ReadInto allocate nothing in steady state, in both modes
// (issue 12: a fuzzer or a dying machine's last write must not allocate).
func TestHotPathAllocatesNothing(t *testing.T) {
	for name, opts := range map[string][]sim.Option{"exchange": nil, "nvram": {sim.WithNVRAM()}} {
		t.Run(name, func(t *testing.T) {
			b := newBench(t, 64<<10, opts...)
			rec := record(recordSize, 0x42)
			buf := make([]byte, recordSize)
			b.write(recordSize, 0x42)
			if n := testing.AllocsPerRun(20, func() {
				if err := b.drv.Write(rec); err != nil {
					t.Fatal(err)
				}
			}); n != 0 {
				t.Errorf("Write: %v allocations per call, want 0", n)
			}
			if n := testing.AllocsPerRun(20, func() {
				if _, err := b.drv.ReadInto(0x42, buf); err != nil {
					t.Fatal(err)
				}
			}); n != 0 {
				t.Errorf("ReadInto: %v allocations per call, want 0", n)
			}
			if !bytes.Equal(buf, rec) {
				t.Error("ReadInto returned other bytes than written")
			}
		})
	}
}

// ReadInto a short buffer says how long the record is and touches nothing.
func TestReadIntoShortBuffer(t *testing.T) {
	b := newBench(t, 64<<10)
	rec := b.write(300, 7)
	buf := bytes.Repeat([]byte{0xEE}, 200)
	n, err := b.drv.ReadInto(7, buf)
	if n != 300 || !errors.Is(err, erst.ErrBufferTooSmall) {
		t.Fatalf("ReadInto(200-byte buffer) = %d, %v; want 300, ErrBufferTooSmall", n, err)
	}
	if !bytes.Equal(buf, bytes.Repeat([]byte{0xEE}, 200)) {
		t.Error("short buffer was written")
	}
	buf = make([]byte, 400)
	if n, err := b.drv.ReadInto(7, buf); n != 300 || err != nil || !bytes.Equal(buf[:n], rec) {
		t.Errorf("ReadInto(400-byte buffer) = %d, %v", n, err)
	}
}
