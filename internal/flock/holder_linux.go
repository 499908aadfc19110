package flock

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// Holder names the process holding a flock on f, from /proc/locks ("1:
// FLOCK  ADVISORY  WRITE 4242 fd:01:1234 0 EOF"): "pid 4242 (erst -store
// s.img write r.bin)". It returns "" when it cannot tell.
func Holder(f *os.File) string {
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return ""
	}
	dev := fmt.Sprintf("%02x:%02x:%d", unix.Major(uint64(st.Dev)), unix.Minor(uint64(st.Dev)), st.Ino)
	locks, err := os.Open("/proc/locks")
	if err != nil {
		return ""
	}
	defer locks.Close()
	sc := bufio.NewScanner(locks)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		// "1:" "FLOCK" "ADVISORY" "WRITE" pid dev:ino start end; a
		// blocked waiter's line has "->" after the number.
		if len(fields) < 6 || fields[1] != "FLOCK" || fields[5] != dev {
			continue
		}
		pid := fields[4]
		cmd, err := os.ReadFile("/proc/" + pid + "/cmdline")
		if err != nil || len(cmd) == 0 {
			return "pid " + pid
		}
		return fmt.Sprintf("pid %s (%s)", pid, string(bytes.ReplaceAll(bytes.TrimRight(cmd, "\x00"), []byte{0}, []byte{' '})))
	}
	return ""
}
