package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// Each -fault reaches the simulated device: a write through it fails the
// way the fault says, and the store keeps only what the fault allows. (A
// slow device that completes within the timeout is not tested here: that
// would be a timed assertion.)
func TestFaultFlag(t *testing.T) {
	rec := mustRun(t, nil, "new", "-id", "0x200", "-text", "fault")
	for _, tc := range []struct {
		fault   string
		code    int
		stderr  string // substring of the one-line error
		written bool   // the record is in the store afterwards
	}{
		{"busy", 1, "firmware did not respond in time", false},
		{"slow=50ms", 1, "still busy", false},
		{"status=3", 1, "command status 3 (FAILED)", false},
		{"status=7", 1, "reserved command status", false},
		{"status=0", 0, "", false}, // a device that lies: success, nothing stored
		{"full", 1, "NOT_ENOUGH_SPACE", false},
		{"torn", 1, "simulated power loss", false},
		{"torn=8192", 1, "simulated power loss", false},
		{"busy,full", 1, "firmware did not respond in time", false},
	} {
		t.Run(tc.fault, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "s.img")
			code, _, errs := runCmd(t, rec, "-store", path, "-fault", tc.fault, "write")
			if code != tc.code || !strings.Contains(errs, tc.stderr) {
				t.Errorf("write with -fault %s: exit %d, stderr %q; want %d and %q", tc.fault, code, errs, tc.code, tc.stderr)
			}
			ls := string(mustRun(t, nil, "-store", path, "ls"))
			if got := strings.Contains(ls, "0x200"); got != tc.written {
				t.Errorf("after the write with -fault %s the store lists %q; want the record: %v", tc.fault, ls, tc.written)
			}
		})
	}
}

func TestFaultFlagUsage(t *testing.T) {
	for _, args := range [][]string{
		{"-fault", "bogus", "info"},
		{"-fault", "status=256", "info"},
		{"-fault", "status", "info"},
		{"-fault", "slow=0s", "info"},
		{"-fault", "slow", "info"},
		{"-fault", "busy=1", "info"},
		{"-fault", "torn=-1", "info"},
		{"-fault", "busy", "info"}, // no -store: the live device cannot be faulted
	} {
		if code, _, errs := runCmd(t, nil, args...); code != 2 || !strings.Contains(errs, "fault") {
			t.Errorf("erst %v: exit %d, stderr %q; want 2 and a message about the fault", args, code, errs)
		}
	}
}
