// Command erstvm runs the erst command inside a QEMU guest that has an
// ACPI ERST device (QEMU's acpi-erst) whose record store is a file on the
// host:
//
//	erstvm [flags] -- <erst arguments>
//	erstvm -- table -json
//	erstvm -store test.backing -store-size 1M -- write rec.bin
//
// The guest boots the host's Debian kernel with a u-root initramfs (built
// on first use from the erst module, which it only reads, and cached; see
// package images). The
// current directory is shared with the guest over virtio-9p and is the
// guest command's working directory, so file arguments work on host files.
// The guest command's standard output and error reach erstvm's own,
// separately and unchanged (they travel as files in a second, private 9p
// share), and erstvm exits with the guest command's exit status. The
// guest sees only the current directory (as its working directory; files
// it creates there belong to the user running erstvm), and its standard
// input is empty: pass data as files. -run runs another command of the
// initramfs instead of erst (cat, dmesg, ls, hexdump, io, pci, ...).
//
// By default the kernel boots with erst_disable, so that the device is
// erst's alone; -linux-erst leaves it to the kernel's ERST driver and
// pstore. -v prints the serial console and the time each boot stage was
// reached. KVM (-accel kvm) is for real hosts; the default is TCG.
//
// -firmware chooses the guest's firmware: seabios (QEMU's default), ovmf
// (UEFI, Debian's ovmf package) or a firmware image file for QEMU's
// -bios. Under any but SeaBIOS the guest boots the compressed kernel (its
// EFI stub), which OVMF can load; SeaBIOS keeps the faster direct boot of
// the uncompressed kernel. Each firmware has its own saved guest.
//
// The guest does not boot every time. erstvm boots it once, saves it
// once it waits for its command (QEMU migration into a file in the
// cache), and later runs resume
// that saved guest: about 1 s for `erstvm -- info` under TCG, against
// 4-6 s with a boot. The store is not in the saved state, so every run
// sees the store as the file holds it. A change of kernel, initramfs,
// QEMU, machine, memory, kernel arguments or store size means another
// saved guest, booted and saved on first use; those of a kernel,
// initramfs or QEMU that changed are removed. -boot boots anyway;
// -linux-erst always boots (the kernel's driver reads the store while it
// boots). -resume FILE keeps the saved guest in FILE instead (FILE.json
// says what it was saved for; erstvm will not replace a FILE it did not
// write).
//
// -linux-erst -crash crashes the guest instead of running a command, and
// the kernel records the crash in ERST as on a real machine: -crash mce
// injects a fatal machine check (QEMU's monitor command mce; default bank
// 1, MCi_STATUS 0xbe00000000800400, MCi_ADDR 0x1234000, MCi_MISC 0x86, or
// mce=BANK:STATUS:ADDR:MISC), and Linux writes its MCE record and panics;
// -crash panic makes the kernel panic (sysrq c). pstore writes the panic's
// log (DMESG_Z records), and the guest, booted with panic=-1, ends QEMU.
// A later run without -linux-erst, or erst -store on the host, reads the
// records. Exit status: 0 when the kernel panicked, the expected end
// (its panic line goes to stdout); 1 when QEMU exited without a panic;
// 124 and 125 as below.
//
// Everything erstvm builds or saves (the initramfs, the uncompressed
// kernel, the saved guests) lives in erst's cache: $ERST_CACHE, else
// os.UserCacheDir()/erst (~/.cache/erst), each kind pruned to its newest
// few; it never writes into the erst source tree or module directory, so
// `go run github.com/goerst/erst/cmd/erstvm@latest` works from Go's
// read-only module cache. `rm -rf ~/.cache/erst` (or $ERST_CACHE) clears
// it; the next run builds again. erstvm -h prints the directory.
//
// It is a thin command over package internal/vm, which boots the guest
// with github.com/hugelgupf/vmtest's qemu package.
//
// Exit status: that of the guest command; 124 when the guest did not
// finish within -timeout (erstvm then says where it hung); 125 when
// erstvm or the VM failed before the command could report a status.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/goerst/erst/erst/store"
	"github.com/goerst/erst/internal/cachedir"
	"github.com/goerst/erst/internal/size"
	"github.com/goerst/erst/internal/vm"
)

// Exit codes of erstvm's own failures (as timeout(1) and docker run use
// them).
const (
	exitTimeout = 124
	exitVM      = 125
	exitUsage   = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// options are erstvm's flags.
type options struct {
	store      string
	storeSize  uint64 // 0: the existing file's size, or store.DefaultSize
	recordSize uint64
	machine    string
	firmware   vm.Firmware
	accel      string
	kernel     string
	initramfs  string
	src        string
	qemu       string
	memory     string
	appendArgs string
	timeout    time.Duration
	linuxERST  bool
	verbose    bool
	command    string
	args       []string
	resume     string
	boot       bool
	crash      *crash // -crash; nil without
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("erstvm", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: erstvm [flags] -- <erst arguments>\n\n"+
			"Runs erst in a QEMU guest with an ACPI ERST device backed by -store.\n"+
			"The current directory is the guest command's working directory.\n"+
			"The guest boots once and is saved; later runs resume it (a second\n"+
			"instead of a boot under TCG), on the store as it is: -boot boots anyway.\n"+
			"The initramfs, the uncompressed kernel and the saved guests are cached in\n"+
			"%s (%s, else the user cache directory's erst);\n"+
			"remove it to clear them.\n\nflags:\n", cacheRoot(), cachedir.Env)
		fs.PrintDefaults()
	}
	storeSize := (*size.Flag)(&o.storeSize)
	recordSize := (*size.Flag)(&o.recordSize)
	o.recordSize = store.DefaultRecordSize
	fs.StringVar(&o.store, "store", "erst.backing", "record store backing `file` (QEMU's format; QEMU creates and formats it when missing)")
	fs.Var(storeSize, "store-size", "`size` of the store (K/M/G suffixes; default: the existing file's size, else 64K as erst -store-size)")
	fs.Var(recordSize, "record-size", "record slot `size` of a new store (a power of two >= 4096; QEMU's record_size)")
	fs.StringVar(&o.machine, "machine", "q35", "QEMU machine: q35 or pc")
	firmware := fs.String("firmware", vm.SeaBIOS, "guest firmware: seabios, ovmf (UEFI, Debian's ovmf package) or an image `file` for QEMU's -bios; any but seabios boots the compressed kernel")
	fs.StringVar(&o.accel, "accel", "tcg", "QEMU accelerator: tcg or kvm")
	fs.StringVar(&o.kernel, "kernel", "", "guest kernel `image` (default: the newest /boot/vmlinuz-*-amd64)")
	fs.StringVar(&o.initramfs, "initramfs", "", "guest initramfs `file` (default: build one, or reuse the cached one, from the erst source)")
	fs.StringVar(&o.src, "src", "", "erst source `dir` to build the initramfs from (default: found from the current directory)")
	fs.StringVar(&o.qemu, "qemu", vm.DefaultQEMU, "QEMU `binary`")
	fs.StringVar(&o.memory, "m", vm.DefaultMemory, "guest memory (QEMU -m)")
	fs.StringVar(&o.appendArgs, "append", "", "extra kernel command-line `args`")
	fs.DurationVar(&o.timeout, "timeout", 3*time.Minute, "kill the guest after this long")
	fs.BoolVar(&o.linuxERST, "linux-erst", false, "boot without erst_disable: the Linux kernel's ERST driver and pstore own the device")
	fs.BoolVar(&o.verbose, "v", false, "print the guest's serial console and boot timings to stderr")
	fs.StringVar(&o.command, "run", "erst", "guest `command` to run instead of erst (any command in the initramfs, e.g. cat or dmesg)")
	fs.BoolVar(&o.boot, "boot", false, "boot the guest, instead of resuming the booted one erstvm saved (in the cache, see below)")
	fs.StringVar(&o.resume, "resume", "", "resume the booted guest saved in `file` instead of booting; boot and save it there first when missing or saved for another kernel, initramfs, QEMU or machine")
	crashSpec := fs.String("crash", "", "with -linux-erst, crash the guest instead of running a command: `mce[=BANK:STATUS:ADDR:MISC]` injects a machine check (default a fatal one, 1:0xbe00000000800400:0x1234000:0x86), panic is sysrq c; exit status 0 when the kernel panicked")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	o.args = fs.Args()
	switch o.machine {
	case "q35", "pc":
	default:
		return nil, fmt.Errorf("-machine %q: want q35 or pc", o.machine)
	}
	fw, err := vm.ParseFirmware(*firmware)
	if err != nil {
		return nil, fmt.Errorf("-%w", err)
	}
	o.firmware = fw
	switch o.accel {
	case "tcg", "kvm":
	default:
		return nil, fmt.Errorf("-accel %q: want tcg or kvm", o.accel)
	}
	if err := store.CheckRecordSize(o.recordSize); err != nil {
		return nil, fmt.Errorf("-record-size: %w", err)
	}
	if o.command == "" || strings.ContainsRune(o.command, '/') {
		return nil, fmt.Errorf("-run %q: want the name of a command in the initramfs", o.command)
	}
	if o.timeout <= 0 {
		return nil, fmt.Errorf("-timeout %v: want a positive duration", o.timeout)
	}
	switch {
	case o.resume != "" && o.boot:
		return nil, errors.New("-resume and -boot: resume a saved guest, or boot one, not both")
	case o.resume != "" && o.linuxERST:
		return nil, errors.New("-resume and -linux-erst: Linux's ERST driver reads the store while the guest boots, so that guest must boot")
	}
	if *crashSpec != "" {
		cr, err := parseCrash(*crashSpec)
		switch {
		case err != nil:
			return nil, err
		case !o.linuxERST:
			return nil, errors.New("-crash needs -linux-erst: only the kernel's own ERST driver records the crash")
		case len(o.args) > 0 || o.command != "erst":
			return nil, errors.New("-crash runs no command: drop -run and the arguments after --")
		}
		o.crash = &cr
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		if !strings.HasPrefix(err.Error(), "flag provided but not defined") {
			fmt.Fprintf(stderr, "erstvm: %v\n", err)
		}
		return exitUsage
	}
	if o.crash != nil {
		return runCrash(ctx, o, stdout, stderr)
	}
	return runVM(ctx, o, stdout, stderr)
}
