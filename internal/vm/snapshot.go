package vm

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/digitalocean/go-qemu/qmp"
	"github.com/hugelgupf/vmtest/qemu"
)

// A booted guest can be saved and resumed: Save writes a running VM's
// state (memory, CPU, devices) to a file, and a Config with Resume starts
// QEMU from that file, the guest going on where it was saved, instead of
// booting. Under TCG a resume takes a few tenths of a second against
// seconds for a boot (docs/performance.md).
//
// The store is not in the state. The acpi-erst device's memory backend is
// a shared file (share=on), and both sides set QEMU's x-ignore-shared
// migration capability, which leaves shared memory out of the stream. A
// resumed device therefore reads the store as the file holds it now, as
// one that restarts does (QEMU's realize rebuilds its index from the
// file; the device's own migrated registers are those of an idle device
// when the guest was saved idle). That is what a power cut followed by a
// quick restart looks like to the store, and what TestPowerCuts needs.
//
// Both are QEMU migration through its QMP monitor: Save stops the guest
// and migrates it into "exec:cat > file"; Resume starts QEMU
// with "-incoming defer", loads "exec:cat file" and continues. A guest
// with a 9p share mounted cannot be saved (QEMU blocks migration then), so
// only guests that mount nothing can (guestproto.ExecParam, ServeParam).
// The QEMU command line must be the one the state was saved with, but
// for the store's path and the ports' sockets.

// monitorTimeout bounds the QMP connection's dial and each migration.
const monitorTimeout = 2 * time.Minute

// ErrMonitor is returned by Save on a VM started without Config.Monitor.
var ErrMonitor = errors.New("vm: QEMU was started without a monitor (Config.Monitor)")

// monitor is QEMU's QMP control channel (github.com/digitalocean/go-qemu's
// qmp client) and the status of migrations, from its MIGRATION events.
type monitor struct {
	m         *qmp.SocketMonitor
	migration chan string   // each MIGRATION event's status; closed with the connection
	reset     chan struct{} // a RESET event: QEMU has reset the platform (VM.Reset)
}

// monitorFn listens on a new abstract Unix socket and hands the listening
// socket to QEMU as its QMP monitor (-chardev socket,fd=N,server=on), so
// that the host can connect as soon as QEMU has started, with no wait for
// QEMU to create a socket. It returns the socket's address, and release,
// which closes the host's copies of the socket: the caller calls it once
// QEMU has started (or failed to), so that when QEMU is gone nothing
// listens and connecting to its monitor fails rather than waiting.
func monitorFn(resume bool) (fn qemu.Fn, addr string, release func(), err error) {
	var b [8]byte
	rand.Read(b[:])
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: "@erst-vm-qmp-" + hex.EncodeToString(b[:]), Net: "unix"})
	if err != nil {
		return nil, "", nil, fmt.Errorf("vm: QMP socket: %w", err)
	}
	f, err := ln.File()
	if err != nil {
		ln.Close()
		return nil, "", nil, fmt.Errorf("vm: QMP socket: %w", err)
	}
	release = func() { ln.Close(); f.Close() }
	fn = func(alloc *qemu.IDAllocator, o *qemu.Options) error {
		id := alloc.ID("erstqmp")
		o.AppendQEMU(
			"-chardev", fmt.Sprintf("socket,id=%s,fd=%d,server=on,wait=off", id, o.AddFile(f)),
			"-mon", "chardev="+id+",mode=control",
		)
		if resume {
			o.AppendQEMU("-incoming", "defer")
		}
		return nil
	}
	return fn, ln.Addr().String(), release, nil
}

// connectMonitor connects to the QMP socket QEMU was given by monitorFn.
func connectMonitor(addr string) (*monitor, error) {
	m, err := qmp.NewSocketMonitor("unix", addr, monitorTimeout)
	if err != nil {
		return nil, err
	}
	if err := m.Connect(); err != nil {
		m.Disconnect()
		return nil, err
	}
	// The client hands events over unbuffered from the goroutine that
	// also hands over command responses: drain them all the time.
	events, err := m.Events(context.Background())
	if err != nil {
		m.Disconnect()
		return nil, err
	}
	mon := &monitor{m: m, migration: make(chan string, 64), reset: make(chan struct{}, 8)}
	go func() {
		defer close(mon.migration)
		for e := range events {
			if s, ok := e.Data["status"].(string); ok && e.Event == "MIGRATION" {
				select {
				case mon.migration <- s:
				default: // nobody waits: no migration is running
				}
			}
			if e.Event == "RESET" {
				select {
				case mon.reset <- struct{}{}:
				default: // nobody waits: no Reset is running
				}
			}
		}
	}()
	return mon, nil
}

// run executes one QMP command.
func (m *monitor) run(command string, args any) error {
	c := map[string]any{"execute": command}
	if args != nil {
		c["arguments"] = args
	}
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	if _, err := m.m.Run(b); err != nil {
		return fmt.Errorf("QMP %s: %w", command, err)
	}
	return nil
}

// migrate runs a migration command (migrate or migrate-incoming) on uri,
// leaving shared memory (the store) out, and waits for it to complete.
func (m *monitor) migrate(ctx context.Context, command, uri string) error {
	caps := []map[string]any{
		{"capability": "x-ignore-shared", "state": true},
		{"capability": "events", "state": true},
	}
	if err := m.run("migrate-set-capabilities", map[string]any{"capabilities": caps}); err != nil {
		return err
	}
	for len(m.migration) > 0 { // statuses of an earlier migration
		<-m.migration
	}
	if err := m.run(command, map[string]any{"uri": uri}); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, monitorTimeout)
	defer cancel()
	for {
		select {
		case s, ok := <-m.migration:
			switch {
			case !ok:
				return errors.New("QEMU closed its monitor during the migration")
			case s == "completed":
				return nil
			case s == "failed" || s == "cancelled":
				return fmt.Errorf("%s %s: %s", command, s, m.migrationError())
			}
		case <-ctx.Done():
			return fmt.Errorf("%s: %w", command, ctx.Err())
		}
	}
}

// migrationError is QEMU's reason for the last failed migration.
func (m *monitor) migrationError() string {
	raw, err := m.m.Run([]byte(`{"execute":"query-migrate"}`))
	if err != nil {
		return err.Error()
	}
	var r struct {
		Return struct {
			Error string `json:"error-desc"`
		} `json:"return"`
	}
	if json.Unmarshal(raw, &r) != nil || r.Return.Error == "" {
		return "QEMU gave no reason"
	}
	return r.Return.Error
}

// Save stops the guest and writes its state to path (replacing it) for a
// later Config.Resume. The guest stays stopped: it goes on in the QEMU
// that resumes it (kill this one). It must not have a 9p share mounted.
// Save needs Config.Monitor.
func (v *VM) Save(ctx context.Context, path string) error {
	if v.mon == nil {
		return ErrMonitor
	}
	if err := v.mon.run("migrate-set-parameters", map[string]any{"max-bandwidth": int64(1) << 40}); err != nil {
		return fmt.Errorf("vm: save: %w", err)
	}
	if err := v.mon.run("stop", nil); err != nil {
		return fmt.Errorf("vm: save: %w", err)
	}
	if err := v.mon.migrate(ctx, "migrate", "exec:cat > "+ShellQuote([]string{path})); err != nil {
		return fmt.Errorf("vm: save to %s: %w", path, err)
	}
	return nil
}

// resume loads the state Config.Resume names into the QEMU just started
// with -incoming defer, and lets the guest go on.
func (v *VM) resume(ctx context.Context, path string) error {
	if err := v.mon.migrate(ctx, "migrate-incoming", "exec:cat "+ShellQuote([]string{path})); err != nil {
		return fmt.Errorf("vm: resume from %s: %w", path, err)
	}
	if err := v.mon.run("cont", nil); err != nil {
		return fmt.Errorf("vm: resume from %s: %w", path, err)
	}
	return nil
}
