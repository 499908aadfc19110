//go:build linux

// Command guestinit is the uinit of erstvm's guest (see package
// guestproto): it mounts the host's 9p shares, runs the requested command
// in the shared working directory with its standard output and error going
// to files in the control share, writes the exit status there, drains the
// serial console and powers the VM off.
//
// With guestproto.ServeParam on the kernel command line it runs
// "erst serve" on that virtio-serial port instead, without mounting
// anything, its output on the console, and powers off when it ends.
// With guestproto.ExecParam it mounts nothing until its request comes on
// that port (so that the booted guest can be saved and resumed), then
// runs it as above.
//
// It always powers off, also when something fails, so that the host never
// waits for a timeout after a failure it could have been told about.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/goerst/erst/images/guestproto"
	"github.com/goerst/erst/internal/virtioport"
	"golang.org/x/sys/unix"
)

// Where the shares are mounted in the guest.
const (
	workDir    = "/mnt/" + guestproto.WorkTag
	controlDir = "/mnt/" + guestproto.ControlTag
)

// exitAgentFailed is the status reported when the command could not be run.
const exitAgentFailed = 125

func main() {
	// cmd/erst keeps the live device's lock in /run, which u-root does
	// not make, and refuses the device without its lock.
	_ = os.MkdirAll("/run", 0o755)
	console := openConsole()
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintln(console, guestproto.Marker("error", uptime(), fmt.Sprint("panic: ", r)))
		}
		powerOff(console)
	}()
	// u-root's initramfs has no /run, where erst keeps the live device's
	// lock file (/run/erst.lock), as a Linux system has.
	if err := os.MkdirAll("/run", 0o755); err != nil {
		fmt.Fprintln(console, guestproto.Marker("error", uptime(), err.Error()))
	}
	if port, ok := guestproto.ServePort(kernelCmdline()); ok {
		if err := serve(console, port); err != nil {
			fmt.Fprintln(console, guestproto.Marker("error", uptime(), err.Error()))
		}
		return
	}
	var req *guestproto.Request
	if port, ok := guestproto.ExecPort(kernelCmdline()); ok {
		var err error
		if req, err = awaitRequest(console, port); err != nil {
			fmt.Fprintln(console, guestproto.Marker("error", uptime(), err.Error()))
			return
		}
	}
	if err := run(console, req); err != nil {
		fmt.Fprintln(console, guestproto.Marker("error", uptime(), err.Error()))
	}
}

// run mounts the shares, runs the request (req, or the control share's
// request file when nil) and writes the status. An error means no status
// could be written.
func run(console io.Writer, req *guestproto.Request) error {
	mark := func(stage, detail string) { fmt.Fprintln(console, guestproto.Marker(stage, uptime(), detail)) }
	if req == nil {
		mark(guestproto.StageStart, "")
	}
	if err := mount9p(guestproto.ControlTag, controlDir); err != nil {
		return err
	}
	defer unix.Unmount(controlDir, 0)
	st := runRequest(mark, req)
	if err := writeStatus(st); err != nil {
		return err
	}
	mark(guestproto.StageExited, fmt.Sprintf("status %d", st.Exit))
	return nil
}

// serve runs erst serve on port until it ends: after the host's
// shutdown request, or when it fails.
func serve(console io.Writer, port string) error {
	os.Setenv("PATH", guestPath)
	path, err := exec.LookPath("erst")
	if err != nil {
		return err
	}
	cmd := exec.Command(path, guestproto.ServeArgs(port)...)
	cmd.Args[0] = "erst"
	cmd.Stdout, cmd.Stderr = console, console
	fmt.Fprintln(console, guestproto.Marker(guestproto.StageServe, uptime(), port))
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("erst serve: %w", err)
	}
	fmt.Fprintln(console, guestproto.Marker(guestproto.StageExited, uptime(), "status 0"))
	return nil
}

// guestPath is where u-root's commands are.
const guestPath = "/bbin:/bin:/ubin:/buildbin:/usr/bin:/sbin"

// kernelCmdline is /proc/cmdline, or "" when it cannot be read.
func kernelCmdline() string {
	b, _ := os.ReadFile("/proc/cmdline")
	return string(b)
}

func runRequest(mark func(stage, detail string), req *guestproto.Request) guestproto.Status {
	fail := func(err error) guestproto.Status {
		return guestproto.Status{Exit: exitAgentFailed, Error: err.Error()}
	}
	if err := mount9p(guestproto.WorkTag, workDir); err != nil {
		return fail(err)
	}
	defer unix.Unmount(workDir, 0)
	mark(guestproto.StageMounted, "")
	if req == nil {
		b, err := os.ReadFile(filepath.Join(controlDir, guestproto.RequestFile))
		if err != nil {
			return fail(err)
		}
		req = new(guestproto.Request)
		if err := json.Unmarshal(b, req); err != nil {
			return fail(fmt.Errorf("%s: %w", guestproto.RequestFile, err))
		}
	}
	stdout, err := os.Create(filepath.Join(controlDir, guestproto.StdoutFile))
	if err != nil {
		return fail(err)
	}
	defer stdout.Close()
	stderr, err := os.Create(filepath.Join(controlDir, guestproto.StderrFile))
	if err != nil {
		return fail(err)
	}
	defer stderr.Close()

	os.Setenv("PATH", guestPath)
	path, err := exec.LookPath(req.Command)
	if err != nil {
		return guestproto.Status{Exit: 127, Error: err.Error()}
	}
	cmd := exec.Command(path, req.Args...)
	cmd.Args[0] = req.Command // busybox commands dispatch on argv[0]
	cmd.Dir = workDir
	cmd.Stdout, cmd.Stderr = stdout, stderr
	mark(guestproto.StageRun, strings.Join(append([]string{req.Command}, req.Args...), " "))
	err = cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return guestproto.Status{Exit: 0}
	case errors.As(err, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return guestproto.Status{Exit: 128 + int(ws.Signal()), Error: ws.Signal().String()}
		}
		return guestproto.Status{Exit: ee.ExitCode()}
	}
	return fail(err)
}

// awaitRequest is exec mode's start: it says it is ready on the port and
// returns the request the host sends there, which may come in another
// QEMU, one that resumed this guest from a saved state.
func awaitRequest(console io.Writer, port string) (*guestproto.Request, error) {
	mark := func(stage, detail string) { fmt.Fprintln(console, guestproto.Marker(stage, uptime(), detail)) }
	mark(guestproto.StageStart, "")
	path, err := virtioport.Find(port, virtioport.Wait)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	erst := savePCIHeaders(erstPCIID)
	if _, err := fmt.Fprintln(f, guestproto.ExecReady); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	mark(guestproto.StageWait, port)
	var line []byte
	r := bufio.NewReader(f)
	for {
		b, err := r.ReadBytes('\n')
		line = append(line, b...)
		if err == nil {
			break
		}
		if err != io.EOF {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		// The host side is not connected: a port reads as EOF until it
		// is (after a resume, until QEMU's socket is connected again).
		time.Sleep(100 * time.Millisecond)
	}
	req := new(guestproto.Request)
	if err := json.Unmarshal(line, req); err != nil {
		return nil, fmt.Errorf("the request on %s: %w", port, err)
	}
	if req.Time != 0 {
		ts := unix.NsecToTimespec(req.Time)
		if err := unix.ClockSettime(unix.CLOCK_REALTIME, &ts); err != nil {
			return nil, fmt.Errorf("setting the clock to the host's: %w", err)
		}
	}
	if n, err := restorePCIHeaders(erst); err != nil {
		return nil, err
	} else if n > 0 {
		mark(guestproto.StageRestored, "the acpi-erst device's PCI header, reset in a resumed guest (QEMU does not migrate it)")
	}
	return req, nil
}

// mount9p mounts the virtio-9p share tag at dir. The virtio devices are
// probed when init loads the modules, just before; retry briefly in case
// the transport is not registered yet.
func mount9p(tag, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var err error
	for i := 0; i < 50; i++ {
		err = unix.Mount(tag, dir, "9p", 0, "trans=virtio,version=9p2000.L,msize=262144")
		if err == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("mount 9p share %q at %s: %w (are the 9p modules in the initramfs?)", tag, dir, err)
}

// writeStatus writes the status file and makes sure it reached the host.
func writeStatus(st guestproto.Status) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	path := filepath.Join(controlDir, guestproto.StatusFile)
	f, err := os.Create(path + ".tmp")
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(path+".tmp", path)
}

// openConsole opens the console for progress lines. u-root's init hands
// its children a pipe, not the tty; writing to the tty directly lets
// powerOff drain it.
func openConsole() *os.File {
	f, err := os.OpenFile("/dev/console", os.O_WRONLY|unix.O_NOCTTY, 0)
	if err != nil {
		return os.Stderr
	}
	return f
}

// powerOff drains the console and powers the VM off. Without the drain,
// the last lines still in the UART's buffer are lost.
func powerOff(console *os.File) {
	fmt.Fprintln(console, guestproto.Marker(guestproto.StagePowerOff, uptime(), ""))
	unix.Sync()
	unix.IoctlSetInt(int(console.Fd()), unix.TCSBRK, 1)
	unix.Reboot(unix.LINUX_REBOOT_CMD_POWER_OFF)
	// Only reached when not permitted; let init carry on.
	os.Exit(1)
}

// uptime is the guest's /proc/uptime, for the boot-time measurements in
// the progress lines.
func uptime() float64 {
	b, err := os.ReadFile("/proc/uptime")
	if err != nil {
		return 0
	}
	f, _, _ := strings.Cut(string(b), " ")
	v, _ := strconv.ParseFloat(f, 64)
	return v
}

// erstPCIID is QEMU's acpi-erst device, vendor:device as sysfs shows them
// (PCI_VENDOR_ID_REDHAT, PCI_DEVICE_ID_REDHAT_ACPI_ERST).
const erstPCIID = "0x1b36:0x0012"

// pciHeader is a PCI device's configuration header as the guest found it.
type pciHeader struct {
	config string   // its sysfs config file
	b      [64]byte // the type 0 header
}

// savePCIHeaders reads the configuration header of each PCI device whose
// vendor:device is id.
//
// QEMU's acpi-erst device leaves its PCI state out of its migration state
// (hw/acpi/erst.c's vmstate has the device's registers but no
// VMSTATE_PCI_DEVICE), so in a guest resumed from a saved state its BARs
// and command register are back at their reset values while the guest's
// kernel and its ACPI tables still use the addresses firmware gave them
// at boot: every register access then misses the device. Writing the
// header back, as the firmware programmed it, puts the device where the
// guest expects it.
func savePCIHeaders(id string) []pciHeader {
	var hs []pciHeader
	devs, _ := filepath.Glob("/sys/bus/pci/devices/*")
	for _, d := range devs {
		v, err1 := os.ReadFile(filepath.Join(d, "vendor"))
		dv, err2 := os.ReadFile(filepath.Join(d, "device"))
		if err1 != nil || err2 != nil || strings.TrimSpace(string(v))+":"+strings.TrimSpace(string(dv)) != id {
			continue
		}
		h := pciHeader{config: filepath.Join(d, "config")}
		f, err := os.Open(h.config)
		if err != nil {
			continue
		}
		_, err = io.ReadFull(f, h.b[:])
		f.Close()
		if err == nil {
			hs = append(hs, h)
		}
	}
	return hs
}

// restorePCIHeaders writes back each header that changed since it was
// saved: the BARs first, then the command register that enables them. It
// returns how many it restored.
func restorePCIHeaders(hs []pciHeader) (int, error) {
	n := 0
	for _, h := range hs {
		f, err := os.OpenFile(h.config, os.O_RDWR, 0)
		if err != nil {
			return n, err
		}
		var now [64]byte
		if _, err := io.ReadFull(f, now[:]); err != nil {
			f.Close()
			return n, fmt.Errorf("%s: %w", h.config, err)
		}
		if now == h.b {
			f.Close()
			continue
		}
		const bars, barsEnd, command = 0x10, 0x28, 0x04
		_, err = f.WriteAt(h.b[bars:barsEnd], bars)
		if err == nil {
			_, err = f.WriteAt(h.b[command:command+2], command)
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return n, fmt.Errorf("restoring %s: %w", h.config, err)
		}
		n++
	}
	return n, nil
}
