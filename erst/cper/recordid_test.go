package cper_test

import (
	"testing"
	"time"

	"github.com/goerst/erst/erst/cper"
)

// The layout before and after 2038, and ids that increase when the clock
// stands still or goes back.
func TestLinuxRecordID(t *testing.T) {
	for _, c := range []struct {
		t    time.Time
		want uint64
	}{
		{time.Unix(0x6b000000, 5), 0x6b000000_00000005},
		{time.Unix(0x7fffffff, 999999999), 0x7fffffff_3b9ac9ff},
		{time.Unix(0x80000000, 640), 1<<63 | 0x80000000<<24 | 10},
	} {
		if got := cper.LinuxRecordID(c.t); got != c.want {
			t.Errorf("LinuxRecordID(%v) = %#x, want %#x", c.t.Unix(), got, c.want)
		}
	}
	var g cper.RecordIDs
	now := time.Unix(0x6b000000, 0)
	a, b, c := g.Next(now), g.Next(now), g.Next(now.Add(-time.Second))
	if a != 0x6b000000_00000000 || b != a+1 || c != a+2 {
		t.Errorf("Next at one instant then a second earlier: %#x %#x %#x, want %#x and the two after", a, b, c, uint64(0x6b000000_00000000))
	}
}
