package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/goerst/erst/images/guestproto"
	"github.com/goerst/erst/internal/vm"
)

// -crash: a guest whose kernel owns the device (-linux-erst) dies, and
// records its death in ERST as Linux does on a real machine: the machine
// check (Linux's MCE section) and pstore's panic log (DMESG_Z records).

// exitNoCrash is erstvm -crash's status when the guest did not panic.
const exitNoCrash = 1

// crash is a parsed -crash value.
type crash struct {
	mce                bool // a machine check; else sysrq c
	bank               int
	status, addr, misc uint64
	mcgStatus          uint64
}

// defaultMCE is -crash mce's machine check: bank 1, MCi_STATUS VAL|UC|EN|
// MISCV|ADDRV|PCC with an internal timer error (a fatal one), MCG_STATUS
// RIPV|MCIP, MCi_ADDR 0x1234000 with MCi_MISC's least significant valid
// address bit 6 (0x86: bits 5:0 = 6).
var defaultMCE = crash{mce: true, bank: 1, status: 0xbe00000000800400, addr: 0x1234000, misc: 0x86, mcgStatus: 0x5}

// parseCrash reads "panic", "mce" or "mce=BANK:STATUS:ADDR:MISC" (numbers
// in Go's syntax: 0x for hex).
func parseCrash(s string) (crash, error) {
	if s == "panic" {
		return crash{}, nil
	}
	spec, ok := strings.CutPrefix(s, "mce")
	if !ok || spec != "" && spec[0] != '=' {
		return crash{}, fmt.Errorf("-crash %q: want panic, mce or mce=BANK:STATUS:ADDR:MISC", s)
	}
	c := defaultMCE
	if spec == "" {
		return c, nil
	}
	f := strings.Split(spec[1:], ":")
	if len(f) != 4 {
		return crash{}, fmt.Errorf("-crash %q: want mce=BANK:STATUS:ADDR:MISC, 4 numbers", s)
	}
	var n [4]uint64
	for i, v := range f {
		var err error
		if n[i], err = strconv.ParseUint(v, 0, 64); err != nil {
			return crash{}, fmt.Errorf("-crash %q: %q: %w", s, v, errors.Unwrap(err))
		}
	}
	if n[0] > 255 {
		return crash{}, fmt.Errorf("-crash %q: bank %d: want 0-255 (QEMU's default CPU has 10)", s, n[0])
	}
	c.bank, c.status, c.addr, c.misc = int(n[0]), n[1], n[2], n[3]
	return c, nil
}

// runCrash boots a -linux-erst guest, crashes it as cr says and waits for
// QEMU to exit. Exit status 0 when the kernel panicked (the expected
// end; its panic line goes to stdout), exitNoCrash when QEMU ended
// without a panic, exitTimeout and exitVM as for a command.
func runCrash(ctx context.Context, o *options, stdout, stderr io.Writer) int {
	cr := *o.crash
	fail := func(err error) int {
		fmt.Fprintf(stderr, "erstvm: %v\n", err)
		return exitVM
	}
	wd, err := os.Getwd()
	if err != nil {
		return fail(err)
	}
	logf := func(format string, args ...any) { fmt.Fprintf(stderr, "erstvm: "+format+"\n", args...) }
	c, err := vm.NewConfig(vm.Setup{
		QEMU: o.qemu, Machine: o.machine, Accel: o.accel, Memory: o.memory,
		Store: o.store, StoreSize: o.storeSize, RecordSize: o.recordSize,
		Kernel: o.kernel, Initramfs: o.initramfs, Source: o.src,
		Cmdline: vm.KernelCmdline(true, vm.PanicCmdline, o.appendArgs),
		Logf:    logf,
	})
	if errors.Is(err, vm.ErrImages) {
		return fail(fmt.Errorf("%w: pass -initramfs or -src", err))
	}
	if err != nil {
		return fail(err)
	}
	c.Monitor = true
	controlDir, err := os.MkdirTemp("", "erstvm-")
	if err != nil {
		return fail(err)
	}
	defer os.RemoveAll(controlDir)
	c.Shares = []vm.Share{{Dir: wd, Tag: guestproto.WorkTag}, {Dir: controlDir, Tag: guestproto.ControlTag}}
	c.ExecMode(controlDir)
	if o.verbose {
		echo(c, stderr)
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	v, conn, err := vm.BootExec(ctx, ctx, c)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			fmt.Fprintf(stderr, "erstvm: the guest did not come up within %v (%v)\n", o.timeout, err)
			return exitTimeout
		}
		return fail(err)
	}
	defer conn.Close()
	if cr.mce {
		if err := v.InjectMCE(0, cr.bank, cr.status, cr.mcgStatus, cr.addr, cr.misc); err != nil {
			v.Kill()
			v.Wait()
			return fail(err)
		}
		fmt.Fprintf(stderr, "erstvm: injected a machine check: cpu 0, bank %d, MCi_STATUS %#x, MCi_ADDR %#x, MCi_MISC %#x\n", cr.bank, cr.status, cr.addr, cr.misc)
	} else {
		if err := vm.SendRequest(conn, vm.SysrqCrash); err != nil {
			v.Kill()
			v.Wait()
			return fail(fmt.Errorf("sending sysrq c to the guest: %w", err))
		}
		fmt.Fprintln(stderr, "erstvm: sent the guest sysrq c (echo c >/proc/sysrq-trigger)")
	}
	waitErr := v.Wait()
	if o.verbose {
		fmt.Fprintf(stderr, "erstvm: wall %.2fs; reached %s\n", v.Wall().Seconds(), v.Serial.Timings())
	}
	if msg := v.Serial.Panic(); msg != "" {
		fmt.Fprintf(stdout, "Kernel panic - not syncing: %s\n", msg)
		return 0
	}
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		fmt.Fprintf(stderr, "erstvm: the guest did not panic within %v: it is %s\n", o.timeout, v.Serial.Where())
		v.Serial.PrintTail(stderr, "erstvm: ")
		return exitTimeout
	case ctx.Err() != nil:
		fmt.Fprintf(stderr, "erstvm: interrupted %s\n", v.Serial.Where())
		return exitVM
	}
	fmt.Fprintf(stderr, "erstvm: QEMU exited (%v) without a kernel panic; it stopped %s\n", waitErr, v.Serial.Where())
	v.Serial.PrintTail(stderr, "erstvm: ")
	return exitNoCrash
}
