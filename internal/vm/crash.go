package vm

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/goerst/erst/images/guestproto"
)

// Crashes: a guest whose kernel owns the acpi-erst device (no
// erst_disable) records its own death there, the MCE record of
// arch/x86/kernel/cpu/mce/apei.c and pstore's panic log, when it takes a
// fatal machine check (InjectMCE) or panics otherwise. PanicCmdline makes
// such a panic end QEMU.

// PanicCmdline are kernel arguments that make a panic end the QEMU
// process: the kernel reboots at once (panic=-1: no delay) and QEMU, run
// with -no-reboot, exits instead of rebooting.
const PanicCmdline = "panic=-1"

// SysrqCrash is the request that makes an exec-mode guest's kernel panic:
// sysrq c ("sysrq triggered crash") through /proc/sysrq-trigger, which
// takes every sysrq key whatever kernel.sysrq allows on the keyboard.
var SysrqCrash = guestproto.Request{Command: "gosh", Args: []string{"-c", "echo c >/proc/sysrq-trigger"}}

// InjectMCE injects a machine check into the guest's CPU cpu, bank bank,
// with QEMU's monitor command "mce" (over QMP's human-monitor-command):
// MCi_STATUS, MCG_STATUS, MCi_ADDR and MCi_MISC as given. QEMU refuses
// some (a bank the CPU lacks, reporting disabled for the bank, or an
// uncorrected one while the guest cannot take it) by printing why on the
// monitor; that text is the error. It needs Config.Monitor.
func (v *VM) InjectMCE(cpu, bank int, status, mcgStatus, addr, misc uint64) error {
	if v.mon == nil {
		return ErrMonitor
	}
	if cpu < 0 || bank < 0 {
		return fmt.Errorf("vm: mce: cpu %d, bank %d: want numbers >= 0", cpu, bank)
	}
	cmd := fmt.Sprintf("mce %d %d %#x %#x %#x %#x", cpu, bank, status, mcgStatus, addr, misc)
	b, err := json.Marshal(map[string]any{"execute": "human-monitor-command", "arguments": map[string]any{"command-line": cmd}})
	if err != nil {
		return err
	}
	raw, err := v.mon.m.Run(b)
	if err != nil {
		return fmt.Errorf("vm: %s: %w", cmd, err)
	}
	var r struct {
		Return string `json:"return"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return fmt.Errorf("vm: %s: QEMU's reply %q: %w", cmd, raw, err)
	}
	if out := strings.TrimSpace(r.Return); out != "" {
		return fmt.Errorf("vm: %s: QEMU: %s", cmd, out)
	}
	return nil
}

// Panic returns the message of the kernel's panic ("Kernel panic - not
// syncing: MESSAGE"), once the console showed one; "" before.
func (s *SerialLog) Panic() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.panic
}
