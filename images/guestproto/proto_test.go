package guestproto

import "testing"

func TestMarker(t *testing.T) {
	line := Marker(StageRun, 2.841, "erst table -json")
	if line != "erstvm-guest: run at 2.84s: erst table -json" {
		t.Errorf("Marker = %q", line)
	}
	// Lines may come with kernel log noise in front.
	stage, rest, ok := ParseMarker("\x1b[0m" + line)
	if !ok || stage != StageRun || rest != "at 2.84s: erst table -json" {
		t.Errorf("ParseMarker = %q, %q, %v", stage, rest, ok)
	}
	if _, _, ok := ParseMarker("[    2.1] Run /init as init process"); ok {
		t.Error("ParseMarker accepted a kernel line")
	}
}

func TestServePort(t *testing.T) {
	for cmdline, want := range map[string]string{
		"console=ttyS0 erst_disable erstvm.serve=erst.0": "erst.0",
		"erstvm.serve=p quiet":                           "p",
		"console=ttyS0 erstvm.serve=":                    "",
		"console=ttyS0 xerstvm.serve=p":                  "",
	} {
		got, ok := ServePort(cmdline)
		if got != want || ok != (want != "") {
			t.Errorf("ServePort(%q) = %q, %v; want %q", cmdline, got, ok, want)
		}
	}
}

func TestExecPort(t *testing.T) {
	for cmdline, want := range map[string]string{
		"console=ttyS0 erstvm.exec=cmd.0":             "cmd.0",
		"console=ttyS0 erstvm.serve=erst.0":           "",
		"erstvm.exec= erstvm.serve=p":                 "",
		"console=ttyS0 erstvm.execute=p erst_disable": "",
	} {
		got, ok := ExecPort(cmdline)
		if got != want || ok != (want != "") {
			t.Errorf("ExecPort(%q) = %q, %v; want %q", cmdline, got, ok, want)
		}
	}
}
