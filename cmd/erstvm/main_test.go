package main

import (
	"bytes"
	"context"
	"github.com/goerst/erst/internal/size"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goerst/erst/images/guestproto"
)

func TestParseFlags(t *testing.T) {
	o, err := parseFlags([]string{"-machine", "pc", "-store-size", "2M", "-record-size", "16K", "-timeout", "1m", "--", "read", "-o", "out.bin", "0x5"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if o.machine != "pc" || o.storeSize != 2<<20 || o.recordSize != 16<<10 || o.timeout != time.Minute || o.accel != "tcg" || o.command != "erst" || o.store != "erst.backing" {
		t.Errorf("options = %+v", o)
	}
	if want := []string{"read", "-o", "out.bin", "0x5"}; !reflect.DeepEqual(o.args, want) {
		t.Errorf("args = %q, want %q", o.args, want)
	}
}

func TestParseFlagsErrors(t *testing.T) {
	for _, args := range [][]string{
		{"-machine", "virt"},
		{"-accel", "hvf"},
		{"-record-size", "6000"},
		{"-record-size", "2048"},
		{"-store-size", "12Q"},
		{"-run", "/bin/sh"},
		{"-timeout", "0s"},
	} {
		if _, err := parseFlags(args, &bytes.Buffer{}); err == nil {
			t.Errorf("parseFlags(%q) succeeded", args)
		}
	}
	var stderr bytes.Buffer
	if code := run(context.Background(), []string{"-machine", "virt"}, &bytes.Buffer{}, &stderr); code != exitUsage || !strings.Contains(stderr.String(), "q35 or pc") {
		t.Errorf("run with a bad -machine: exit %d, stderr %q", code, stderr.String())
	}
}

func TestStoreSize(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "new.backing")
	existing := filepath.Join(dir, "old.backing")
	if err := os.WriteFile(existing, make([]byte, 64<<10), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path       string
		flag, rec  uint64
		want       uint64
		wantErrSub string
	}{
		{missing, 0, 8192, 64 << 10, ""}, // QEMU's documented example, as erst -store-size
		{missing, 64 << 10, 8192, 64 << 10, ""},
		{existing, 0, 8192, 64 << 10, ""}, // the file's own size wins
		{existing, 64 << 10, 8192, 64 << 10, ""},
		{existing, 1 << 20, 8192, 0, "differs"},
		{missing, 100000, 8192, 0, "multiple"},
		{missing, 8192, 8192, 0, "no room"},
		{missing, 4 << 30, 8192, 0, "4 GiB"},
		{dir, 0, 8192, 0, "not a regular file"},
	} {
		got, err := storeSize(tc.path, tc.flag, tc.rec)
		if tc.wantErrSub != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErrSub) {
				t.Errorf("storeSize(%s, %d, %d) = %d, %v; want an error saying %q", filepath.Base(tc.path), tc.flag, tc.rec, got, err, tc.wantErrSub)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("storeSize(%s, %d, %d) = %d, %v; want %d", filepath.Base(tc.path), tc.flag, tc.rec, got, err, tc.want)
		}
	}
}

func TestKernelCmdline(t *testing.T) {
	if got := kernelCmdline(false, ""); got != "console=ttyS0 erst_disable" {
		t.Errorf("default cmdline %q", got)
	}
	if got := kernelCmdline(true, " pstore.compress=none "); got != "console=ttyS0 pstore.compress=none" {
		t.Errorf("-linux-erst cmdline %q", got)
	}
}

func TestQEMUArgs(t *testing.T) {
	c := &vmConfig{
		machine: "q35", accel: "tcg", memory: "512", kernel: "/boot/vmlinuz-6.1.0-1-amd64", initramfs: "/tmp/i.cpio",
		cmdline: "console=ttyS0 erst_disable", store: "/home/a,b/erst.backing", storeSize: 1 << 20, recordSize: 8192,
		workDir: "/home/a,b", controlDir: "/tmp/erstvm-1",
	}
	args := c.qemuArgs()
	for _, want := range []string{
		"memory-backend-file,id=erstnvram,mem-path=/home/a,,b/erst.backing,size=1048576,share=on",
		"acpi-erst,memdev=erstnvram,record_size=8192",
		"local,id=erstwd,path=/home/a,,b,security_model=none",
		"virtio-9p-pci,fsdev=erstwd,mount_tag=" + guestproto.WorkTag,
		"virtio-9p-pci,fsdev=erstctl,mount_tag=" + guestproto.ControlTag,
		"console=ttyS0 erst_disable",
	} {
		if !slices.Contains(args, want) {
			t.Errorf("QEMU args lack %q:\n%s", want, shellQuote(args))
		}
	}
	if i := slices.Index(args, "-accel"); i < 0 || args[i+1] != "tcg" {
		t.Errorf("no -accel tcg in %q", args)
	}
}

// The serial log says where a guest stopped, from the kernel's lines and
// the guest agent's progress lines.
func TestSerialLogWhere(t *testing.T) {
	s := newSerialLog(3, nil)
	if w := s.where(); !strings.Contains(w, "firmware") {
		t.Errorf("before any output: %q", w)
	}
	steps := []struct{ text, want string }{
		{"[    0.000000] Linux version 6.1.0-56-amd64\r\n", "kernel's boot"},
		{"[    2.138483] Run /init as init process\r\n", "u-root's init"},
		{guestproto.Marker(guestproto.StageStart, 2.8, "") + "\r\n", "mounting the 9p shares"},
		{guestproto.Marker(guestproto.StageMounted, 2.82, "") + "\r\n", "before the command started"},
		{guestproto.Marker(guestproto.StageRun, 2.84, "erst table") + "\r\n", "erst table"},
		{guestproto.Marker(guestproto.StageExited, 2.9, "status 0") + "\r\n", "powering off"},
	}
	for _, st := range steps {
		s.follow(strings.NewReader(st.text))
		if w := s.where(); !strings.Contains(w, st.want) {
			t.Errorf("after %q: where = %q, want it to mention %q", st.text, w, st.want)
		}
	}
	if tail := s.tail(); len(tail) != 3 || !strings.Contains(tail[2], "exited at 2.90s: status 0") {
		t.Errorf("tail = %q", tail)
	}
	if tm := s.timings(); !strings.Contains(tm, "kernel ") || !strings.Contains(tm, "run ") {
		t.Errorf("timings = %q", tm)
	}
}

// A guest whose kernel panicked says so, with the panic message.
func TestSerialLogPanic(t *testing.T) {
	s := newSerialLog(10, nil)
	s.follow(strings.NewReader(guestproto.Marker(guestproto.StageRun, 2.84, "gosh -c echo c >/proc/sysrq-trigger") + "\r\n" +
		"[    3.120000] sysrq: Trigger a crash\r\n" +
		"[    3.130000] Kernel panic - not syncing: sysrq triggered crash\r\n"))
	if w := s.where(); !strings.Contains(w, "kernel panic (sysrq triggered crash)") || !strings.Contains(w, "in the guest command") {
		t.Errorf("where = %q, want the panic message and the stage", w)
	}
}

func TestTailer(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stdout")
	var out bytes.Buffer
	tl := &tailer{path: path, w: &out}
	tl.copy() // not there yet
	if err := os.WriteFile(path, []byte("one\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tl.copy()
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("two\x00\xff\n")
	f.Close()
	done := make(chan struct{})
	close(done)
	tl.follow(done)
	if got := out.String(); got != "one\ntwo\x00\xff\n" {
		t.Errorf("tailed %q", got)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]uint64{"4096": 4096, "64K": 64 << 10, "1M": 1 << 20, "1MiB": 1 << 20, "0x2000": 0x2000, "2g": 2 << 30} {
		if got, err := size.Parse(in); err != nil || got != want {
			t.Errorf("size.Parse(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
}
