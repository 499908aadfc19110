//go:build vmtest

package vmtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/conform"
	"github.com/goerst/erst/erst/pshed/pshedtest"
	"github.com/goerst/erst/erst/sim"
	"github.com/goerst/erst/erst/store"
	"github.com/goerst/erst/images"
	"github.com/goerst/erst/images/livecheck"
)

// The bootable ERST check (make image) tested as a user runs it: the disk
// image as a USB stick on QEMU's xHCI controller, OVMF booting it from
// removable media, QEMU's acpi-erst device, and no -no-reboot, so that
// boot 1's reset is a platform reset of the same QEMU process and boot 2
// runs from the stick again. The host then reads \erst\report.json from
// the image with mtools.

// ovmfFirmware is Debian's OVMF (package ovmf).
const ovmfFirmware = "/usr/share/ovmf/OVMF.fd"

// liveImage is a built image: the disk, the kernel and the initramfs.
type liveImage struct {
	disk, kernel, initramfs string
}

// liveInitramfs is the image's initramfs, built (or found in
// images.Build's cache) once for all the tests.
var liveInitramfs struct {
	once sync.Once
	path string
	err  error
}

// buildLive builds the image into a directory of t's: the initramfs once
// for the run, the disk anew for each test (a second or so).
func buildLive(t *testing.T) liveImage {
	t.Helper()
	_, k := prerequisites(t)
	for _, f := range []string{ovmfFirmware, images.DefaultStub} {
		if _, err := os.Stat(f); err != nil {
			skipOrFail(t, "%v", err)
		}
	}
	if _, err := exec.LookPath("mtype"); err != nil {
		skipOrFail(t, "no mtools: %v", err)
	}
	src, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	liveInitramfs.once.Do(func() {
		liveInitramfs.path, _, liveInitramfs.err = images.Build(images.LiveConfig(images.Config{Source: src, Kernel: k, Logf: logLine}))
	})
	initramfs, err := liveInitramfs.path, liveInitramfs.err
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	li := liveImage{disk: filepath.Join(dir, "erst-live.img"), kernel: k.Path, initramfs: initramfs}
	if err := (images.LiveImage{Kernel: k.Path, Initramfs: initramfs}).Build(li.disk); err != nil {
		t.Fatal(err)
	}
	return li
}

// liveRun is one QEMU process running the check.
type liveRun struct {
	firmware string // "ovmf", or "seabios": the kernel+initramfs pair boots directly
	store    string // acpi-erst backing file; "" for a machine without ERST
	size     uint64 // its size
	extra    string // seabios: kernel arguments after images.LiveCmdline
}

// run starts QEMU and waits for it to exit (the check powers it off); it
// returns the serial console's text.
func (r liveRun) run(t *testing.T, li liveImage) string {
	t.Helper()
	serial := filepath.Join(t.TempDir(), "serial.log")
	args := []string{
		"-machine", "q35", "-accel", "tcg", "-m", "1024", "-smp", "1",
		"-display", "none", "-monitor", "none", "-nic", "none",
		"-serial", "file:" + serial,
		"-drive", "if=none,id=stick,format=raw,file=" + li.disk,
		"-device", "qemu-xhci,id=xhci",
		"-device", "usb-storage,bus=xhci.0,drive=stick,removable=on",
	}
	switch r.firmware {
	case "ovmf":
		args = append(args, "-bios", ovmfFirmware)
	case "seabios":
		args = append(args, "-kernel", li.kernel, "-initrd", li.initramfs, "-append", strings.TrimSpace(images.LiveCmdline+" "+r.extra))
	default:
		t.Fatalf("firmware %q", r.firmware)
	}
	if r.store != "" {
		lock, err := store.Lock(r.store)
		if err != nil {
			t.Fatal(err)
		}
		defer lock.Close()
		args = append(args,
			"-object", fmt.Sprintf("memory-backend-file,id=erstnvram,mem-path=%s,size=%d,share=on", r.store, r.size),
			"-device", fmt.Sprintf("acpi-erst,memdev=erstnvram,record_size=%d", store.DefaultRecordSize))
	}
	ctx := context.Background()
	if dl, ok := t.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, dl.Add(-30*time.Second))
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, "qemu-system-x86_64", args...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	start := time.Now()
	err := cmd.Run()
	out, _ := os.ReadFile(serial)
	t.Logf("QEMU (%s) ran %.0fs", r.firmware, time.Since(start).Seconds())
	if err != nil {
		t.Fatalf("QEMU: %v: %s\nserial console, last lines:\n%s", err, stderr.Bytes(), tail(string(out), 40))
	}
	return string(out)
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// report reads \erst\report.json from the image's EFI system partition.
func (li liveImage) report(t *testing.T) *livecheck.Report {
	t.Helper()
	cmd := exec.Command("mtype", "-i", fmt.Sprintf("%s@@%d", li.disk, images.LiveESPOffset), "::/erst/"+livecheck.ReportJSON)
	cmd.Env = append(os.Environ(), "MTOOLS_SKIP_CHECK=1")
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("mtype report.json: %v", err)
	}
	var r livecheck.Report
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("report.json: %v\n%s", err, b)
	}
	return &r
}

// storeRecords reads every record of the store file through the
// simulator.
func storeRecords(t *testing.T, path string) map[uint64][]byte {
	t.Helper()
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	dev, err := sim.New(st)
	if err != nil {
		t.Fatal(err)
	}
	d, err := erst.Open(dev.Table(), dev)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := d.IDs()
	if err != nil {
		t.Fatal(err)
	}
	recs := map[uint64][]byte{}
	for _, id := range ids {
		if recs[id], err = d.Read(id); err != nil {
			t.Fatal(err)
		}
	}
	return recs
}

// conformChecks are the names of every check conform runs, from a run
// on a simulated store.
func conformChecks(t *testing.T) []string {
	t.Helper()
	st, err := store.Create(filepath.Join(t.TempDir(), "sim"), store.DefaultSize, store.DefaultRecordSize)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	dev, _ := sim.New(st)
	d, err := erst.Open(dev.Table(), dev)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := conform.Run(d, conform.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range rep.Results {
		names = append(names, r.Name)
	}
	return names
}

// checkPass checks a report that must pass: every conform check listed
// and passed, the seeded records intact and cleared, the store as before.
func checkPass(t *testing.T, r *livecheck.Report, foreign int) {
	t.Helper()
	if r.Verdict != livecheck.VerdictPass || len(r.Failed) != 0 || len(r.Errors) != 0 {
		t.Fatalf("verdict %q, failed %v, errors %q", r.Verdict, r.Failed, r.Errors)
	}
	if r.Boot1 == nil || r.Boot2 == nil {
		t.Errorf("boots: %+v %+v", r.Boot1, r.Boot2)
	}
	if r.Machine.Vendor != "QEMU" || r.Machine.Kernel == "" || !strings.Contains(r.Machine.Cmdline, "erst_disable") {
		t.Errorf("machine: %+v", r.Machine)
	}
	if r.Table == nil || r.Device == nil {
		t.Fatalf("table %v, device %v", r.Table, r.Device)
	}
	var got []string
	for _, c := range r.Conform.Checks {
		got = append(got, c.Name)
		if c.Result != "pass" {
			t.Errorf("conform %s: %s %s", c.Name, c.Result, c.Reason)
		}
	}
	if want := conformChecks(t); !slices.Equal(got, want) {
		t.Errorf("conform checks:\n got %q\nwant %q", got, want)
	}
	if r.Conform.Foreign != foreign || r.Store.Before != foreign || r.Store.After != foreign || !r.Store.Unchanged {
		t.Errorf("conform saw %d foreign records; store %+v; want %d", r.Conform.Foreign, r.Store, foreign)
	}
	p := r.Persistence
	if p == nil || p.Result != "pass" || len(p.IDs) != livecheck.SeededRecords || p.Intact != livecheck.SeededRecords || p.Cleared != livecheck.SeededRecords {
		t.Errorf("persistence: %+v", p)
	}
}

// bootsOf counts the check's runs on the console.
func bootsOf(serial string) int { return strings.Count(serial, "erstlive: ERST live check") }

// TestLiveOVMF: OVMF boots the image from the USB stick on a fresh
// store; boot 1 resets the platform, boot 2 powers it off; the report
// on the stick passes and the store is empty again.
func TestLiveOVMF(t *testing.T) {
	t.Parallel()
	li := buildLive(t)
	st := filepath.Join(t.TempDir(), "erst.store")
	serial := liveRun{firmware: "ovmf", store: st, size: store.DefaultSize}.run(t, li)
	if n := bootsOf(serial); n != 2 {
		t.Errorf("the check ran %d times, want 2 (boot 1, reset, boot 2)", n)
	}
	r := li.report(t)
	t.Logf("report.txt:\n%s", r.Text())
	checkPass(t, r, 0)
	if recs := storeRecords(t, st); len(recs) != 0 {
		t.Errorf("the store holds %d records after the check, want none", len(recs))
	}
}

// TestLiveForeignRecords: records already in the store survive the
// check byte for byte and are counted in the report.
func TestLiveForeignRecords(t *testing.T) {
	t.Parallel()
	li := buildLive(t)
	path := filepath.Join(t.TempDir(), "erst.store")
	const size = 256 << 10 // room for conform's records beside the foreign ones
	st, err := store.Create(path, size, store.DefaultRecordSize)
	if err != nil {
		t.Fatal(err)
	}
	dev, _ := sim.New(st)
	d, err := erst.Open(dev.Table(), dev)
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range []int{200, 3000, 8000} {
		if err := d.Write(pshedtest.NewRecord(n, 0x0f0e1900+uint64(i))); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	before := storeRecords(t, path)
	liveRun{firmware: "ovmf", store: path, size: size}.run(t, li)
	checkPass(t, li.report(t), len(before))
	after := storeRecords(t, path)
	if len(after) != len(before) {
		t.Errorf("the store holds %d records, held %d", len(after), len(before))
	}
	for id, rec := range before {
		if !bytes.Equal(after[id], rec) {
			t.Errorf("foreign record %#x changed or went", id)
		}
	}
}

// TestLiveNoERST: a machine without the device: one boot, a report that
// says no ERST, a clean power-off.
func TestLiveNoERST(t *testing.T) {
	t.Parallel()
	li := buildLive(t)
	serial := liveRun{firmware: "ovmf"}.run(t, li)
	if n := bootsOf(serial); n != 1 {
		t.Errorf("the check ran %d times, want 1", n)
	}
	if !strings.Contains(serial, "erstlive: next: power off") {
		t.Errorf("no power-off on the console:\n%s", tail(serial, 20))
	}
	r := li.report(t)
	if r.Verdict != livecheck.VerdictNoERST || r.Table != nil || r.Persistence != nil || len(r.Errors) != 0 {
		t.Errorf("report: verdict %q table %v persistence %v errors %q", r.Verdict, r.Table, r.Persistence, r.Errors)
	}
}

// TestLiveSeaBIOS: the kernel+initramfs pair (for PXE, kexec or a
// LinuxBoot flash) booted by SeaBIOS directly, with the same image as
// the stick where the report goes: the same passing result. QEMU's
// direct kernel boot boots the same kernel again after the reset.
func TestLiveSeaBIOS(t *testing.T) {
	t.Parallel()
	li := buildLive(t)
	st := filepath.Join(t.TempDir(), "erst.store")
	serial := liveRun{firmware: "seabios", store: st, size: store.DefaultSize}.run(t, li)
	if n := bootsOf(serial); n != 2 {
		t.Errorf("the check ran %d times, want 2", n)
	}
	checkPass(t, li.report(t), 0)
	if recs := storeRecords(t, st); len(recs) != 0 {
		t.Errorf("the store holds %d records after the check, want none", len(recs))
	}
}

// TestLiveReportOnly: with livecheck.ReportOnlyParam on the kernel
// command line the check reads the table and the device's range, writes
// nothing to the store (the backing file is the same byte for byte) and
// powers off after one boot.
func TestLiveReportOnly(t *testing.T) {
	t.Parallel()
	li := buildLive(t)
	path := filepath.Join(t.TempDir(), "erst.store")
	st, err := store.Create(path, store.DefaultSize, store.DefaultRecordSize)
	if err != nil {
		t.Fatal(err)
	}
	dev, _ := sim.New(st)
	d, err := erst.Open(dev.Table(), dev)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Write(pshedtest.NewRecord(500, 0x0f0e1a00)); err != nil {
		t.Fatal(err)
	}
	st.Close()
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	serial := liveRun{firmware: "seabios", store: path, size: store.DefaultSize, extra: livecheck.ReportOnlyParam}.run(t, li)
	if n := bootsOf(serial); n != 1 {
		t.Errorf("the check ran %d times, want 1", n)
	}
	r := li.report(t)
	if r.Verdict != livecheck.VerdictReportOnly || !r.ReportOnly || r.Conform != nil || r.Persistence != nil || len(r.Errors) != 0 {
		t.Errorf("report: verdict %q report-only %v conform %v persistence %v errors %q", r.Verdict, r.ReportOnly, r.Conform, r.Persistence, r.Errors)
	}
	if r.Device == nil || r.Device.RecordCount != 1 || r.Store.Before != 1 {
		t.Errorf("device %+v, store %+v: want the one record counted", r.Device, r.Store)
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(after, before) {
		t.Error("the store file changed under report-only")
	}
}
