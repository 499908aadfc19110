package cper

import (
	"sync"
	"time"
)

// LinuxRecordID is a record id laid out as Linux's cper_next_record_id
// lays out its ids: the time in seconds in the high 32 bits (from 2038 on,
// bit 63 set and the seconds from bit 24), and a counter below them.
// Linux's counter starts at 0 at boot and counts records; here the time
// within the second stands for it (nanoseconds, or 64 ns ticks from 2038
// on), so that ids made in the same second by different processes differ
// and sort in the order they were made.
func LinuxRecordID(now time.Time) uint64 {
	sec, ns := uint64(now.Unix()), uint64(now.Nanosecond())
	if sec < 0x80000000 {
		return sec<<32 | ns
	}
	return 1<<63 | sec<<24 | ns>>6
}

// RecordIDs hands out [LinuxRecordID]s that always increase, also when
// the clock does not move between two calls. The zero value is ready;
// it is safe for concurrent use.
type RecordIDs struct {
	mu   sync.Mutex
	last uint64
}

// Next is LinuxRecordID(now), or one above the last id Next returned
// when that is not lower.
func (g *RecordIDs) Next(now time.Time) uint64 {
	id := LinuxRecordID(now)
	g.mu.Lock()
	defer g.mu.Unlock()
	if id <= g.last {
		id = g.last + 1
	}
	g.last = id
	return id
}
