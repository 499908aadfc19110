package vmtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeTB records what StartT does with its test: its log, its failure,
// its cleanups. Fatalf ends the goroutine, as testing's does.
type fakeTB struct {
	testing.TB
	ctx    context.Context
	dir    string
	mu     sync.Mutex
	log    []string
	failed bool
	clean  []func()
}

func (f *fakeTB) Helper()                  {}
func (f *fakeTB) Context() context.Context { return f.ctx }
func (f *fakeTB) TempDir() string          { return f.dir }
func (f *fakeTB) Cleanup(fn func())        { f.clean = append(f.clean, fn) }
func (f *fakeTB) Logf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log = append(f.log, fmt.Sprintf(format, args...))
}
func (f *fakeTB) Errorf(format string, args ...any) { f.Logf(format, args...); f.failed = true }
func (f *fakeTB) Fatalf(format string, args ...any) { f.Errorf(format, args...); runtime.Goexit() }
func (f *fakeTB) Failed() bool                      { return f.failed }

// startT runs StartT on f and then f's cleanups, as a test's end would.
func (f *fakeTB) startT(o Options) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		StartT(f, o)
	}()
	<-done
	for i := len(f.clean) - 1; i >= 0; i-- {
		f.clean[i]()
	}
}

// fakeQEMU is a QEMU that exits at once, and a kernel and initramfs file
// for it.
func fakeQEMU(t *testing.T) Options {
	dir := t.TempDir()
	script := "#!/bin/sh\nexit 1\n"
	qemu := filepath.Join(dir, "qemu-fake")
	kernel := filepath.Join(dir, "vmlinuz-6.1.0-1-amd64")
	initramfs := filepath.Join(dir, "initramfs.cpio")
	for _, f := range []struct {
		path, text string
		mode       os.FileMode
	}{{qemu, script, 0o755}, {kernel, "kernel", 0o644}, {initramfs, "initramfs", 0o644}} {
		if err := os.WriteFile(f.path, []byte(f.text), f.mode); err != nil {
			t.Fatal(err)
		}
	}
	return Options{QEMU: qemu, Kernel: kernel, Initramfs: initramfs, Boot: true}
}

// A guest that does not boot fails the test, and the log shows the QEMU
// command line, with the store StartT chose in the test's temporary
// directory.
func TestStartTLogsCommandLine(t *testing.T) {
	f := &fakeTB{ctx: context.Background(), dir: t.TempDir()}
	o := fakeQEMU(t)
	f.startT(o)
	if !f.failed {
		t.Fatal("the test did not fail")
	}
	log := strings.Join(f.log, "\n")
	store := filepath.Join(f.dir, DefaultStore)
	if !strings.Contains(log, "QEMU command line: "+o.QEMU) || !strings.Contains(log, "mem-path="+store) {
		t.Errorf("log without the QEMU command line on %s:\n%s", store, log)
	}
}

// StartT's boot ends with the test's context.
func TestStartTUsesTestContext(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	gone := errors.New("the test ended")
	cancel(gone)
	f := &fakeTB{ctx: ctx, dir: t.TempDir()}
	o := fakeQEMU(t)
	o.BootTimeout = time.Hour
	f.startT(o)
	if !f.failed || !strings.Contains(strings.Join(f.log, "\n"), gone.Error()) {
		t.Errorf("boot under a cancelled test context: failed %v, log:\n%s", f.failed, strings.Join(f.log, "\n"))
	}
}
