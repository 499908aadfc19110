//go:build linux

// Command erstlive is the uinit of the bootable ERST check (make image;
// package livecheck): it waits for the stick (the first FAT file system
// holding \erst\erst-live), runs the check's boot 1 or boot 2 there,
// prints the report on the console, and then resets the platform (after
// boot 1, reboot(2) with LINUX_REBOOT_CMD_RESTART: a reset through the
// firmware, not kexec) or powers it off.
//
// Without a stick it still runs, read only (there is nowhere to keep
// notes across a reset), prints the report and powers off.
//
// Kernel command line: erst.live=report-only (livecheck.ReportOnlyParam)
// writes nothing to the store; erst.live.wait=SECONDS bounds the wait for
// the stick (default 60).
package main

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/live"
	"github.com/goerst/erst/images/livecheck"
	"golang.org/x/sys/unix"
)

// stickDir is where the stick is mounted.
const stickDir = "/mnt/stick"

// Console lines the VM tests wait for and people read.
const (
	banner = "erstlive: ERST live check"
	doneAt = "erstlive: next: "
)

func main() {
	_ = os.MkdirAll("/run", 0o755)
	out := consoles()
	act := livecheck.PowerOff
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintln(out, "erstlive: panic:", r)
			act = livecheck.PowerOff
		}
		finish(out, act)
	}()
	fmt.Fprintln(out, banner)
	cmdline := readString("/proc/cmdline")
	env := livecheck.Env{
		Table: func() ([]byte, error) { return acpi.ReadLiveTable(acpi.SignatureERST) },
		Open:  openLive,
		Machine: livecheck.Machine{
			Vendor: dmi("sys_vendor"), Product: dmi("product_name"),
			BoardVendor: dmi("board_vendor"), BoardName: dmi("board_name"),
			FirmwareVendor: dmi("bios_vendor"), FirmwareVersion: dmi("bios_version"), FirmwareDate: dmi("bios_date"),
			Kernel: kernelRelease(), Cmdline: cmdline,
		},
		Seed:       seed(),
		ReportOnly: hasParam(cmdline, livecheck.ReportOnlyParam),
	}
	wait := 60 * time.Second
	if v, ok := param(cmdline, "erst.live.wait"); ok {
		if s, err := strconv.Atoi(v); err == nil && s >= 0 {
			wait = time.Duration(s) * time.Second
		}
	}
	dev, err := findStick(wait)
	if err != nil {
		fmt.Fprintf(out, "erstlive: no stick (%v): running read only, the report goes to the console alone\n", err)
		dir, _ := os.MkdirTemp("", "erstlive-")
		env.ReportOnly = true
		r, _, _ := livecheck.Run(env, dir)
		fmt.Fprint(out, r.Text())
		return
	}
	fmt.Fprintf(out, "erstlive: stick %s mounted on %s\n", dev, stickDir)
	r, next, err := livecheck.Run(env, stickDir)
	fmt.Fprint(out, r.Text())
	if err != nil {
		fmt.Fprintf(out, "erstlive: writing the report on the stick: %v\n", err)
	}
	if uerr := unix.Unmount(stickDir, 0); uerr != nil {
		fmt.Fprintf(out, "erstlive: unmounting the stick: %v\n", uerr)
	}
	act = next
}

// finish syncs, drains the consoles and resets or powers off.
func finish(out io.Writer, act livecheck.Action) {
	fmt.Fprintln(out, doneAt+act.String())
	unix.Sync()
	for _, c := range consoleFiles {
		unix.IoctlSetInt(int(c.Fd()), unix.TCSBRK, 1)
	}
	cmd := unix.LINUX_REBOOT_CMD_POWER_OFF
	if act == livecheck.Reset {
		cmd = unix.LINUX_REBOOT_CMD_RESTART
	}
	if err := unix.Reboot(cmd); err != nil {
		fmt.Fprintf(out, "erstlive: reboot(2): %v\n", err)
	}
	os.Exit(1)
}

var consoleFiles []*os.File

// consoles writes to /dev/console and, when the console is elsewhere, to
// the first serial port too: the summary reaches a screen and a serial
// log alike.
func consoles() io.Writer {
	var ws []io.Writer
	for _, p := range []string{"/dev/console", "/dev/ttyS0"} {
		f, err := os.OpenFile(p, os.O_WRONLY|unix.O_NOCTTY|unix.O_NONBLOCK, 0)
		if err != nil {
			continue
		}
		consoleFiles = append(consoleFiles, f)
		ws = append(ws, f)
		if p == "/dev/console" && consoleIsSerial() {
			break
		}
	}
	if len(ws) == 0 {
		return os.Stderr
	}
	return io.MultiWriter(ws...)
}

// consoleIsSerial reports whether the kernel's last console= is ttyS0,
// so /dev/console already is the serial port.
func consoleIsSerial() bool {
	last := ""
	for _, f := range strings.Fields(readString("/proc/cmdline")) {
		if v, ok := strings.CutPrefix(f, "console="); ok {
			last = v
		}
	}
	return strings.HasPrefix(last, "ttyS0")
}

// openLive opens the live device as erst does, under its lock.
func openLive(t *acpi.ERST) (*erst.Device, func() error, error) {
	d, err := live.Open(func() (*acpi.ERST, error) { return t, nil })
	if err != nil {
		return nil, nil, err
	}
	return d.Device, d.Close, nil
}

// findStick mounts, on stickDir, the first block device holding a FAT
// file system with \erst\erst-live, waiting up to wait for it: USB
// devices appear some seconds after the modules load.
func findStick(wait time.Duration) (string, error) {
	if err := os.MkdirAll(stickDir, 0o755); err != nil {
		return "", err
	}
	deadline := time.Now().Add(wait)
	tried := map[string]bool{}
	for {
		names, _ := os.ReadDir("/sys/class/block")
		for _, n := range names {
			name := n.Name()
			if tried[name] || strings.HasPrefix(name, "loop") || strings.HasPrefix(name, "ram") {
				continue
			}
			dev := "/dev/" + name
			if !isFAT(dev) {
				continue
			}
			tried[name] = true
			if err := unix.Mount(dev, stickDir, "vfat", unix.MS_NOATIME, ""); err != nil {
				continue
			}
			if _, err := os.Stat(filepath.Join(stickDir, livecheck.Dir, livecheck.MarkerFile)); err == nil {
				return dev, nil
			}
			unix.Unmount(stickDir, 0)
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("no FAT file system with \\%s\\%s within %v", livecheck.Dir, livecheck.MarkerFile, wait)
		}
		time.Sleep(250 * time.Millisecond) // polling for hot-plugged devices; no event to wait on in u-root
	}
}

// isFAT reports whether dev starts with a FAT boot sector (0x55AA and a
// FAT file system type string).
func isFAT(dev string) bool {
	f, err := os.Open(dev)
	if err != nil {
		return false
	}
	defer f.Close()
	b := make([]byte, 512)
	if _, err := io.ReadFull(f, b); err != nil {
		return false
	}
	if b[510] != 0x55 || b[511] != 0xAA {
		return false
	}
	return strings.HasPrefix(string(b[0x52:0x5A]), "FAT32") || strings.HasPrefix(string(b[0x36:0x3E]), "FAT")
}

// seed derives the seeded records' seed from the boot: the kernel's
// random boot id and the clock.
func seed() uint64 {
	h := sha256.Sum256([]byte(readString("/proc/sys/kernel/random/boot_id") + time.Now().String()))
	return binary.LittleEndian.Uint64(h[:8])
}

func dmi(name string) string { return readString("/sys/class/dmi/id/" + name) }

func kernelRelease() string {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return ""
	}
	return unix.ByteSliceToString(u.Release[:])
}

func readString(path string) string {
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return ""
	}
	return strings.TrimSpace(string(b))
}

func hasParam(cmdline, p string) bool {
	for _, f := range strings.Fields(cmdline) {
		if f == p {
			return true
		}
	}
	return false
}

func param(cmdline, name string) (string, bool) {
	for _, f := range strings.Fields(cmdline) {
		if v, ok := strings.CutPrefix(f, name+"="); ok {
			return v, true
		}
	}
	return "", false
}
