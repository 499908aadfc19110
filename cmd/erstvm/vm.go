package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/goerst/erst/images"
	"github.com/goerst/erst/images/guestproto"
)

// vmConfig is everything one boot needs, resolved from the options.
type vmConfig struct {
	qemu       string
	machine    string
	accel      string
	memory     string
	kernel     string
	initramfs  string
	cmdline    string
	store      string // absolute
	storeSize  uint64
	recordSize uint64
	workDir    string // shared as guestproto.WorkTag
	controlDir string // shared as guestproto.ControlTag
}

// qemuArgs is the QEMU command line for c (without the binary).
func (c *vmConfig) qemuArgs() []string {
	return []string{
		"-machine", c.machine, "-accel", c.accel, "-m", c.memory, "-smp", "1",
		"-display", "none", "-monitor", "none", "-serial", "stdio",
		"-no-reboot", "-nic", "none",
		"-kernel", c.kernel, "-initrd", c.initramfs, "-append", c.cmdline,
		"-object", fmt.Sprintf("memory-backend-file,id=erstnvram,mem-path=%s,size=%d,share=on", qemuOptValue(c.store), c.storeSize),
		"-device", fmt.Sprintf("acpi-erst,memdev=erstnvram,record_size=%d", c.recordSize),
		"-fsdev", fmt.Sprintf("local,id=erstwd,path=%s,security_model=none", qemuOptValue(c.workDir)),
		"-device", "virtio-9p-pci,fsdev=erstwd,mount_tag=" + guestproto.WorkTag,
		"-fsdev", fmt.Sprintf("local,id=erstctl,path=%s,security_model=none", qemuOptValue(c.controlDir)),
		"-device", "virtio-9p-pci,fsdev=erstctl,mount_tag=" + guestproto.ControlTag,
	}
}

// qemuOptValue escapes a value inside a QEMU option list, where a comma
// is written as two.
func qemuOptValue(s string) string { return strings.ReplaceAll(s, ",", ",,") }

// kernelCmdline is the guest kernel's command line: the serial console,
// and erst_disable unless the kernel's own ERST driver is wanted.
func kernelCmdline(linuxERST bool, extra string) string {
	args := []string{"console=ttyS0"}
	if !linuxERST {
		args = append(args, "erst_disable")
	}
	if extra = strings.TrimSpace(extra); extra != "" {
		args = append(args, extra)
	}
	return strings.Join(args, " ")
}

// storeSize checks the store file and returns the size to give QEMU: the
// file's own size when it exists and -store-size was not given.
func storeSize(path string, flagSize, recordSize uint64) (uint64, error) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if flagSize == 0 {
			flagSize = defaultStoreSize
		}
	case err != nil:
		return 0, err
	case !fi.Mode().IsRegular():
		return 0, fmt.Errorf("-store %s is not a regular file", path)
	case flagSize == 0:
		flagSize = uint64(fi.Size())
	case uint64(fi.Size()) != flagSize:
		return 0, fmt.Errorf("-store-size %d differs from the size of the existing %s (%d bytes)", flagSize, path, fi.Size())
	}
	switch {
	case flagSize%recordSize != 0:
		return 0, fmt.Errorf("store size %d is not a multiple of the record size %d", flagSize, recordSize)
	case flagSize < 2*recordSize:
		return 0, fmt.Errorf("store size %d leaves no room for a record: want at least twice the record size %d", flagSize, recordSize)
	case flagSize >= 1<<32:
		return 0, fmt.Errorf("store size %d: QEMU's acpi-erst wants less than 4 GiB", flagSize)
	}
	return flagSize, nil
}

// runVM boots the guest, runs the command and returns its exit status.
func runVM(ctx context.Context, o *options, stdout, stderr io.Writer) int {
	fail := func(err error) int {
		fmt.Fprintf(stderr, "erstvm: %v\n", err)
		return exitVM
	}
	c, cleanup, err := prepare(o, stderr)
	if err != nil {
		return fail(err)
	}
	defer cleanup()
	if _, err := exec.LookPath(c.qemu); err != nil {
		return fail(fmt.Errorf("%w (install qemu-system-x86: make -f mk/vm.mk deps)", err))
	}

	var echo io.Writer
	if o.verbose {
		echo = stderr
		fmt.Fprintf(stderr, "erstvm: %s %s\n", c.qemu, shellQuote(c.qemuArgs()))
	}
	serial := newSerialLog(30, echo)
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.qemu, c.qemuArgs()...)
	cmd.WaitDelay = 5 * time.Second
	var qemuErr bytes.Buffer
	cmd.Stderr = &qemuErr
	console, err := cmd.StdoutPipe()
	if err != nil {
		return fail(err)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return fail(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); serial.follow(console) }()
	done := make(chan struct{})
	outs := []*tailer{
		{path: filepath.Join(c.controlDir, guestproto.StdoutFile), w: stdout},
		{path: filepath.Join(c.controlDir, guestproto.StderrFile), w: stderr},
	}
	for _, t := range outs {
		wg.Add(1)
		go func() { defer wg.Done(); t.follow(done) }()
	}
	waitErr := cmd.Wait()
	close(done)
	wg.Wait()
	elapsed := time.Since(start)
	if o.verbose {
		fmt.Fprintf(stderr, "erstvm: wall %.2fs; reached %s\n", elapsed.Seconds(), serial.timings())
	}

	st, stErr := readStatus(filepath.Join(c.controlDir, guestproto.StatusFile))
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		fmt.Fprintf(stderr, "erstvm: the guest did not finish within %v: it hung %s\n", o.timeout, serial.where())
		printTail(stderr, serial)
		return exitTimeout
	case ctx.Err() != nil:
		fmt.Fprintf(stderr, "erstvm: interrupted %s\n", serial.where())
		return exitVM
	case stErr != nil:
		fmt.Fprintf(stderr, "erstvm: no exit status from the guest (%v); QEMU: %v; it stopped %s\n", stErr, waitErr, serial.where())
		if s := strings.TrimSpace(qemuErr.String()); s != "" {
			fmt.Fprintf(stderr, "erstvm: QEMU said:\n%s\n", s)
		}
		printTail(stderr, serial)
		return exitVM
	}
	if o.verbose {
		if s := strings.TrimSpace(qemuErr.String()); s != "" {
			fmt.Fprintf(stderr, "erstvm: QEMU said:\n%s\n", s)
		}
	}
	if st.Error != "" {
		fmt.Fprintf(stderr, "erstvm: guest: %s\n", st.Error)
	}
	return st.Exit
}

// prepare resolves the kernel and initramfs, checks the store and writes
// the request into a new control directory. cleanup removes it.
func prepare(o *options, stderr io.Writer) (c *vmConfig, cleanup func(), err error) {
	wd, err := os.Getwd()
	if err != nil {
		return nil, nil, err
	}
	c = &vmConfig{
		qemu: o.qemu, machine: o.machine, accel: o.accel, memory: o.memory,
		cmdline: kernelCmdline(o.linuxERST, o.appendArgs), recordSize: o.recordSize, workDir: wd,
	}
	c.store, err = filepath.Abs(o.store)
	if err != nil {
		return nil, nil, err
	}
	if c.storeSize, err = storeSize(c.store, o.storeSize, o.recordSize); err != nil {
		return nil, nil, err
	}
	k, err := images.KernelFor(o.kernel)
	if err != nil {
		return nil, nil, err
	}
	c.kernel = k.Path
	c.initramfs = o.initramfs
	if c.initramfs == "" {
		src := o.src
		if src == "" {
			if src, err = images.FindSource(wd); err != nil {
				return nil, nil, fmt.Errorf("%w: pass -initramfs or -src", err)
			}
		}
		logf := func(format string, args ...any) { fmt.Fprintf(stderr, "erstvm: "+format+"\n", args...) }
		if c.initramfs, _, err = images.Build(images.Config{Source: src, Kernel: k, Logf: logf}); err != nil {
			return nil, nil, fmt.Errorf("%w (or pass -initramfs FILE, e.g. from make initramfs)", err)
		}
	}
	if c.controlDir, err = os.MkdirTemp("", "erstvm-"); err != nil {
		return nil, nil, err
	}
	cleanup = func() { os.RemoveAll(c.controlDir) }
	req, err := json.Marshal(guestproto.Request{Command: o.command, Args: o.args})
	if err == nil {
		err = os.WriteFile(filepath.Join(c.controlDir, guestproto.RequestFile), req, 0o644)
	}
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	return c, cleanup, nil
}

func readStatus(path string) (guestproto.Status, error) {
	var st guestproto.Status
	b, err := os.ReadFile(path)
	if err != nil {
		return st, err
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return st, fmt.Errorf("%s: %w", path, err)
	}
	return st, nil
}

func printTail(w io.Writer, s *serialLog) {
	lines := s.tail()
	if len(lines) == 0 {
		return
	}
	fmt.Fprintf(w, "erstvm: last serial console lines:\n")
	for _, l := range lines {
		fmt.Fprintf(w, "  | %s\n", l)
	}
}

// tailer copies what the guest appends to a file in the control share to
// w while the guest runs, and the rest once it has stopped. The guest
// writes through 9p without caching, so the bytes arrive as the command
// writes them.
type tailer struct {
	path string
	w    io.Writer
	off  int64
}

const tailPoll = 50 * time.Millisecond

func (t *tailer) follow(done <-chan struct{}) {
	tick := time.NewTicker(tailPoll)
	defer tick.Stop()
	for {
		select {
		case <-done:
			t.copy()
			return
		case <-tick.C:
			t.copy()
		}
	}
}

func (t *tailer) copy() {
	f, err := os.Open(t.path)
	if err != nil {
		return
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() < t.off {
		t.off = 0 // recreated
	}
	n, _ := io.Copy(t.w, io.NewSectionReader(f, t.off, 1<<62))
	t.off += n
}

// shellQuote quotes args for a command line a person can paste.
func shellQuote(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\n'\"$\\*?;&|<>()") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		q[i] = a
	}
	return strings.Join(q, " ")
}
