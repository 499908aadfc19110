package vmtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/goerst/erst/images/guestproto"
	"github.com/goerst/erst/internal/vm"
)

// Real crashes. A guest started with Options.LinuxERST leaves the device
// to the Linux kernel's own ERST driver and pstore: when the kernel dies
// of a fatal machine check (InjectMCE) it writes the machine check into
// ERST (arch/x86/kernel/cpu/mce/apei.c, Linux's MCE section), and when it
// panics (a machine check, or Panic) pstore writes the end of its log
// (DMESG_Z records). Such a guest boots with panic=-1, so a panic ends
// QEMU (Wait). Another guest, without LinuxERST, on the same store then
// reads those records through PSHED.

// More errors.
var (
	// ErrLinuxERST: the call needs erst serve, and the guest's device
	// belongs to the Linux kernel's ERST driver (Options.LinuxERST).
	ErrLinuxERST = errors.New("vmtest: Linux's ERST driver owns the device (Options.LinuxERST): erst serve does not run")
	// ErrPanicked: the guest's kernel panicked (Wait returns a
	// *PanicError, which matches it).
	ErrPanicked = errors.New("vmtest: the guest kernel panicked")
)

// PanicError is Wait's error when QEMU exited after a kernel panic.
type PanicError struct {
	// Message is the kernel's, from its console line "Kernel panic -
	// not syncing: MESSAGE", e.g. "Fatal local machine check".
	Message string
}

func (e *PanicError) Error() string { return ErrPanicked.Error() + ": " + e.Message }

// Is makes errors.Is(err, [ErrPanicked]) hold.
func (e *PanicError) Is(target error) bool { return target == ErrPanicked }

// MCE is a machine check for InjectMCE: the MSRs QEMU's monitor command
// "mce" sets on CPU before it raises #MC there (Intel SDM vol. 3B ch. 16;
// QEMU's default TCG CPU has 10 banks and MCG_SER_P).
type MCE struct {
	CPU, Bank int
	// Status is MCi_STATUS: for a fatal one VAL|UC|EN|PCC (bits 63, 61,
	// 60, 57), with ADDRV (58) and MISCV (59) when Addr and Misc hold
	// something, e.g. 0xbe00000000800400.
	Status uint64
	// MCGStatus is MCG_STATUS; 0 means DefaultMCGStatus.
	MCGStatus uint64
	// Addr and Misc are MCi_ADDR and MCi_MISC. With MCG_SER_P, Linux
	// keeps the address only from MCi_MISC's least significant valid bit
	// (Misc & 0x3f) up.
	Addr, Misc uint64
}

// DefaultMCGStatus is MCG_STATUS for an MCE whose MCGStatus is 0: MCIP
// (a machine check in progress) and RIPV.
const DefaultMCGStatus = 0x5

// setupLinuxERST configures a LinuxERST guest: the kernel's ERST driver
// (no erst_disable), panic=-1, and the guest agent in exec mode, waiting
// for its one request (Panic, Shutdown). It always boots: the kernel's
// driver and pstore read the store while they start, so a saved kernel
// would go on with a view of the store from another time.
func (g *Guest) setupLinuxERST() error {
	c := &g.cfg
	c.Ports = nil
	c.Cmdline = vm.KernelCmdline(true, vm.PanicCmdline, g.o.Append)
	c.Monitor = true
	for _, s := range []vm.Share{{Dir: filepath.Join(g.dir, "wd"), Tag: guestproto.WorkTag}, {Dir: filepath.Join(g.dir, "ctl"), Tag: guestproto.ControlTag}} {
		if err := os.Mkdir(s.Dir, 0o755); err != nil {
			os.RemoveAll(g.dir)
			return err
		}
		c.Shares = append(c.Shares, s)
	}
	c.ExecMode(g.dir)
	return nil
}

// bootLinuxERST boots a LinuxERST guest until its agent waits for its
// request: the kernel is up, its ERST driver registered with pstore.
func (g *Guest) bootLinuxERST(ctx context.Context) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return ErrNotRunning
	}
	ctx, cancel := context.WithTimeout(ctx, g.o.BootTimeout)
	defer cancel()
	v, conn, err := vm.BootExec(ctx, context.Background(), &g.cfg)
	g.boots++
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBoot, err)
	}
	g.cmdline = v.Cmdline()
	go func() { <-v.Done(); conn.Close() }()
	g.v, g.client, g.linuxReq = v, nil, conn
	if !g.capacityKnown {
		g.capacity, g.capacityKnown = storeCapacity(g.cfg.Store)
	}
	g.logf("vmtest: boot %d (%s, %s, Linux's ERST driver) up in %.1fs; stages: %s", g.boots, g.o.Machine, filepath.Base(g.cfg.Store),
		time.Since(v.Started()).Seconds(), v.Serial.Timings())
	return nil
}

// live returns the running QEMU, or ErrNotRunning.
func (g *Guest) live() (*vm.VM, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.v == nil {
		return nil, ErrNotRunning
	}
	select {
	case <-g.v.Done():
		return nil, fmt.Errorf("%w: QEMU exited (%v) %s", ErrNotRunning, g.v.Err(), g.v.Serial.Where())
	default:
	}
	return g.v, nil
}

// InjectMCE raises machine check m in the guest (QEMU's monitor command
// "mce"). An uncorrected one with PCC set is fatal: in a LinuxERST guest
// the kernel writes it into ERST and panics (Wait). It needs QEMU's
// monitor, which a LinuxERST guest and a resumed one have (not one
// started with Options.Boot). QEMU's refusal (e.g. a bank the CPU lacks)
// is the error.
func (g *Guest) InjectMCE(ctx context.Context, m MCE) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("vmtest: InjectMCE: %w", err)
	}
	v, err := g.live()
	if err != nil {
		return err
	}
	if m.MCGStatus == 0 {
		m.MCGStatus = DefaultMCGStatus
	}
	if err := v.InjectMCE(m.CPU, m.Bank, m.Status, m.MCGStatus, m.Addr, m.Misc); err != nil {
		return fmt.Errorf("vmtest: InjectMCE: %w", err)
	}
	return nil
}

// Panic makes a LinuxERST guest's kernel panic (sysrq c: "sysrq
// triggered crash"): pstore writes the end of its log into ERST, and QEMU
// exits. It returns once the guest has the request; Wait for the end.
// The guest takes one request: a Panic or a Shutdown.
func (g *Guest) Panic(ctx context.Context) error {
	return g.request(ctx, "Panic", vm.SysrqCrash)
}

// request sends a LinuxERST guest its one request.
func (g *Guest) request(ctx context.Context, what string, req guestproto.Request) error {
	if !g.o.LinuxERST {
		return fmt.Errorf("vmtest: %s: needs a guest started with Options.LinuxERST (this one runs erst serve)", what)
	}
	if _, err := g.live(); err != nil {
		return err
	}
	g.mu.Lock()
	conn := g.linuxReq
	g.linuxReq = nil
	g.mu.Unlock()
	if conn == nil {
		return fmt.Errorf("vmtest: %s: the guest has had its request (Panic or Shutdown) already", what)
	}
	if d, ok := ctx.Deadline(); ok {
		conn.SetWriteDeadline(d)
	}
	if err := vm.SendRequest(conn, req); err != nil {
		return fmt.Errorf("vmtest: %s: %w", what, err)
	}
	return nil
}

// shutdownLinuxERST powers a LinuxERST guest off: its agent runs a
// command that does nothing and powers off.
func (g *Guest) shutdownLinuxERST(ctx context.Context) error {
	if err := g.request(ctx, "Shutdown", guestproto.Request{Command: "true"}); err != nil {
		return err
	}
	err := g.Wait(ctx)
	if err != nil && !errors.Is(err, ErrPanicked) {
		g.Kill()
		return fmt.Errorf("vmtest: shutdown: %w", err)
	}
	return err
}

// Wait waits until QEMU has exited (or ctx is done; QEMU then goes on).
// After a kernel panic its error is a *[PanicError] with the kernel's
// message (errors.Is(err, [ErrPanicked])); after a clean power-off, nil.
func (g *Guest) Wait(ctx context.Context) error {
	g.mu.Lock()
	v := g.v
	g.mu.Unlock()
	if v == nil {
		return ErrNotRunning
	}
	select {
	case <-v.Done():
	case <-ctx.Done():
		return fmt.Errorf("vmtest: wait: %w; the guest is %s", ctx.Err(), v.Serial.Where())
	}
	if msg := v.Serial.Panic(); msg != "" {
		return &PanicError{Message: msg}
	}
	if err := v.Err(); err != nil {
		return fmt.Errorf("vmtest: QEMU: %w", err)
	}
	return nil
}
