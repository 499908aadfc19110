package guesttest

import (
	"regexp"
	"strings"
	"testing"
)

// matches reports whether go test's -run pattern selects the test name,
// level by level as go test does (a level with no pattern matches all).
func matches(pattern, name string) bool {
	pats := strings.Split(pattern, "/")
	for i, part := range strings.Split(name, "/") {
		if i < len(pats) && !regexp.MustCompile(pats[i]).MatchString(part) {
			return false
		}
	}
	return true
}

func TestRunPattern(t *testing.T) {
	names := []string{"TestGuestPorts", "TestFull/qemu", "TestConf/qemu/Write.Read", "TestConf/qemu/Clear"}
	p := RunPattern(names)
	if want := `^(TestGuestPorts|TestFull|TestConf)$/^(qemu)$/^(Write\.Read|Clear)$`; p != want {
		t.Errorf("RunPattern = %q, want %q", p, want)
	}
	for _, n := range names {
		if !matches(p, n) {
			t.Errorf("%q does not select %q", p, n)
		}
	}
	for _, n := range []string{"TestOther", "TestFull/sim", "TestConf/sim/Clear", "TestConf/qemu/WriteXRead", "TestGuestPortsX"} {
		if matches(p, n) {
			t.Errorf("%q selects %q", p, n)
		}
	}
}
