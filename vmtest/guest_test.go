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

// driverPkgs are the driver's packages: their tests run unchanged in the
// guest (the simulator-based ones as on the host; erst's behavioural
// tests and the PSHED suite also on QEMU's device, as subtests "qemu").
var driverPkgs = []string{
	erstPkg,
	"github.com/goerst/erst/erst/cper",
	"github.com/goerst/erst/erst/hw",
	"github.com/goerst/erst/erst/pshed",
	"github.com/goerst/erst/erst/pshed/pshedtest",
	"github.com/goerst/erst/erst/sim",
	"github.com/goerst/erst/erst/store",
}

// linuxhwTests are linuxhw's guest tests (vm_linux_test.go); the last
// needs the device to itself (erst_disable).
var (
	linuxhwTests      = []string{"TestGuestRegisters", "TestGuestPorts"}
	linuxhwTestsAlone = []string{"TestGuestRefusesSystemRAM"}
)

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

// TestGuest runs the driver's package tests and linuxhw's guest tests in
// a q35 guest with erst_disable; on pc (the machine moves the device's
// BARs) the tests that touch the device, linuxhw's and erst's; and
// linuxhw's on q35 with the kernel's ERST driver holding the device (Open
// must say so). With -short, only q35 with erst_disable.
func TestGuest(t *testing.T) {
	qemuBin, k := prerequisites(t)
	mods, err := k.ModuleFiles()
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, m := range mods {
		files = append(files, m.Spec())
	}
	base := os.Getenv("VMTEST_QEMU")
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
	t.Setenv("VMTEST_KERNEL", k.Boot(images.DefaultKernelCacheDir(src)).Path)
	t.Setenv("VMTEST_ARCH", "amd64")
	t.Setenv("VMTEST_KERNEL_APPEND", "console=ttyS0")
	// linuxhw's guest tests are behind the vmtest tag, so that the host's
	// go test ./... does not list them as skipped; vmtest's go test -c
	// inherits GOFLAGS.
	t.Setenv("GOFLAGS", "-tags=vmtest")

	for _, tc := range []struct {
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
		pkgs, want := slices.Concat([]string{linuxhwPkg}, driverPkgs), slices.Concat(linuxhwTests, linuxhwTestsAlone, liveTests())
		kargs := []string{"erst_disable", fmt.Sprintf("%s=%d", guesttest.CapacityVar, guestCapacity)}
		switch {
		case tc.linuxERST:
			name += "-linux-erst"
			pkgs, want, kargs = []string{linuxhwPkg}, linuxhwTests, nil
		case tc.machine != "q35":
			// What the machine changes is where the device's BARs
			// are: the tests that touch the device (linuxhw's and
			// erst's on QEMU) run here; the packages that only
			// compute ran on q35 already, on the same CPU.
			pkgs = []string{linuxhwPkg, erstPkg}
		}
		t.Run(name, func(t *testing.T) {
			t.Setenv("VMTEST_QEMU", base+" -machine "+tc.machine)
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
