package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/goerst/erst/images/guestproto"
	"github.com/goerst/erst/internal/vm"
)

// runVM boots the guest, runs the command and returns its exit status.
func runVM(ctx context.Context, o *options, stdout, stderr io.Writer) int {
	fail := func(err error) int {
		fmt.Fprintf(stderr, "erstvm: %v\n", err)
		return exitVM
	}
	c, controlDir, resume, err := prepare(o, stderr)
	if err != nil {
		return fail(err)
	}
	defer os.RemoveAll(controlDir)
	if o.verbose {
		echo(c, stderr)
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	var v *vm.VM
	if resume != "" {
		logf := func(string, ...any) {}
		if o.verbose {
			logf = func(format string, args ...any) { fmt.Fprintf(stderr, "erstvm: "+format+"\n", args...) }
		}
		cached := o.resume == ""
		var conn net.Conn
		v, conn, err = vm.StartSaved(ctx, c, vm.Saved{Path: resume, Cache: cached, Life: ctx, Logf: logf})
		if err != nil {
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				fmt.Fprintf(stderr, "erstvm: the guest did not finish within %v: it was still booting to be saved, or resuming (%v)\n", o.timeout, err)
				return exitTimeout
			}
			if !cached {
				err = fmt.Errorf("-resume: %w", err)
			}
			return fail(err)
		}
		defer conn.Close()
		if err := vm.SendRequest(conn, guestproto.Request{Command: o.command, Args: o.args}); err != nil {
			v.Kill()
			return fail(fmt.Errorf("sending the request to the resumed guest: %w", err))
		}
	} else if v, err = vm.Start(ctx, c); err != nil {
		return fail(err)
	}
	var wg sync.WaitGroup
	outs := []*tailer{
		{path: filepath.Join(controlDir, guestproto.StdoutFile), w: stdout},
		{path: filepath.Join(controlDir, guestproto.StderrFile), w: stderr},
	}
	for _, t := range outs {
		wg.Add(1)
		go func() { defer wg.Done(); t.follow(v.Done()) }()
	}
	waitErr := v.Wait()
	wg.Wait()
	if o.verbose {
		fmt.Fprintf(stderr, "erstvm: wall %.2fs; reached %s\n", v.Wall().Seconds(), v.Serial.Timings())
	}

	st, stErr := readStatus(filepath.Join(controlDir, guestproto.StatusFile))
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		fmt.Fprintf(stderr, "erstvm: the guest did not finish within %v: it hung %s\n", o.timeout, v.Serial.Where())
		v.Serial.PrintTail(stderr, "erstvm: ")
		return exitTimeout
	case ctx.Err() != nil:
		fmt.Fprintf(stderr, "erstvm: interrupted %s\n", v.Serial.Where())
		return exitVM
	case stErr != nil:
		fmt.Fprintf(stderr, "erstvm: no exit status from the guest (%v); QEMU: %v; it stopped %s\n", stErr, waitErr, v.Serial.Where())
		v.Serial.PrintTail(stderr, "erstvm: ")
		return exitVM
	}
	if st.Error != "" {
		fmt.Fprintf(stderr, "erstvm: guest: %s\n", st.Error)
	}
	return st.Exit
}

// prepare resolves the kernel and initramfs, checks the store and writes
// the request into a new control directory, which the caller removes.
// resume is the saved guest to run the command in: -resume's file, or the
// cached one for c unless -boot or -linux-erst; empty for a boot.
func prepare(o *options, stderr io.Writer) (c *vm.Config, controlDir, resume string, err error) {
	wd, err := os.Getwd()
	if err != nil {
		return nil, "", "", err
	}
	c, err = vm.NewConfig(vm.Setup{
		QEMU: o.qemu, Machine: o.machine, Accel: o.accel, Memory: o.memory,
		Store: o.store, StoreSize: o.storeSize, RecordSize: o.recordSize,
		Kernel: o.kernel, Initramfs: o.initramfs, Source: o.src, Firmware: o.firmware,
		Cmdline: vm.KernelCmdline(o.linuxERST, o.appendArgs),
		Logf:    func(format string, args ...any) { fmt.Fprintf(stderr, "erstvm: "+format+"\n", args...) },
	})
	if errors.Is(err, vm.ErrImages) {
		return nil, "", "", fmt.Errorf("%w: pass -initramfs or -src", err)
	}
	if err != nil {
		return nil, "", "", err
	}
	if controlDir, err = os.MkdirTemp("", "erstvm-"); err != nil {
		return nil, "", "", err
	}
	c.Shares = []vm.Share{{Dir: wd, Tag: guestproto.WorkTag}, {Dir: controlDir, Tag: guestproto.ControlTag}}
	// The kernel's own ERST driver (-linux-erst) reads the store while it
	// boots, so its guest always boots.
	if o.resume != "" || !o.boot && !o.linuxERST {
		// Exec mode: the request comes over a port, in the QEMU that
		// resumes the guest; the shares are mounted only then.
		c.ExecMode(controlDir)
		resume = o.resume
		if resume == "" {
			dir, err := resumeCacheDir()
			if err == nil {
				resume, err = vm.SavedGuestPath(c, dir)
			}
			if err != nil {
				os.RemoveAll(controlDir)
				return nil, "", "", err
			}
		}
		return c, controlDir, resume, nil
	}
	req, err := json.Marshal(guestproto.Request{Command: o.command, Args: o.args})
	if err == nil {
		err = os.WriteFile(filepath.Join(controlDir, guestproto.RequestFile), req, 0o644)
	}
	if err != nil {
		os.RemoveAll(controlDir)
		return nil, "", "", err
	}
	return c, controlDir, "", nil
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

// echo is -v: the guest's console on stderr, after QEMU's command line.
func echo(c *vm.Config, stderr io.Writer) {
	c.Echo = stderr
	if args, err := c.Args(); err == nil {
		fmt.Fprintf(stderr, "erstvm: %s\n", vm.ShellQuote(args))
	}
}
