// Package vm boots the erst guest in QEMU: the acpi-erst device on a
// backing file, the guest kernel and initramfs of package images, 9p
// shares and virtio-serial ports, and a watch on the serial console that
// knows how far the boot got (SerialLog), and saving a booted guest to
// resume it later without its store (VM.Save, Config.Resume).
// erstvm and package vmtest (the harness and the VM tests) start their
// guests here. By concern: QEMU's options and Start (vm.go), a Config
// from what a user chose (config.go), the firmware (firmware.go), the
// serial console (serial.go), the guest that waits for its request
// (exec.go), saved guests (saved.go) and QMP with saving and resuming
// (snapshot.go), warm resets (reset.go) and crashes (crash.go).
//
// It is built on github.com/hugelgupf/vmtest's qemu package
// (qemu.StartContext, its Fn options, VM.Kill and VM.Wait), with Fns of its
// own for what that package lacks:
//
//   - ERSTDevice: QEMU's acpi-erst device on a memory-backend-file
//     (docs/specs/acpi_erst.rst); vmtest has no such device.
//   - Share9p: a virtio-9p share with security_model=none, so files the
//     guest creates belong to the host user as plain files; vmtest's
//     P9Directory hard-codes security_model=mapped-file (which keeps
//     .virtfs_metadata files in the shared directory) and adds a
//     VMTEST_MOUNT9P kernel argument for its own init.
//   - SerialPort: a virtserialport connected to a host Unix socket; vmtest
//     has none.
//   - vmtest reads VMTEST_QEMU, VMTEST_KERNEL, VMTEST_KERNEL_APPEND,
//     VMTEST_QEMU_APPEND, VMTEST_INITRAMFS and VMTEST_TIMEOUT from the
//     environment on every start; Start overrides them all (its own Fn runs
//     last), so a guest started here is the same whatever the environment
//     (the user's VMTEST_* variables reach no guest here).
//   - vmtest sends QEMU's standard error into the serial stream; QEMU's
//     own messages therefore appear in SerialLog's lines.
package vm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/goerst/erst/erst/store"
	"github.com/hugelgupf/vmtest/qemu"
)

// A new record store has store.DefaultSize and store.DefaultRecordSize,
// the same as erst -store's, so that a store made by either tool has the
// same size.
const (
	DefaultQEMU   = "qemu-system-x86_64"
	DefaultMemory = "512"
)

// Config is one boot of the guest.
type Config struct {
	QEMU       string // QEMU binary; default DefaultQEMU
	Machine    string // q35 (default) or pc
	Accel      string // tcg (default) or kvm
	Memory     string // QEMU -m; default DefaultMemory
	Kernel     string // kernel image to boot
	BIOS       string // firmware image for QEMU's -bios; "" for SeaBIOS (Firmware)
	Initramfs  string
	Cmdline    string // the whole kernel command line (KernelCmdline)
	Store      string // backing file of the acpi-erst device; empty: no device
	StoreSize  uint64 // its size (StoreSize)
	RecordSize uint64 // QEMU's record_size
	Shares     []Share
	Ports      []Port
	// Reconnect names Ports that QEMU connects to again, a second after
	// the host closed the connection (and connects at start without
	// waiting for it): across a VM.Reset, the host can drop what either
	// side left unread and take a new connection.
	Reconnect []string
	// Echo, when set, receives every serial console line as it comes.
	Echo io.Writer
	// Keep is how many serial lines SerialLog keeps; default 30.
	Keep int
	// Monitor gives QEMU a QMP monitor, which VM.Save needs.
	Monitor bool
	// Resume, when set, is a state file VM.Save wrote: QEMU loads it and
	// the guest goes on where it was saved instead of booting. The rest
	// of the Config must be the one the state was saved with; the store
	// (not in the state), the ports' sockets and the shares' host
	// directories may differ.
	Resume string
}

// Share is a host directory shared with the guest over virtio-9p.
type Share struct {
	Dir string // host directory
	Tag string // mount tag in the guest
}

// Port is a virtio-serial port (virtserialport) whose host side is a
// Unix socket: QEMU connects to Socket at start, so something must listen
// there first. The guest sees it as /dev/vportNpM, with Name in
// /sys/class/virtio-ports/vportNpM/name.
type Port struct {
	Name   string
	Socket string
}

// ERSTDevice adds QEMU's acpi-erst device on a shared memory-backend-file
// at store (QEMU creates and formats a missing or all-zero file;
// share=on is what makes the records persist).
func ERSTDevice(store string, size, recordSize uint64) qemu.Fn {
	return func(alloc *qemu.IDAllocator, o *qemu.Options) error {
		mem := alloc.ID("erstnvram")
		o.AppendQEMU(
			"-object", fmt.Sprintf("memory-backend-file,id=%s,mem-path=%s,size=%d,share=on", mem, optValue(store), size),
			"-device", fmt.Sprintf("acpi-erst,memdev=%s,record_size=%d", mem, recordSize),
		)
		return nil
	}
}

// Share9p shares dir with the guest under tag, over virtio-9p-pci with
// security_model=none.
func Share9p(dir, tag string) qemu.Fn {
	return func(alloc *qemu.IDAllocator, o *qemu.Options) error {
		id := alloc.ID("erstfs")
		o.AppendQEMU(
			"-fsdev", fmt.Sprintf("local,id=%s,path=%s,security_model=none", id, optValue(dir)),
			"-device", fmt.Sprintf("virtio-9p-pci,fsdev=%s,mount_tag=%s", id, tag),
		)
		return nil
	}
}

// SerialPort adds a virtio-serial controller (once per Options) and a
// virtserialport named name whose host side connects to the Unix socket
// at socket.
func SerialPort(name, socket string) qemu.Fn { return serialPort(name, socket, false) }

// serialPort is SerialPort, with Config.Reconnect when reconnect is set.
func serialPort(name, socket string, reconnect bool) qemu.Fn {
	return func(alloc *qemu.IDAllocator, o *qemu.Options) error {
		bus := "erstvirtser"
		if !slices.Contains(o.QEMUArgs, "virtio-serial-pci,id="+bus) {
			o.AppendQEMU("-device", "virtio-serial-pci,id="+bus)
		}
		ch := alloc.ID("erstport")
		chardev := fmt.Sprintf("socket,id=%s,path=%s", ch, optValue(socket))
		if reconnect {
			chardev += ",reconnect=1" // seconds (QEMU 7.2 has no reconnect-ms)
		}
		o.AppendQEMU(
			"-chardev", chardev,
			"-device", fmt.Sprintf("virtserialport,bus=%s.0,chardev=%s,name=%s", bus, ch, name),
		)
		return nil
	}
}

// optValue escapes a value inside a QEMU option list, where a comma is
// written as two.
func optValue(s string) string { return strings.ReplaceAll(s, ",", ",,") }

// FastBoot are kernel arguments that only shorten a test guest's boot,
// each worth a few tenths of a second under TCG (docs/boot-measurements.md):
//   - cryptomgr.notests skips the kernel's crypto self-tests, 0.4 s of its
//     1.4 s of initcalls (initcall_debug: crypto_algapi_init 346 ms,
//     crypto_kdf108_init 79 ms);
//   - rodata=off skips write-protecting the kernel's text and data at the
//     end of init and the W+X page-table walk that checks it (Debian's
//     CONFIG_DEBUG_WX), 0.2-0.25 s.
//
// Neither concerns what a guest here tests: its crypto, or its kernel's
// protection against itself.
const FastBoot = "cryptomgr.notests rodata=off"

// NoTimerCheck keeps a guest's boot from depending on the host's speed:
// early in boot Linux checks that the IO-APIC timer ticks within a few
// of its own loops, and under TCG on a loaded host it may not, so the
// kernel panics with "IO-APIC + timer doesn't work!". no_timer_check
// skips it (kernel-parameters.txt: "Disables the code which tests for
// broken timer IRQ sources"); QEMU's timer is not broken, only late.
const NoTimerCheck = "no_timer_check"

// KernelCmdline is the guest kernel's command line: the serial console,
// FastBoot, NoTimerCheck, and erst_disable unless the kernel's own ERST driver is
// wanted.
func KernelCmdline(linuxERST bool, extra ...string) string {
	args := []string{"console=ttyS0", FastBoot, NoTimerCheck}
	if !linuxERST {
		args = append(args, "erst_disable")
	}
	for _, e := range extra {
		if e = strings.TrimSpace(e); e != "" {
			args = append(args, e)
		}
	}
	return strings.Join(args, " ")
}

// StoreSize checks the store file at path and returns the size to give
// QEMU: want, or the file's own size when it exists and want is 0, or
// store.DefaultSize for a missing file and want 0.
func StoreSize(path string, want, recordSize uint64) (uint64, error) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) || err == nil && fi.Mode().IsRegular() && fi.Size() == 0:
		// QEMU sizes and formats a missing or empty file (store.Lock
		// creates an empty one).
		if want == 0 {
			want = store.DefaultSize
		}
	case err != nil:
		return 0, err
	case !fi.Mode().IsRegular():
		return 0, fmt.Errorf("store %s is not a regular file", path)
	case want == 0:
		want = uint64(fi.Size())
	case uint64(fi.Size()) != want:
		return 0, fmt.Errorf("store size %d differs from the size of the existing %s (%d bytes)", want, path, fi.Size())
	}
	if err := store.CheckGeometry(want, recordSize); err != nil {
		return 0, err
	}
	return want, nil
}

// Fns are the vmtest options for c, in order.
func (c *Config) Fns() []qemu.Fn {
	fns := []qemu.Fn{c.base()}
	if c.Store != "" {
		fns = append(fns, ERSTDevice(c.Store, c.StoreSize, c.RecordSize))
	}
	for _, s := range c.Shares {
		fns = append(fns, Share9p(s.Dir, s.Tag))
	}
	for _, p := range c.Ports {
		fns = append(fns, serialPort(p.Name, p.Socket, slices.Contains(c.Reconnect, p.Name)))
	}
	return fns
}

// base replaces what vmtest took from the environment with c's machine,
// kernel and command line.
func (c *Config) base() qemu.Fn {
	return func(_ *qemu.IDAllocator, o *qemu.Options) error {
		o.QEMUCommand = or(c.QEMU, DefaultQEMU)
		o.Kernel, o.Initramfs, o.KernelArgs = c.Kernel, c.Initramfs, c.Cmdline
		o.VMTimeout = 0
		o.QEMUArgs = []string{
			"-machine", or(c.Machine, "q35"), "-accel", or(c.Accel, "tcg"), "-m", or(c.Memory, DefaultMemory), "-smp", "1",
			"-display", "none", "-monitor", "none", "-serial", "stdio",
			"-no-reboot", "-nic", "none",
		}
		if c.BIOS != "" {
			o.QEMUArgs = append(o.QEMUArgs, "-bios", c.BIOS)
		}
		return nil
	}
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Args is the QEMU command line for c, binary first.
func (c *Config) Args() ([]string, error) {
	o, err := qemu.OptionsFor(qemu.ArchAMD64, c.Fns()...)
	if err != nil {
		return nil, err
	}
	return o.Cmdline()
}

// VM is a running (or exited) QEMU process.
type VM struct {
	Serial *SerialLog
	q      *qemu.VM
	start  time.Time
	done   chan struct{}
	mu     sync.Mutex
	err    error         // QEMU's exit, once done
	wall   time.Duration // from start to exit
	mon    *monitor      // with Config.Monitor or Resume
}

// lockStore takes the store file's lock for QEMU (store.Lock, which waits
// up to store.LockWait); a test counts the attempts through it.
var lockStore = store.Lock

// Start starts QEMU for c, holding the store file's lock (store.Lock)
// until QEMU has exited. The process is killed when ctx is done. The
// caller must wait for it (Wait or Done) or kill it. With c.Resume, Start
// returns once the guest runs again from the saved state.
func Start(ctx context.Context, c *Config) (*VM, error) {
	bin := or(c.QEMU, DefaultQEMU)
	if _, err := exec.LookPath(bin); err != nil {
		return nil, fmt.Errorf("%w (install qemu-system-x86: make -f mk/vm.mk deps)", err)
	}
	if c.Resume != "" {
		if _, err := os.Stat(c.Resume); err != nil {
			return nil, fmt.Errorf("vm: resume: %w", err)
		}
	}
	keep := c.Keep
	if keep == 0 {
		keep = 30
	}
	// QEMU takes no lock on its backing file; hold the store's lock for
	// it, from before it starts until it has exited, so that no erst
	// -store (or a second QEMU through this package) opens the file
	// meanwhile.
	var lock io.Closer = io.NopCloser(nil)
	if c.Store != "" {
		l, err := lockStore(c.Store)
		if err != nil {
			return nil, err
		}
		lock = l
	}
	v := &VM{Serial: NewSerialLog(keep, c.Echo), done: make(chan struct{})}
	fns := append(c.Fns(), qemu.WithSerialOutput(v.Serial))
	var monAddr string
	release := func() {}
	if c.Monitor || c.Resume != "" {
		fn, addr, rel, err := monitorFn(c.Resume != "")
		if err != nil {
			lock.Close()
			return nil, err
		}
		fns, monAddr, release = append(fns, fn), addr, rel
	}
	v.start = time.Now()
	v.Serial.start = v.start
	q, err := qemu.StartContext(ctx, qemu.ArchAMD64, fns...)
	release() // QEMU has its own copy of the monitor's socket
	if err != nil {
		lock.Close()
		return nil, err
	}
	v.q = q
	go func() {
		// Wait also drains the console; it must run from the start.
		err := q.Wait()
		lock.Close()
		v.mu.Lock()
		v.err, v.wall = err, time.Since(v.start)
		v.mu.Unlock()
		close(v.done)
	}()
	if monAddr == "" {
		return v, nil
	}
	fail := func(err error) (*VM, error) {
		v.Kill()
		<-v.done
		return nil, fmt.Errorf("%w; QEMU: %v", err, v.Err())
	}
	if v.mon, err = connectMonitor(monAddr); err != nil {
		return fail(fmt.Errorf("vm: QEMU's monitor: %w", err))
	}
	if c.Resume != "" {
		if err := v.resume(ctx, c.Resume); err != nil {
			return fail(err)
		}
		v.Serial.resumed()
	}
	return v, nil
}

// Started is when QEMU was started.
func (v *VM) Started() time.Time { return v.start }

// Cmdline is the QEMU command line, binary first.
func (v *VM) Cmdline() []string { return v.q.Cmdline() }

// Done is closed when QEMU has exited and its output is drained.
func (v *VM) Done() <-chan struct{} { return v.done }

// Wait waits for QEMU to exit and returns how it ended.
func (v *VM) Wait() error {
	<-v.done
	return v.Err()
}

// Err is how QEMU ended (nil for a clean exit, e.g. the guest's power-off),
// once Done is closed; nil before.
func (v *VM) Err() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.err
}

// Wall is the time from start to exit, once Done is closed.
func (v *VM) Wall() time.Duration {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.wall
}

// Kill sends QEMU SIGKILL: a power cut. It returns at once; Wait for the
// exit. Killing an exited VM does nothing.
func (v *VM) Kill() error {
	select {
	case <-v.done:
		return nil
	default:
	}
	if err := v.q.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	return nil
}

// ShellQuote quotes args for a command line a person can paste.
func ShellQuote(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\n'\"$\\*?;&|<>()") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		q[i] = a
	}
	return strings.Join(q, " ")
}
