package vm

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestResetNeedsMonitor(t *testing.T) {
	v := &VM{Serial: NewSerialLog(5, nil), done: make(chan struct{})}
	if err := v.Reset(context.Background(), nil); !errors.Is(err, ErrMonitor) {
		t.Errorf("Reset without a monitor: %v, want ErrMonitor", err)
	}
	if err := v.RebootExits(); !errors.Is(err, ErrMonitor) {
		t.Errorf("RebootExits without a monitor: %v, want ErrMonitor", err)
	}
}

// Only the ports in Config.Reconnect reconnect.
func TestReconnectPorts(t *testing.T) {
	c := &Config{Kernel: "/k", Initramfs: "/i", Ports: []Port{{"erst.0", "/tmp/s/serve.sock"}, {ExecPort, "/tmp/s/exec.sock"}}, Reconnect: []string{"erst.0"}}
	args, err := c.Args()
	if err != nil {
		t.Fatal(err)
	}
	var chardevs []string
	for i, a := range args {
		if a == "-chardev" && i+1 < len(args) && strings.Contains(args[i+1], ".sock") {
			chardevs = append(chardevs, args[i+1])
		}
	}
	want := []string{"socket,id=erstport0,path=/tmp/s/serve.sock,reconnect=1", "socket,id=erstport1,path=/tmp/s/exec.sock"}
	if !slices.Equal(chardevs, want) {
		t.Errorf("chardevs %q, want %q", chardevs, want)
	}
}

// After a platform reset the console's stage is the firmware's again.
func TestSerialLogReset(t *testing.T) {
	s := NewSerialLog(5, nil)
	s.Write([]byte("[    0.000000] Linux version 6.1.0\nRun /init as init process\n"))
	s.platformReset()
	if got := s.Where(); !strings.Contains(got, "firmware") {
		t.Errorf("after a reset: %q, want the firmware", got)
	}
	s.Write([]byte("[    0.000000] Linux version 6.1.0\n"))
	if got := s.Where(); !strings.Contains(got, "kernel's boot") {
		t.Errorf("after a reset and a kernel line: %q, want the kernel", got)
	}
}
