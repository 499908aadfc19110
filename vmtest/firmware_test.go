//go:build vmtest

package vmtest

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/goerst/erst/erst/pshed"
	"github.com/goerst/erst/erst/pshed/pshedtest"
	"github.com/goerst/erst/internal/vm"
)

// needOVMF skips the test (fails it with CI=true) without Debian's
// OVMF, which make deps installs.
func needOVMF(t testing.TB) {
	t.Helper()
	prerequisites(t)
	if _, err := os.Stat(vm.OVMFPath); err != nil {
		skipOrFail(t, "no UEFI firmware (Debian's ovmf): %v", err)
	}
}

// readBack checks that every record of recs reads back through p byte for
// byte.
func readBack(t *testing.T, g *Guest, when string, recs map[uint64][]byte) {
	t.Helper()
	buf := make([]byte, 8192)
	for id, want := range recs {
		_, n, st := g.PSHED().ReadErrorRecord(0, id, buf)
		if st != pshed.StatusSuccess || !bytes.Equal(buf[:n], want) {
			t.Errorf("%s: record %#x: %v, %d bytes; want the %d bytes written (%v)", when, id, st, n, len(want), g.Err())
		}
	}
}

// write writes every record of recs through g's PSHED.
func write(t *testing.T, g *Guest, recs map[uint64][]byte) {
	t.Helper()
	for id, r := range recs {
		if st := g.PSHED().WriteErrorRecord(0, r); st != pshed.StatusSuccess {
			t.Fatalf("write %#x: %v (%v)", id, st, g.Err())
		}
	}
}

// TestFirmware runs the harness under UEFI firmware (OVMF, Options.Firmware
// "ovmf"), where the guest boots the compressed kernel and the firmware
// places the device's BARs elsewhere than SeaBIOS: the PSHED conformance
// suite from the host; erst conform in the guest (erstvm -firmware ovmf);
// a firmware image given as a file; and one store written under each
// firmware and read back under the other, byte for byte. TestStoreAgainstSim compares the device under
// OVMF with the simulator.
func TestFirmware(t *testing.T) {
	t.Parallel()
	needOVMF(t)
	dir := t.TempDir()
	t.Run("conformance-ovmf", func(t *testing.T) {
		conformance(t, StartT(t, Options{Store: filepath.Join(dir, "conform.backing"), Firmware: vm.OVMF, Logf: logLine}))
	})
	t.Run("erst-conform-ovmf", func(t *testing.T) {
		erstvm := erstvmRunner(t)
		r := erstvm(dir, "-firmware", "ovmf", "-store", "conform-guest.backing", "--", "conform")
		if r.code != 0 {
			t.Errorf("erstvm -firmware ovmf -- conform: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
		}
		// The firmware is OVMF indeed: it places the error log range
		// elsewhere than SeaBIOS.
		base := map[string]any{}
		for _, fw := range []string{"seabios", "ovmf"} {
			r := erstvm(dir, "-firmware", fw, "-store", "conform-guest.backing", "--", "info", "-json")
			var info struct {
				RangeBase any `json:"range_base"`
			}
			if err := json.Unmarshal(r.stdout, &info); r.code != 0 || err != nil || info.RangeBase == nil {
				t.Fatalf("erstvm -firmware %s -- info -json: exit %d, %v\n%s\n%s", fw, r.code, err, r.stdout, r.stderr)
			}
			base[fw] = info.RangeBase
		}
		if base["seabios"] == base["ovmf"] {
			t.Errorf("the error log range is at %v under SeaBIOS and OVMF: want OVMF's own placement", base["ovmf"])
		}
		t.Logf("error log range: SeaBIOS %v, OVMF %v", base["seabios"], base["ovmf"])
	})
	t.Run("file", func(t *testing.T) {
		// A firmware image file: SeaBIOS's own, as a file; QEMU gets
		// it with -bios and the compressed kernel.
		const img = "/usr/share/seabios/bios-256k.bin" // Debian's seabios, a dependency of qemu-system-x86
		if _, err := os.Stat(img); err != nil {
			skipOrFail(t, "no SeaBIOS image to give as a file: %v", err)
		}
		r := erstvmRunner(t)(dir, "-boot", "-v", "-firmware", img, "-store", "file.backing", "--", "info")
		if r.code != 0 {
			t.Fatalf("erstvm -firmware %s -- info: exit %d\n%s", img, r.code, r.stderr)
		}
		if !bytes.Contains(r.stderr, []byte(" -bios "+img+" ")) || !bytes.Contains(r.stderr, []byte(" -kernel /boot/vmlinuz-")) {
			t.Errorf("erstvm -v -firmware %s: want -bios %s and the compressed kernel on QEMU's command line:\n%s", img, img, r.stderr)
		}
	})
	t.Run("across", func(t *testing.T) {
		ctx := context.Background()
		st := filepath.Join(dir, "across.backing")
		underOVMF := map[uint64][]byte{0xf1: pshedtest.NewRecord(5000, 0xf1), 0xf2: pshedtest.NewRecord(8192, 0xf2)}
		underSeaBIOS := map[uint64][]byte{0x51: pshedtest.NewRecord(300, 0x51), 0x52: pshedtest.NewRecord(7000, 0x52)}

		uefi := StartT(t, Options{Store: st, Firmware: vm.OVMF, Logf: logLine})
		write(t, uefi, underOVMF)
		if err := uefi.Shutdown(ctx); err != nil {
			t.Fatal(err)
		}
		bios := StartT(t, Options{Store: st, Logf: logLine})
		readBack(t, bios, "written under OVMF, read under SeaBIOS", underOVMF)
		write(t, bios, underSeaBIOS)
		if err := bios.Shutdown(ctx); err != nil {
			t.Fatal(err)
		}
		if err := uefi.Restart(ctx); err != nil {
			t.Fatal(err)
		}
		readBack(t, uefi, "written under SeaBIOS, read under OVMF", underSeaBIOS)
		readBack(t, uefi, "written under OVMF, read under OVMF after SeaBIOS", underOVMF)
	})
}
