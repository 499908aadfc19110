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

func TestPortParams(t *testing.T) {
	for _, p := range []struct {
		name string
		fn   func(string) (string, bool)
	}{{ServeParam, ServePort}, {ExecParam, ExecPort}} {
		other := ServeParam
		if p.name == ServeParam {
			other = ExecParam
		}
		for cmdline, want := range map[string]string{
			"console=ttyS0 erst_disable " + p.name + "=erst.0": "erst.0",
			p.name + "=p quiet":               "p",
			"console=ttyS0 " + p.name + "=":   "",
			"console=ttyS0 x" + p.name + "=p": "",
			"console=ttyS0 " + p.name + "x=p": "",
			other + "=p":                      "",
		} {
			got, ok := p.fn(cmdline)
			if got != want || ok != (want != "") {
				t.Errorf("%s in %q = %q, %v; want %q", p.name, cmdline, got, ok, want)
			}
		}
	}
}
