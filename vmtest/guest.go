package vmtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/goerst/erst/erst/pshed"
	"github.com/goerst/erst/erst/pshed/remote"
	"github.com/goerst/erst/erst/store"
	"github.com/goerst/erst/images/guestproto"
	"github.com/goerst/erst/internal/vm"
)

// Defaults for zero [Options] fields.
const (
	DefaultStore       = "erst.backing"
	DefaultBootTimeout = 3 * time.Minute
	DefaultCallTimeout = time.Minute
)

// PortName is the virtio-serial port the guest serves on.
const PortName = "erst.0"

// Options configure a guest. The zero value boots what erstvm boots: q35
// under TCG, the newest Debian kernel, the cached initramfs (built when
// missing), a 64 KiB store of 8 KiB records in ./erst.backing ([Start]) or
// in a file of the test's own t.TempDir() ([StartT]).
type Options struct {
	// Store is the acpi-erst device's backing file (QEMU's format;
	// created and formatted when missing). Default DefaultStore in the
	// current directory for Start, in tb.TempDir() for StartT.
	Store string
	// StoreSize is the store's size: 0 means the existing file's, or
	// 64 KiB for a new one.
	StoreSize uint64
	// RecordSize is QEMU's record_size for a new store: 0 means 8192.
	// An existing store's own record size wins, in QEMU.
	RecordSize uint64
	// Machine is the QEMU machine: "q35" (default) or "pc".
	Machine string
	// Firmware is erstvm's -firmware: "" or "seabios" (QEMU's default),
	// "ovmf" (UEFI, Debian's ovmf package), or a firmware image file
	// for QEMU's -bios. Under any but SeaBIOS the guest boots the
	// compressed kernel (its EFI stub), which takes longer. Saved
	// guests are kept per firmware.
	Firmware string
	// Kernel is the guest kernel; default the newest /boot/vmlinuz-*-amd64.
	Kernel string
	// Initramfs is the guest initramfs; default the one package images
	// builds from Source, cached in erst's cache root (see the package
	// doc).
	Initramfs string
	// Source is the erst module's source tree to build the initramfs
	// from; default found from the current directory, else from where
	// this package was compiled (a checkout, or Go's module cache: it is
	// only read).
	Source string
	// Append is extra kernel command-line arguments.
	Append string
	// BootTimeout bounds each boot, until `erst serve` answers. Default
	// DefaultBootTimeout.
	BootTimeout time.Duration
	// CallTimeout bounds each call through PSHED (and each call of the
	// Guest or its Client whose context has no deadline of its own).
	// Default DefaultCallTimeout.
	CallTimeout time.Duration
	// QEMU, Accel and Memory are erstvm's -qemu, -accel and -m.
	QEMU, Accel, Memory string
	// Console, when set, receives every serial console line.
	Console io.Writer
	// Logf, when set, receives one line per boot and power-off, with
	// the time it took, and the initramfs build's progress.
	Logf func(format string, args ...any)
	// Boot boots QEMU on every Start and Restart. By default the guest
	// boots once per kernel, initramfs, QEMU, machine and store geometry,
	// is saved when up (in erst's cache root, see the package doc), and
	// every start resumes it instead: about a second until erst serve
	// answers, against some 5 s under TCG. The store is not in the saved
	// state: a resumed device reads the store as the file holds it, as
	// after a reboot.
	// A resumed guest mounts two 9p shares of private host directories
	// (removed by Close) and its erst serve writes its messages to a file
	// there, not to Console; a booted guest mounts no share and its erst
	// serve writes to the serial console (Console).
	Boot bool
	// LinuxERST leaves the device to the Linux kernel's own ERST driver
	// and pstore (no erst_disable), and boots with panic=-1: the guest
	// runs no erst serve (PSHED and Client calls fail with ErrLinuxERST)
	// and is there to crash (InjectMCE, Panic, Wait; crash.go). It
	// always boots, also without Boot.
	LinuxERST bool
}

// Errors.
var (
	// ErrNotRunning: the call needs a running guest, and QEMU has exited
	// (Shutdown, Kill, Close, or it died).
	ErrNotRunning = errors.New("vmtest: the guest is not running")
	// ErrRunning: Restart was called while the guest still runs.
	ErrRunning = errors.New("vmtest: the guest is still running")
	// ErrBoot: the guest did not come up with `erst serve` answering.
	ErrBoot = errors.New("vmtest: the guest did not boot")
)

// Guest is a QEMU guest with QEMU's acpi-erst device on a store file,
// running `erst serve`. Its methods are safe for concurrent use; calls to
// the guest run one at a time.
type Guest struct {
	o     Options
	cfg   vm.Config
	dir   string // the sockets' directory, and the shares' of a resumed guest
	saved string // the saved guest it resumes; "" with Options.Boot
	logf  func(string, ...any)

	mu       sync.Mutex
	v        *vm.VM
	client   *remote.Client
	linuxReq net.Conn // a LinuxERST guest's exec port, until its one request (Panic, Shutdown)
	info     remote.Info
	boots    int
	closed   bool
	capacity int
	exec     net.Conn // a resumed guest's ExecPort, kept for Reset

	// capacityKnown: capacity was read from the store file.
	capacityKnown bool
	cmdline       []string // the last QEMU's command line

	persist *remote.Persistence // PSHED's handle
}

// Start boots a guest on o.Store and returns it once `erst serve`
// answers in it. ctx governs the boot only (with Options.BootTimeout):
// cancelling it during the boot kills QEMU and Start returns an error,
// cancelling it later does nothing. The guest runs until Shutdown, Kill
// or Close; each later call takes a context of its own.
func Start(ctx context.Context, o Options) (*Guest, error) {
	g, err := newGuest(o)
	if err != nil {
		return nil, err
	}
	if err := g.boot(ctx); err != nil {
		g.Close()
		return nil, err
	}
	return g, nil
}

func newGuest(o Options) (*Guest, error) {
	if o.Store == "" {
		o.Store = DefaultStore
	}
	if o.RecordSize == 0 {
		o.RecordSize = store.DefaultRecordSize
	}
	if o.Machine == "" {
		o.Machine = "q35"
	}
	if o.Machine != "q35" && o.Machine != "pc" {
		return nil, fmt.Errorf("vmtest: machine %q: want q35 or pc", o.Machine)
	}
	if o.BootTimeout <= 0 {
		o.BootTimeout = DefaultBootTimeout
	}
	if o.CallTimeout <= 0 {
		o.CallTimeout = DefaultCallTimeout
	}
	fw, err := vm.ParseFirmware(o.Firmware)
	if err != nil {
		return nil, fmt.Errorf("vmtest: %w", err)
	}
	o.Firmware = fw.Name
	logf := o.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	g := &Guest{o: o, logf: logf}
	g.persist = remote.NewPersistence(g)
	c, err := vm.NewConfig(vm.Setup{
		QEMU: o.QEMU, Machine: o.Machine, Accel: o.Accel, Memory: o.Memory,
		Store: o.Store, StoreSize: o.StoreSize, RecordSize: o.RecordSize,
		Kernel: o.Kernel, Initramfs: o.Initramfs, Source: o.Source, Firmware: fw,
		Logf: func(format string, args ...any) { logf("vmtest: "+format, args...) },
	})
	if err != nil {
		return nil, fmt.Errorf("vmtest: %w", err)
	}
	g.cfg = *c
	c = &g.cfg
	c.Echo = o.Console
	c.Monitor = true // Reset
	// A short path: a Unix socket's path has at most 107 bytes.
	if g.dir, err = os.MkdirTemp("", "vmtest-"); err != nil {
		return nil, err
	}
	sock := filepath.Join(g.dir, "serve.sock")
	c.Ports = []vm.Port{{Name: PortName, Socket: sock}}
	if o.LinuxERST {
		return g, g.setupLinuxERST()
	}
	c.Reconnect = []string{PortName} // Reset
	if o.Boot {
		c.Cmdline = vm.KernelCmdline(false, guestproto.ServeParam+"="+PortName, o.Append)
		return g, nil
	}
	// Exec mode: erst serve is the request the host sends each resumed
	// guest; the agent mounts its two shares first.
	c.Cmdline = vm.KernelCmdline(false, o.Append)
	for _, s := range []vm.Share{{Dir: filepath.Join(g.dir, "wd"), Tag: guestproto.WorkTag}, {Dir: filepath.Join(g.dir, "ctl"), Tag: guestproto.ControlTag}} {
		if err := os.Mkdir(s.Dir, 0o755); err != nil {
			os.RemoveAll(g.dir)
			return nil, err
		}
		c.Shares = append(c.Shares, s)
	}
	c.ExecMode(g.dir)
	saved, err := vm.SavedGuestDir()
	if err == nil {
		g.saved, err = vm.SavedGuestPath(c, saved)
	}
	if err != nil {
		os.RemoveAll(g.dir)
		return nil, fmt.Errorf("vmtest: %w", err)
	}
	return g, nil
}

// boot starts QEMU and waits for `erst serve` to answer.
func (g *Guest) boot(ctx context.Context) error {
	if g.o.LinuxERST {
		return g.bootLinuxERST(ctx)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return ErrNotRunning
	}
	ctx, cancel := context.WithTimeout(ctx, g.o.BootTimeout)
	defer cancel()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%w: %w", ErrBoot, context.Cause(ctx))
	}
	sock := g.cfg.Ports[0].Socket
	os.Remove(sock)
	ln, err := net.Listen("unix", sock)
	if err != nil {
		return fmt.Errorf("vmtest: %w", err)
	}
	defer ln.Close()
	// QEMU lives until Shutdown, Kill or Close, not as long as ctx.
	var v *vm.VM
	if g.saved == "" {
		if v, err = vm.Start(context.Background(), &g.cfg); err != nil {
			return fmt.Errorf("vmtest: %w", err)
		}
	} else if v, err = g.resume(ctx); err != nil {
		return fmt.Errorf("%w: %w", ErrBoot, err)
	}
	g.boots++
	g.cmdline = v.Cmdline()
	fail := func(err error) error {
		v.Kill()
		<-v.Done()
		var tail strings.Builder
		v.Serial.PrintTail(&tail, "")
		return fmt.Errorf("%w: %w; QEMU: %v; it stopped %s\n%s", ErrBoot, err, v.Err(), v.Serial.Where(), tail.String())
	}
	// QEMU connects to the socket as it starts.
	client, info, err := g.connect(ctx, v, ln, sock)
	if err != nil {
		return fail(err)
	}
	g.v, g.client, g.info = v, client, info
	if info.CapacityKnown {
		g.capacity, g.capacityKnown = int(info.Capacity), true
	} else if !g.capacityKnown {
		g.capacity, g.capacityKnown = storeCapacity(g.cfg.Store)
	}
	g.logf("vmtest: boot %d (%s, %s) answered in %.1fs; stages: %s", g.boots, g.o.Machine, filepath.Base(g.cfg.Store),
		time.Since(v.Started()).Seconds(), v.Serial.Timings())
	return nil
}

// resume starts QEMU from the saved guest (saving it first when it is
// not yet) and sends it its request: erst serve on PortName. QEMU runs
// until Shutdown, Kill or Close, not as long as ctx.
func (g *Guest) resume(ctx context.Context) (*vm.VM, error) {
	prefixed := func(format string, args ...any) { g.logf("vmtest: "+format, args...) }
	v, conn, err := vm.StartSaved(ctx, &g.cfg, vm.Saved{Path: g.saved, Cache: true, Logf: prefixed})
	if err != nil {
		return nil, err
	}
	if err := vm.SendRequest(conn, guestproto.Request{Command: "erst", Args: guestproto.ServeArgs(PortName)}); err != nil {
		conn.Close()
		v.Kill()
		<-v.Done()
		return nil, fmt.Errorf("sending erst serve to the resumed guest: %w", err)
	}
	// After a Reset the guest waits for its request on this port again.
	if g.exec != nil {
		g.exec.Close()
	}
	g.exec = conn
	go func() { <-v.Done(); conn.Close() }()
	return v, nil
}

// storeCapacity is how many records the store file holds, by erst/store's
// own rule (Store.Capacity) on a copy of the file; ok is false when it
// cannot be read. QEMU holds the file's lock while it runs, so the copy
// is read without it.
func storeCapacity(path string) (n int, ok bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	st, err := store.New(store.Image(b))
	if err != nil {
		return 0, false
	}
	return st.Capacity(), true
}

// running returns the current client, or ErrNotRunning.
func (g *Guest) running() (*remote.Client, *vm.VM, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.o.LinuxERST {
		return nil, nil, ErrLinuxERST
	}
	if g.v == nil {
		return nil, nil, ErrNotRunning
	}
	select {
	case <-g.v.Done():
		return nil, nil, fmt.Errorf("%w: QEMU exited (%v) %s", ErrNotRunning, g.v.Err(), g.v.Serial.Where())
	default:
	}
	return g.client, g.v, nil
}

// Client is the connection to the running guest's server: its calls
// return the Go error beside each status and take a context; OnSent
// lets a test act while a call is in flight. A Restart makes a new one.
func (g *Guest) Client() (*remote.Client, error) {
	c, _, err := g.running()
	return c, err
}

// Info describes the guest's device as its erst serve reports it: its
// error log range length and record count, the functional area mask of
// the plug-in it registered, and its capacity when the device can tell
// (remote.Info.CapacityKnown; QEMU's device cannot, and Capacity then
// reads the store file's header).
func (g *Guest) Info(ctx context.Context) (remote.Info, error) {
	c, _, err := g.running()
	if err != nil {
		return remote.Info{}, err
	}
	return c.Info(ctx)
}

// Capacity is how many records the store holds: as the guest reported it
// at the last boot ([remote.Info]) when it could tell, else from the store
// file's header, which QEMU wrote at the first boot (the real device
// cannot tell); ok is false when unknown.
func (g *Guest) Capacity() (n int, ok bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.capacity, g.capacityKnown
}

// IDs returns every record identifier stored, in store order.
func (g *Guest) IDs(ctx context.Context) ([]uint64, error) {
	c, _, err := g.running()
	if err != nil {
		return nil, err
	}
	return c.IDs(ctx)
}

// ClearAll clears every stored record.
func (g *Guest) ClearAll(ctx context.Context) error {
	c, _, err := g.running()
	if err != nil {
		return err
	}
	ids, err := c.IDs(ctx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := c.ClearErrorRecord(ctx, 0, id); err != nil {
			return fmt.Errorf("clear %#x: %w", id, err)
		}
	}
	return nil
}

// PSHED returns the guest's callbacks as a [pshed.Persistence]
// ([remote.Persistence] over the [Guest]'s own calls). It stays valid across
// Restart. Each call is bounded by Options.CallTimeout; a call that
// cannot reach the guest (not running, QEMU died, timeout) returns
// STATUS_UNSUCCESSFUL at once. It is always the same handle: Err returns
// the error behind the status of its last call, from whichever goroutine.
// Goroutines calling concurrently take the error with each call from
// the Guest's WriteErrorRecord, ReadErrorRecord and ClearErrorRecord, or
// a handle each, remote.NewPersistence(g).
func (g *Guest) PSHED() pshed.Persistence { return g.persist }

// Err returns the Go error behind the status of the last call through
// PSHED, by any goroutine: the guest's driver error, or the transport's
// (wrapping [remote.ErrConnection], and [ErrNotRunning] when QEMU exited);
// nil after a success. It is the last call's, not necessarily the
// caller's: see PSHED.
func (g *Guest) Err() error { return g.persist.Err() }

// The Guest's own calls are what PSHED adapts.
var _ remote.Caller = (*Guest)(nil)

// annotate marks a transport error of a call to v with ErrNotRunning
// when QEMU has exited meanwhile.
func annotate(err error, v *vm.VM) error {
	if err != nil && errors.Is(err, remote.ErrConnection) && !errors.Is(err, ErrNotRunning) {
		select {
		case <-v.Done():
			err = fmt.Errorf("%w (%w: QEMU exited: %v)", err, ErrNotRunning, v.Err())
		default:
		}
	}
	return err
}

// WriteErrorRecord calls the running guest's WriteErrorRecord and
// returns its status with the error behind it ([remote.Client]'s), or
// STATUS_UNSUCCESSFUL with [ErrNotRunning] when no guest runs. Unlike
// Client's, it follows the guest across Restart.
func (g *Guest) WriteErrorRecord(ctx context.Context, flags uint32, record []byte) (pshed.NTSTATUS, error) {
	c, v, err := g.running()
	if err != nil {
		return pshed.StatusUnsuccessful, err
	}
	st, err := c.WriteErrorRecord(ctx, flags, record)
	return st, annotate(err, v)
}

// ReadErrorRecord is WriteErrorRecord's counterpart for ReadErrorRecord.
func (g *Guest) ReadErrorRecord(ctx context.Context, flags uint32, id uint64, buf []byte) (next uint64, length uint32, st pshed.NTSTATUS, err error) {
	c, v, err := g.running()
	if err != nil {
		return 0, 0, pshed.StatusUnsuccessful, err
	}
	next, length, st, err = c.ReadErrorRecord(ctx, flags, id, buf)
	return next, length, st, annotate(err, v)
}

// ClearErrorRecord is WriteErrorRecord's counterpart for
// ClearErrorRecord.
func (g *Guest) ClearErrorRecord(ctx context.Context, flags uint32, id uint64) (pshed.NTSTATUS, error) {
	c, v, err := g.running()
	if err != nil {
		return pshed.StatusUnsuccessful, err
	}
	st, err := c.ClearErrorRecord(ctx, flags, id)
	return st, annotate(err, v)
}

// Shutdown powers the guest off cleanly: erst serve ends, the guest
// syncs and powers off, QEMU exits. ctx bounds the wait; when it
// expires, QEMU is killed and the error says so.
// A LinuxERST guest's agent powers it off (a Shutdown or a Panic, not both).
func (g *Guest) Shutdown(ctx context.Context) error {
	if g.o.LinuxERST {
		return g.shutdownLinuxERST(ctx)
	}
	c, v, err := g.running()
	if err != nil {
		return err
	}
	start := time.Now()
	if err := c.Shutdown(ctx); err != nil {
		return fmt.Errorf("vmtest: shutdown: %w", err)
	}
	select {
	case <-v.Done():
	case <-ctx.Done():
		c.Abort(fmt.Errorf("%w: killed, it did not power off in time", ErrNotRunning))
		v.Kill()
		<-v.Done()
		return fmt.Errorf("vmtest: shutdown: the guest did not power off: %w; it stopped %s", ctx.Err(), v.Serial.Where())
	}
	if err := v.Err(); err != nil {
		return fmt.Errorf("vmtest: shutdown: QEMU: %w", err)
	}
	g.logf("vmtest: powered off in %.1fs", time.Since(start).Seconds())
	return nil
}

// Kill sends QEMU SIGKILL: a power cut, with no shutdown of any kind in
// the guest. It returns once QEMU is gone; a call in flight returns
// STATUS_UNSUCCESSFUL with [ErrNotRunning]. Killing a guest that is not
// running does nothing.
func (g *Guest) Kill() error {
	g.mu.Lock()
	v, c := g.v, g.client
	g.mu.Unlock()
	if v == nil {
		return nil
	}
	if c != nil {
		c.Abort(fmt.Errorf("%w: QEMU killed (power cut)", ErrNotRunning))
	}
	if err := v.Kill(); err != nil {
		return fmt.Errorf("vmtest: kill: %w", err)
	}
	<-v.Done()
	return nil
}

// Restart boots a new QEMU on the same store after Shutdown or Kill, and
// reconnects PSHED to it. ctx bounds the boot.
func (g *Guest) Restart(ctx context.Context) error {
	g.mu.Lock()
	v := g.v
	g.mu.Unlock()
	if v != nil {
		select {
		case <-v.Done():
		default:
			return ErrRunning
		}
	}
	return g.boot(ctx)
}

// Cmdline is the command line of the guest's last QEMU, binary first:
// what to run to reproduce a failure by hand ([StartT] logs it when a test
// fails). Before a QEMU has started, it is that of a boot of the guest's
// configuration.
func (g *Guest) Cmdline() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.cmdline != nil {
		return slices.Clone(g.cmdline)
	}
	args, _ := g.cfg.Args()
	return args
}

// Boots is how many times QEMU was started (booted, or resumed from the
// saved guest).
func (g *Guest) Boots() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.boots
}

// Close kills QEMU if it still runs and removes what the guest left on
// the host (not the store). It is safe to call more than once.
func (g *Guest) Close() error {
	err := g.Kill()
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return nil
	}
	g.closed = true
	if g.dir != "" {
		os.RemoveAll(g.dir)
	}
	return err
}

// connect accepts QEMU's connection to the serve port's socket sock on
// ln (QEMU connects as it starts, and again after a platform reset) and
// returns a client over it once erst serve answers Info. The client is
// aborted with ErrNotRunning when QEMU exits. ctx bounds the wait.
func (g *Guest) connect(ctx context.Context, v *vm.VM, ln net.Listener, sock string) (*remote.Client, remote.Info, error) {
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	go func() {
		select {
		case <-v.Done():
			ln.Close()
		case <-ctx.Done():
		}
	}()
	conn, err := ln.Accept()
	stop()
	if err != nil {
		return nil, remote.Info{}, fmt.Errorf("QEMU did not connect to %s: %w", sock, err)
	}
	client := remote.NewClient(conn, g.o.CallTimeout)
	go func() {
		<-v.Done()
		client.Abort(fmt.Errorf("%w: QEMU exited (%v) %s", ErrNotRunning, v.Err(), v.Serial.Where()))
	}()
	info, err := client.Info(ctx)
	if err != nil {
		client.Close()
		return nil, remote.Info{}, fmt.Errorf("erst serve did not answer: %w", err)
	}
	return client, info, nil
}
