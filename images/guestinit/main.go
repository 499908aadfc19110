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
//
// It always powers off, also when something fails, so that the host never
// waits for a timeout after a failure it could have been told about.
package main

import (
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
	if err := run(console); err != nil {
		fmt.Fprintln(console, guestproto.Marker("error", uptime(), err.Error()))
	}
}

// run mounts the shares, runs the request and writes the status. An error
// means no status could be written.
func run(console io.Writer) error {
	mark := func(stage, detail string) { fmt.Fprintln(console, guestproto.Marker(stage, uptime(), detail)) }
	mark(guestproto.StageStart, "")
	if err := mount9p(guestproto.ControlTag, controlDir); err != nil {
		return err
	}
	defer unix.Unmount(controlDir, 0)
	st := runRequest(mark)
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

func runRequest(mark func(stage, detail string)) guestproto.Status {
	fail := func(err error) guestproto.Status {
		return guestproto.Status{Exit: exitAgentFailed, Error: err.Error()}
	}
	if err := mount9p(guestproto.WorkTag, workDir); err != nil {
		return fail(err)
	}
	defer unix.Unmount(workDir, 0)
	mark(guestproto.StageMounted, "")
	b, err := os.ReadFile(filepath.Join(controlDir, guestproto.RequestFile))
	if err != nil {
		return fail(err)
	}
	var req guestproto.Request
	if err := json.Unmarshal(b, &req); err != nil {
		return fail(fmt.Errorf("%s: %w", guestproto.RequestFile, err))
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
