//go:build vmtest

package vmtest

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goerst/erst/erst/pshed/pshedtest"
	"github.com/goerst/erst/images"
	"github.com/goerst/erst/internal/guesttest"
	"github.com/goerst/erst/internal/vm"
	"github.com/hugelgupf/vmtest/govmtest"
	"github.com/hugelgupf/vmtest/qemu"
	"github.com/u-root/mkuimage/uimage"
)

// The packages whose tests run in the guests, and the tests in them that
// must pass on the real device: vmtest only logs a guest test that
// skipped, so each of these leaves a pass marker (guesttest.RecordPass)
// that the host checks for.
const (
	linuxhwPkg = "github.com/goerst/erst/erst/hw/linuxhw"
	erstPkg    = "github.com/goerst/erst/erst"
)

// linuxhwTests are linuxhw's guest tests (vm_linux_test.go); the last
// needs the device to itself (erst_disable).
var (
	linuxhwTests      = []string{"TestGuestRegisters", "TestGuestPorts"}
	linuxhwTestsAlone = []string{"TestGuestRefusesSystemRAM"}
)

// guestTests are the tests TestGuest runs, and requires to pass, in its
// erst_disable guests: linuxhw's and erst's on the device.
func guestTests() []string {
	return slices.Concat(linuxhwTests, linuxhwTestsAlone, liveTests())
}

// liveTests are erst's tests that run on every device (forEachDevice in
// erst/device_test.go), and the PSHED suite on the device: each check.
func liveTests() []string {
	names := []string{
		"TestWriteReadClearRoundTrip/qemu",
		"TestWriteStampsPersistenceSignature/qemu",
		"TestOverwriteKeepsOneRecord/qemu",
		"TestIDsSurviveAStaleCursor/qemu",
		"TestMissingRecordStatuses/qemu",
		"TestFullStore/qemu",
		"TestDummyWrite/qemu",
		"TestTraceNamesActions/qemu",
	}
	for _, c := range pshedtest.Checks() {
		names = append(names, "TestConformanceExchangeBuffer/qemu/"+c.Name)
	}
	return names
}

// The guest's store: QEMU's documented 64 KiB backend of 8 KiB records,
// one slot of which holds the header.
const (
	guestStoreSize = 64 << 10
	guestCapacity  = 7
)

// TestGuest runs, in guests, the driver's tests that touch QEMU's
// device: linuxhw's guest tests and erst's behavioural tests and the PSHED
// suite on the device (guestTests), on q35 with erst_disable; on pc (the
// machine moves the device's BARs); and linuxhw's on q35 with the kernel's
// ERST driver holding the device (Open must say so). The tests that only
// compute run on the host (make unit), not again under TCG. The three
// guests boot in parallel. With -short, only q35 with erst_disable.
func TestGuest(t *testing.T) {
	t.Parallel()
	qemuBin, k := prerequisites(t)
	mods, err := k.ModuleFiles()
	if err != nil {
		t.Fatal(err)
	}
	files, err := k.StageModules(mods, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	base := userQEMU
	if base == "" {
		base = qemuBin + " -m 1024 -nic none -accel tcg"
	}
	// The uncompressed kernel, booted directly (PVH), skips SeaBIOS's
	// load and the decompression under TCG; images falls back to the
	// compressed one when it cannot be had.
	src, err := images.FindSource(".")
	if err != nil {
		t.Fatal(err)
	}
	kernel := k.Boot(images.DefaultKernelCacheDir(src)).Path

	// The first guest runs alone, the others side by side after it: on a
	// cold Go cache, as in CI, its go build compiles what they share (the
	// standard library with govmtest's -gcflags=all=-l, u-root), not
	// three builds side by side; and no guest holds one of go test's
	// parallel slots while it waits for another.
	for i, tc := range []struct {
		machine   string
		linuxERST bool
	}{
		{"q35", false},
		{"pc", false},
		{"q35", true},
	} {
		if testing.Short() && (tc.machine != "q35" || tc.linuxERST) {
			continue
		}
		name := tc.machine
		pkgs, want := []string{linuxhwPkg, erstPkg}, guestTests()
		kargs := []string{"erst_disable", fmt.Sprintf("%s=%d", guesttest.CapacityVar, guestCapacity)}
		if tc.linuxERST {
			name += "-linux-erst"
			pkgs, want, kargs = []string{linuxhwPkg}, linuxhwTests, nil
		}
		kargs = append(kargs, guesttest.RunVar+"="+guesttest.RunPattern(want))
		t.Run(name, func(t *testing.T) {
			if i > 0 {
				t.Parallel()
			}
			results := t.TempDir()
			store := filepath.Join(t.TempDir(), "erst.backing")
			start := time.Now()
			ran := false
			// govmtest.Run skips (runtime.Goexit) without VMTEST_QEMU;
			// ran stays false then.
			t.Run("vm", func(t *testing.T) {
				govmtest.Run(t, "vm",
					govmtest.WithPackageToTest(pkgs...),
					govmtest.WithGoTestTimeout(5*time.Minute),
					govmtest.WithUimage(uimage.WithFiles(files...), images.WithGoBuildCache()),
					govmtest.WithQEMUFn(
						machineFn(base+" -machine "+tc.machine, kernel),
						qemu.WithVMTimeout(8*time.Minute),
						qemu.WithAppendKernel(kargs...),
						qemu.P9Directory(results, guesttest.ResultsTag),
						qemu.ArbitraryArgs(
							"-object", fmt.Sprintf("memory-backend-file,id=erstnvram,mem-path=%s,size=%#x,share=on", store, guestStoreSize),
							"-device", "acpi-erst,memdev=erstnvram",
						),
					),
				)
				ran = true
			})
			t.Logf("%s: VM test wall time %.1fs", name, time.Since(start).Seconds())
			if !ran {
				if onCI() {
					t.Fatal("CI=true: vmtest skipped the guest run")
				}
				t.Skip("vmtest skipped the guest run")
			}
			var missing []string
			for _, g := range want {
				if _, err := os.Stat(filepath.Join(results, guesttest.PassFile(g))); err != nil {
					missing = append(missing, g)
				}
			}
			if len(missing) > 0 {
				t.Errorf("%d of %d guest tests did not record a pass (they skipped, failed or did not run): %s",
					len(missing), len(want), strings.Join(missing, " "))
			}
		})
	}
}

// machineFn sets what vmtest would take from the environment (VMTEST_QEMU,
// VMTEST_KERNEL), which parallel tests cannot each set: the QEMU command
// line and the kernel, with the serial console and vm.FastBoot first on
// the kernel's command line.
func machineFn(qemuCmd, kernel string) qemu.Fn {
	return func(_ *qemu.IDAllocator, o *qemu.Options) error {
		o.QEMUCommand, o.Kernel = qemuCmd, kernel
		o.KernelArgs = strings.TrimSpace("console=ttyS0 " + vm.FastBoot + " " + o.KernelArgs)
		return nil
	}
}
