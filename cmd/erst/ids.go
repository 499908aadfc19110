package main

import (
	"sync"
	"time"
)

// lastID is the last id defaultRecordID handed out in this process.
var lastID struct {
	sync.Mutex
	id uint64
}

// defaultRecordID is erst new's id when -id is not given, laid out as
// Linux's cper_next_record_id lays out its ids: the time in seconds in the
// high 32 bits (from 2038 on, bit 63 set and the seconds from bit 24), and
// a counter below them. Linux's counter starts at 0 at boot and counts
// records; a command that makes one record per process counts the time
// within the second instead (nanoseconds, or 64 ns ticks from 2038 on), so
// two records made in the same second get different ids, in the order they
// were made. Within one process an id is always above the last one.
func defaultRecordID(now time.Time) uint64 {
	sec, ns := uint64(now.Unix()), uint64(now.Nanosecond())
	var id uint64
	if sec < 0x80000000 {
		id = sec<<32 | ns
	} else {
		id = 1<<63 | sec<<24 | ns>>6
	}
	lastID.Lock()
	defer lastID.Unlock()
	if id <= lastID.id {
		id = lastID.id + 1
	}
	lastID.id = id
	return id
}
