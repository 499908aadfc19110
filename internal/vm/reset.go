package vm

import (
	"context"
	"fmt"
	"net"
)

// A warm reset is a platform reset of the same QEMU process (QMP
// system_reset): the firmware runs again and the guest boots again, from
// the same -kernel, -initrd and -append, while QEMU, its devices' backing
// files (the store) and the host's sockets stay. QEMU runs with
// -no-reboot, which turns every reset request, system_reset included,
// into an exit. Reset sets the reboot action to reset (QMP set-action),
// and leaves it so: another reset request comes as the guest starts over
// (seen under SeaBIOS right after system_reset, before the kernel ran;
// with the action back at shutdown, QEMU exited there). The caller sets
// it back with RebootExits once the guest is up, so that a reboot the
// guest itself asks for (a panic with panic=-1) ends QEMU again.
//
// A virtio-serial port's host connection outlives the reset, and would
// carry into the new boot what the old one left unread in either
// direction. Reset lets the caller act once the platform has been reset
// and before the guest runs again: closing the connection of a port in
// Config.Reconnect then drops all of that, and QEMU connects anew.

// Reset stops the running guest, resets the platform, calls reset (when
// not nil) once QEMU has reset it, and lets the guest run again: it boots,
// with the reboot action left at reset (call RebootExits once it is up).
// Reset needs Config.Monitor (or Resume). After an error the guest may be
// left stopped: kill it.
func (v *VM) Reset(ctx context.Context, reset func()) error {
	if v.mon == nil {
		return ErrMonitor
	}
	select {
	case <-v.done:
		return fmt.Errorf("vm: reset: QEMU has exited (%v)", v.Err())
	default:
	}
	run := func(command string, args any) error {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("vm: reset: %w", err)
		}
		if err := v.mon.run(command, args); err != nil {
			return fmt.Errorf("vm: reset: %w", err)
		}
		return nil
	}
	if err := run("stop", nil); err != nil {
		return err
	}
	if err := run("set-action", map[string]any{"reboot": "reset"}); err != nil {
		return err
	}
	for len(v.mon.reset) > 0 { // a reset before this one
		<-v.mon.reset
	}
	if err := run("system_reset", nil); err != nil {
		return err
	}
	// system_reset only asks; QEMU's main loop resets and says so.
	select {
	case <-v.mon.reset:
	case <-v.done:
		return fmt.Errorf("vm: reset: QEMU exited (%v)", v.Err())
	case <-ctx.Done():
		return fmt.Errorf("vm: reset: no RESET event from QEMU: %w", ctx.Err())
	}
	v.Serial.platformReset()
	if reset != nil {
		reset()
	}
	return run("cont", nil)
}

// platformReset marks the platform reset (VM.Reset): the guest starts
// again in its firmware, and the stages it reaches are those of a new
// boot (Timings lists both boots; Reached knows the first's).
func (s *SerialLog) platformReset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reach(StageFirmware, "reset")
}

// RebootExits sets QEMU's reboot action back to shutdown, -no-reboot's,
// after a Reset: a reboot the guest asks for ends QEMU.
func (v *VM) RebootExits() error {
	if v.mon == nil {
		return ErrMonitor
	}
	if err := v.mon.run("set-action", map[string]any{"reboot": "shutdown"}); err != nil {
		return fmt.Errorf("vm: %w", err)
	}
	return nil
}

// ExecReady waits for a booting exec-mode guest (Config.ExecMode) to say
// on conn, its ExecPort, that it waits for its request (SendRequest):
// after a Reset, as after a boot.
func ExecReady(ctx context.Context, v *VM, conn net.Conn) error {
	return awaitReady(ctx, v, conn)
}
