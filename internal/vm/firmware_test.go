package vm

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParseFirmware(t *testing.T) {
	dir := t.TempDir()
	img := filepath.Join(dir, "fw.fd")
	if err := os.WriteFile(img, []byte("firmware"), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.fd")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"", "seabios"} {
		f, err := ParseFirmware(s)
		if err != nil || f != (Firmware{Name: SeaBIOS}) {
			t.Errorf("ParseFirmware(%q) = %+v, %v; want SeaBIOS, no -bios, the direct kernel", s, f, err)
		}
	}
	f, err := ParseFirmware(img)
	if err != nil || f.BIOS != img || !f.Compressed {
		t.Errorf("ParseFirmware(%s) = %+v, %v; want -bios %s and the compressed kernel", img, f, err, img)
	}
	for _, bad := range []string{filepath.Join(dir, "missing.fd"), dir, empty, "OVMF"} {
		if f, err := ParseFirmware(bad); !errors.Is(err, ErrFirmware) || !strings.Contains(err.Error(), bad) {
			t.Errorf("ParseFirmware(%q) = %+v, %v; want an ErrFirmware naming it", bad, f, err)
		}
	}
	if _, err := os.Stat(OVMFPath); err == nil {
		f, err := ParseFirmware(OVMF)
		if err != nil || f.BIOS != OVMFPath || !f.Compressed {
			t.Errorf("ParseFirmware(ovmf) = %+v, %v", f, err)
		}
	}
}

// The firmware reaches QEMU's command line and is part of a saved
// guest's key; SeaBIOS keeps the key it had before there was a choice.
func TestFirmwareConfig(t *testing.T) {
	dir := t.TempDir()
	c := fakeConfig(t, dir)
	seabios, err := SavedGuestPath(c, dir)
	if err != nil {
		t.Fatal(err)
	}
	k, err := keyFor(c)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(k); strings.Contains(string(b), "BIOS") {
		t.Errorf("SeaBIOS key %s names a BIOS: the guests saved before would not be found", b)
	}
	args, err := c.Args()
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(args, "-bios") {
		t.Errorf("SeaBIOS command line has -bios: %q", args)
	}

	img := filepath.Join(dir, "fw.fd")
	if err := os.WriteFile(img, []byte("firmware"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := ParseFirmware(img)
	if err != nil {
		t.Fatal(err)
	}
	bz := filepath.Join(dir, "vmlinuz-6.1.0-test-amd64")
	if err := os.WriteFile(bz, []byte("bzImage"), 0o644); err != nil {
		t.Fatal(err)
	}
	only := *c // another firmware, the same kernel
	only.BIOS = img
	if err := f.Apply(c, bz); err != nil {
		t.Fatal(err)
	}
	if c.Kernel != bz || c.BIOS != img {
		t.Errorf("after Apply: kernel %s, BIOS %s; want %s and %s", c.Kernel, c.BIOS, bz, img)
	}
	args, err = c.Args()
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.Index(args, "-bios"); i < 0 || i+1 == len(args) || args[i+1] != img {
		t.Errorf("command line %q: want -bios %s", args, img)
	}
	other, err := SavedGuestPath(&only, dir)
	if err != nil {
		t.Fatal(err)
	}
	if other == seabios {
		t.Errorf("another firmware, the same saved guest %s", other)
	}
}
