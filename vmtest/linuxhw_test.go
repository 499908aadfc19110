//go:build vmtest

package vmtest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hugelgupf/vmtest/govmtest"
	"github.com/hugelgupf/vmtest/qemu"
	"github.com/u-root/mkuimage/uimage"
)

// The in-guest tests of erst/hw/linuxhw (vm_linux_test.go) and the 9p tag
// of the directory they record their passes in.
const (
	linuxhwPkg = "github.com/goerst/erst/erst/hw/linuxhw"
	resultsTag = "ersttest"
)

var guestTests = []string{"TestGuestRegisters", "TestGuestPorts"}

// TestLinuxHW reruns linuxhw's tests in guests: on q35 and pc with
// erst_disable (registers, error log range, refusals, ports), and on q35
// with the kernel's ERST driver holding the device (Open must say so).
// With -short, only on q35 with erst_disable.
func TestLinuxHW(t *testing.T) {
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
	t.Setenv("VMTEST_KERNEL", k.Path)
	t.Setenv("VMTEST_ARCH", "amd64")
	t.Setenv("VMTEST_KERNEL_APPEND", "console=ttyS0")

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
		if tc.linuxERST {
			name += "-linux-erst"
		}
		t.Run(name, func(t *testing.T) {
			t.Setenv("VMTEST_QEMU", base+" -machine "+tc.machine)
			results := t.TempDir()
			store := filepath.Join(t.TempDir(), "erst.backing")
			var kargs []string
			if !tc.linuxERST {
				kargs = append(kargs, "erst_disable")
			}
			start := time.Now()
			ran := false
			// govmtest.Run skips (runtime.Goexit) without VMTEST_QEMU;
			// ran stays false then.
			t.Run("vm", func(t *testing.T) {
				govmtest.Run(t, "vm",
					govmtest.WithPackageToTest(linuxhwPkg),
					govmtest.WithUimage(uimage.WithFiles(files...)),
					govmtest.WithQEMUFn(
						qemu.WithVMTimeout(4*time.Minute),
						qemu.WithAppendKernel(kargs...),
						qemu.P9Directory(results, resultsTag),
						qemu.ArbitraryArgs(
							"-object", fmt.Sprintf("memory-backend-file,id=erstnvram,mem-path=%s,size=0x10000,share=on", store),
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
			for _, g := range guestTests {
				if _, err := os.Stat(filepath.Join(results, g+".pass")); err != nil {
					entries, _ := os.ReadDir(results)
					var got []string
					for _, e := range entries {
						got = append(got, e.Name())
					}
					t.Errorf("guest test %s did not record a pass (it skipped, failed or did not run); recorded: %s", g, strings.Join(got, " "))
				}
			}
		})
	}
}
