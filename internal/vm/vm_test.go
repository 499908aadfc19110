package vm

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/goerst/erst/images/guestproto"
)

func TestStoreSize(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "new.backing")
	existing := filepath.Join(dir, "old.backing")
	empty := filepath.Join(dir, "empty.backing")
	if err := os.WriteFile(existing, make([]byte, 64<<10), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path       string
		flag, rec  uint64
		want       uint64
		wantErrSub string
	}{
		{missing, 0, 8192, 64 << 10, ""}, // QEMU's documented example, as erst -store-size
		{empty, 0, 8192, 64 << 10, ""},   // as store.Lock leaves a missing one
		{empty, 1 << 20, 8192, 1 << 20, ""},
		{missing, 64 << 10, 8192, 64 << 10, ""},
		{existing, 0, 8192, 64 << 10, ""}, // the file's own size wins
		{existing, 64 << 10, 8192, 64 << 10, ""},
		{existing, 1 << 20, 8192, 0, "differs"},
		{missing, 100000, 8192, 0, "multiple"},
		{missing, 8192, 8192, 0, "no room"},
		{missing, 4 << 30, 8192, 0, "4 GiB"},
		{missing, 0, 6000, 0, "power of two"},
		{dir, 0, 8192, 0, "not a regular file"},
	} {
		got, err := StoreSize(tc.path, tc.flag, tc.rec)
		if tc.wantErrSub != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErrSub) {
				t.Errorf("StoreSize(%s, %d, %d) = %d, %v; want an error saying %q", filepath.Base(tc.path), tc.flag, tc.rec, got, err, tc.wantErrSub)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("StoreSize(%s, %d, %d) = %d, %v; want %d", filepath.Base(tc.path), tc.flag, tc.rec, got, err, tc.want)
		}
	}
}

func TestKernelCmdline(t *testing.T) {
	if got := KernelCmdline(false, ""); got != "console=ttyS0 cryptomgr.notests rodata=off no_timer_check erst_disable" {
		t.Errorf("default cmdline %q", got)
	}
	if got := KernelCmdline(true, " pstore.compress=none ", "erstvm.serve=p"); got != "console=ttyS0 cryptomgr.notests rodata=off no_timer_check pstore.compress=none erstvm.serve=p" {
		t.Errorf("-linux-erst cmdline %q", got)
	}
}

// The QEMU command line comes from vmtest's options, with ours for the
// device, the shares and the ports, and nothing from the environment.
func TestArgs(t *testing.T) {
	t.Setenv("VMTEST_QEMU", "qemu-from-env -enable-kvm")
	t.Setenv("VMTEST_KERNEL_APPEND", "from-env")
	t.Setenv("VMTEST_QEMU_APPEND", "-from-env")
	c := &Config{
		Machine: "pc", Kernel: "/boot/vmlinuz-6.1.0-1-amd64", Initramfs: "/tmp/i.cpio",
		Cmdline: "console=ttyS0 erst_disable", Store: "/home/a,b/erst.backing", StoreSize: 1 << 20, RecordSize: 8192,
		Shares: []Share{{"/home/a,b", guestproto.WorkTag}, {"/tmp/erstvm-1", guestproto.ControlTag}},
		Ports:  []Port{{"erst.0", "/tmp/s/sock"}, {"other", "/tmp/s/sock2"}},
	}
	args, err := c.Args()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		DefaultQEMU,
		"memory-backend-file,id=erstnvram0,mem-path=/home/a,,b/erst.backing,size=1048576,share=on",
		"acpi-erst,memdev=erstnvram0,record_size=8192",
		"local,id=erstfs0,path=/home/a,,b,security_model=none",
		"virtio-9p-pci,fsdev=erstfs0,mount_tag=" + guestproto.WorkTag,
		"virtio-9p-pci,fsdev=erstfs1,mount_tag=" + guestproto.ControlTag,
		"virtio-serial-pci,id=erstvirtser",
		"socket,id=erstport0,path=/tmp/s/sock",
		"virtserialport,bus=erstvirtser.0,chardev=erstport0,name=erst.0",
		"virtserialport,bus=erstvirtser.0,chardev=erstport1,name=other",
		"console=ttyS0 erst_disable",
	} {
		if !slices.Contains(args, want) {
			t.Errorf("QEMU args lack %q:\n%s", want, ShellQuote(args))
		}
	}
	if n := strings.Count(strings.Join(args, " "), "virtio-serial-pci"); n != 1 {
		t.Errorf("%d virtio-serial controllers for two ports, want 1", n)
	}
	for _, a := range args {
		if strings.Contains(a, "from-env") || a == "-nographic" {
			t.Errorf("QEMU args hold %q from vmtest's defaults or the environment:\n%s", a, ShellQuote(args))
		}
	}
	for flag, want := range map[string]string{"-accel": "tcg", "-machine": "pc", "-kernel": c.Kernel, "-initrd": c.Initramfs} {
		if i := slices.Index(args, flag); i < 0 || args[i+1] != want {
			t.Errorf("no %s %s in %q", flag, want, args)
		}
	}
}

// The serial log says where a guest stopped, from the kernel's lines and
// the guest agent's progress lines, however the output is cut.
func TestSerialLogWhere(t *testing.T) {
	s := NewSerialLog(3, nil)
	if w := s.Where(); !strings.Contains(w, "firmware") {
		t.Errorf("before any output: %q", w)
	}
	serving := s.Reached(guestproto.StageServe)
	steps := []struct{ text, want string }{
		{"[    0.000000] Linux version 6.1.0-56-amd64\r\n", "kernel's boot"},
		{"[    2.138483] Run /init as init process\r\n", "u-root's init"},
		{guestproto.Marker(guestproto.StageStart, 2.8, "") + "\r\n", "mounting the 9p shares"},
		{guestproto.Marker(guestproto.StageMounted, 2.82, "") + "\r\n", "before the command started"},
		{guestproto.Marker(guestproto.StageRun, 2.84, "erst table") + "\r\n", "erst table"},
		{guestproto.Marker(guestproto.StageServe, 2.85, "erst.0") + "\r\n", "serving requests"},
		{guestproto.Marker(guestproto.StageExited, 2.9, "status 0") + "\r\n", "powering off"},
	}
	for _, st := range steps {
		// In two pieces, cut inside the line.
		half := len(st.text) / 2
		s.Write([]byte(st.text[:half]))
		s.Write([]byte(st.text[half:]))
		if w := s.Where(); !strings.Contains(w, st.want) {
			t.Errorf("after %q: where = %q, want it to mention %q", st.text, w, st.want)
		}
	}
	select {
	case <-serving:
	default:
		t.Error("Reached(serve) was not closed")
	}
	select {
	case <-s.Reached(StageKernel):
	default:
		t.Error("Reached(kernel) after the fact was not closed")
	}
	if tail := s.Tail(); len(tail) != 3 || !strings.Contains(tail[2], "exited at 2.90s: status 0") {
		t.Errorf("tail = %q", tail)
	}
	if tm := s.Timings(); !strings.Contains(tm, "kernel ") || !strings.Contains(tm, "run ") {
		t.Errorf("timings = %q", tm)
	}
	s.Write([]byte("no newline"))
	s.Close()
	if tail := s.Tail(); tail[len(tail)-1] != "no newline" {
		t.Errorf("the unterminated last line was lost: %q", tail)
	}
}

// A guest whose kernel panicked says so, with the panic message.
func TestSerialLogPanic(t *testing.T) {
	s := NewSerialLog(10, nil)
	s.Write([]byte(guestproto.Marker(guestproto.StageRun, 2.84, "gosh -c echo c >/proc/sysrq-trigger") + "\r\n" +
		"[    3.120000] sysrq: Trigger a crash\r\n" +
		"[    3.130000] Kernel panic - not syncing: sysrq triggered crash\r\n"))
	if w := s.Where(); !strings.Contains(w, "kernel panic (sysrq triggered crash)") || !strings.Contains(w, "in the guest command") {
		t.Errorf("where = %q, want the panic message and the stage", w)
	}
}
