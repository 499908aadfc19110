package vmtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/goerst/erst/images/guestproto"
	"github.com/goerst/erst/internal/vm"
)

// ErrReset: a call was in flight when Reset reset the guest.
var ErrReset = errors.New("vmtest: the guest was reset")

// Reset is a warm reset of the running guest: a platform reset of the
// same QEMU process (QMP system_reset; internal/vm's VM.Reset). The
// firmware runs again, the guest boots again (a resumed guest too: it
// boots, as after a power-on), and Reset returns once `erst serve`
// answers again, on a new connection. The store stays as the device
// left it. A call in flight fails with [remote.ErrConnection] and
// [ErrReset]; calls made during the reset (and Kill) wait for it; PSHED
// stays valid, Client must be called again. ctx bounds the reset and
// the boot, as does Options.BootTimeout. Reset on a guest that is not
// running returns [ErrNotRunning], on an Options.LinuxERST guest
// [ErrLinuxERST]; when the guest does not come up again, QEMU is killed
// and the error wraps [ErrBoot].
func (g *Guest) Reset(ctx context.Context) error {
	if g.o.LinuxERST {
		// Its kernel would boot again with nothing to wait for (no
		// erst serve); a crash test restarts it instead.
		return fmt.Errorf("vmtest: Reset: %w", ErrLinuxERST)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	v, old := g.v, g.client
	if g.closed || v == nil {
		return ErrNotRunning
	}
	select {
	case <-v.Done():
		return fmt.Errorf("%w: QEMU exited (%v) %s", ErrNotRunning, v.Err(), v.Serial.Where())
	default:
	}
	ctx, cancel := context.WithTimeout(ctx, g.o.BootTimeout)
	defer cancel()
	start := time.Now()
	// The serve port's connection outlives the platform reset: the
	// harness closes it once the platform is reset and QEMU connects
	// again (Config.Reconnect), so that nothing either side left unread
	// reaches the new boot.
	sock := g.cfg.Ports[0].Socket
	os.Remove(sock)
	ln, err := net.Listen("unix", sock)
	if err != nil {
		return fmt.Errorf("vmtest: reset: %w", err)
	}
	defer ln.Close()
	fail := func(err error) error {
		v.Kill()
		<-v.Done()
		return fmt.Errorf("%w: reset: %w; QEMU: %v; it stopped %s", ErrBoot, err, v.Err(), v.Serial.Where())
	}
	if err := v.Reset(ctx, func() { old.Abort(ErrReset) }); err != nil {
		old.Abort(ErrReset)
		return fail(err)
	}
	if g.exec != nil {
		// A resumed guest boots in exec mode again and waits for its
		// request, on the exec port's connection it had (the request
		// before was read whole; the guest writes nothing else there).
		err := vm.ExecReady(ctx, v, g.exec)
		if err == nil {
			err = vm.SendRequest(g.exec, guestproto.Request{Command: "erst", Args: guestproto.ServeArgs(PortName)})
		}
		if err != nil {
			return fail(err)
		}
	}
	client, info, err := g.connect(ctx, v, ln, sock)
	if err != nil {
		return fail(err)
	}
	if err := v.RebootExits(); err != nil {
		client.Close()
		return fail(err)
	}
	g.client, g.info = client, info
	g.logf("vmtest: reset (%s, %s) answered in %.1fs", g.o.Machine, g.o.Firmware, time.Since(start).Seconds())
	return nil
}
