//go:build vmtest

package vmtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/goerst/erst/internal/guesttest"
)

// The packages whose tests run in the guests, and the tests in them that
// must pass on the real device: a test binary that skipped a test still
// exits 0, so each of these leaves a pass marker (guesttest.RecordPass)
// that the host checks for.
const (
	linuxhwPkg = "./erst/hw/linuxhw"
	erstPkg    = "./erst"
)

// linuxhwTests are linuxhw's guest tests (vm_linux_test.go); the last
// needs the device to itself (erst_disable).
var (
	linuxhwTests      = []string{"TestGuestRegisters", "TestGuestPorts"}
	linuxhwTestsAlone = []string{"TestGuestRefusesSystemRAM"}
)

// The guest's store: QEMU's documented 64 KiB backend of 8 KiB records,
// one slot of which holds the header.
const (
	guestStoreSize = 64 << 10
	guestCapacity  = 7
)

// TestGuest runs, in guests, the driver's tests that touch QEMU's
// device: linuxhw's guest tests and erst's behavioural tests and the PSHED
// suite on the device (liveTests), on q35 with erst_disable; on pc (the
// machine moves the device's BARs); and linuxhw's on q35 with the kernel's
// ERST driver holding the device (Open must say so). The test binaries are
// built once on the host and run through erstvm, on the image every other
// VM test boots; the tests that only compute run on the host (make unit),
// not again under TCG. With -short, only q35 with erst_disable.
func TestGuest(t *testing.T) {
	t.Parallel()
	prerequisites(t)
	erstvm, src := buildCommand(t, "./cmd/erstvm")
	bins := t.TempDir()
	build := exec.Command("go", "test", "-c", "-tags", "vmtest", "-o", bins+"/", linuxhwPkg, erstPkg)
	build.Dir = src
	build.Env = append(os.Environ(), "GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the guest's test binaries: %v\n%s", err, out)
	}
	type run struct {
		bin   string // in bins
		tests []string
	}
	linuxhwRun := run{"linuxhw.test", slices.Concat(linuxhwTests, linuxhwTestsAlone)}
	erstRun := run{"erst.test", liveTests(t)}

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
		name, runs := tc.machine, []run{linuxhwRun, erstRun}
		args := []string{"-machine", tc.machine, "-timeout", "8m"}
		// In the command's environment, not on the kernel command line,
		// so that the guest is erstvm's usual one, which it resumes.
		kernelERST := 0
		if tc.linuxERST {
			kernelERST = 1
		}
		env := fmt.Sprintf("%s=1 %s=results %s=%d %s=%d", guesttest.InGuestVar, guesttest.ResultsVar, guesttest.CapacityVar, guestCapacity, guesttest.KernelERSTVar, kernelERST)
		if tc.linuxERST {
			name += "-linux-erst"
			runs = []run{{linuxhwRun.bin, linuxhwTests}}
			args = append(args, "-linux-erst")
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := os.Mkdir(filepath.Join(dir, "results"), 0o755); err != nil {
				t.Fatal(err)
			}
			var script, want []string
			for _, r := range runs {
				if err := linkOrCopy(filepath.Join(bins, r.bin), filepath.Join(dir, r.bin)); err != nil {
					t.Fatal(err)
				}
				script = append(script, fmt.Sprintf("%s ./%s -test.v -test.timeout 5m -test.run '%s' >%s.out 2>&1; echo $? >%s.code",
					env, r.bin, guesttest.RunPattern(r.tests), r.bin, r.bin))
				want = append(want, r.tests...)
			}
			args := append(args, "-src", src, "-store", "erst.backing", "-store-size", fmt.Sprint(guestStoreSize),
				"-run", "gosh", "--", "-c", strings.Join(script, "\n"))
			res := runCommand(t, erstvm, dir, args...)
			t.Logf("%s: erstvm exit %d in %.1fs", name, res.code, res.wall.Seconds())
			if res.code != 0 {
				t.Fatalf("erstvm: exit %d\n%s", res.code, res.stderr)
			}
			for _, r := range runs {
				code, err := os.ReadFile(filepath.Join(dir, r.bin+".code"))
				out, _ := os.ReadFile(filepath.Join(dir, r.bin+".out"))
				if err != nil || strings.TrimSpace(string(code)) != "0" {
					t.Errorf("%s in the guest: exit %q (%v)\n%s", r.bin, strings.TrimSpace(string(code)), err, out)
				}
			}
			var missing []string
			for _, g := range want {
				if _, err := os.Stat(filepath.Join(dir, "results", guesttest.PassFile(g))); err != nil {
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

// linkOrCopy puts the file src at dst: a hard link, or a copy when src is
// on another file system.
func linkOrCopy(src, dst string) error {
	if os.Link(src, dst) == nil {
		return nil
	}
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o755)
}
