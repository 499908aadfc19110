package images_test

import (
	"bytes"
	"debug/pe"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goerst/erst/images"
)

// TestLiveImageBuild builds a stick image from a stand-in kernel and
// initramfs and reads it back: a GPT with one EFI system partition at
// LiveESPOffset, \EFI\BOOT\BOOTX64.EFI a PE image whose .linux, .initrd
// and .cmdline sections hold exactly what was given, and the marker.
func TestLiveImageBuild(t *testing.T) {
	for _, tool := range []string{"objcopy", "mtype", "mcopy"} {
		if _, err := exec.LookPath(tool); err != nil {
			skipUnlessCI(t, "no %s: %v", tool, err)
		}
	}
	if _, err := os.Stat(images.DefaultStub); err != nil {
		skipUnlessCI(t, "no systemd EFI stub: %v", err)
	}
	dir := t.TempDir()
	kernel := filepath.Join(dir, "vmlinuz")
	initramfs := filepath.Join(dir, "initramfs.cpio")
	kb := bytes.Repeat([]byte("kernel"), 100000)
	ib := bytes.Repeat([]byte("initramfs"), 70000)
	os.WriteFile(kernel, kb, 0o644)
	os.WriteFile(initramfs, ib, 0o644)
	img := filepath.Join(dir, "erst-live.img")
	const cmdline = "console=ttyS0 erst_disable"
	if err := (images.LiveImage{Kernel: kernel, Initramfs: initramfs, Cmdline: cmdline}).Build(img); err != nil {
		t.Fatal(err)
	}
	disk, err := os.ReadFile(img)
	if err != nil {
		t.Fatal(err)
	}
	// The GPT header (LBA 1) and its first entry (LBA 2): the ESP type
	// GUID C12A7328-F81F-11D2-BA4B-00A0C93EC93B, from LiveESPOffset.
	if string(disk[512:520]) != "EFI PART" {
		t.Fatalf("no GPT header: %q", disk[512:520])
	}
	esp := []byte{0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11, 0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b}
	entry := disk[1024 : 1024+128]
	if !bytes.Equal(entry[:16], esp) {
		t.Errorf("partition 1 type % x, want the EFI system partition", entry[:16])
	}
	if first := binary.LittleEndian.Uint64(entry[32:]); first*512 != images.LiveESPOffset {
		t.Errorf("partition 1 starts at LBA %d, want %d", first, images.LiveESPOffset/512)
	}
	if last := binary.LittleEndian.Uint64(entry[40:]); last*512 < images.LiveESPOffset+32<<20 || (last+1)*512 > uint64(len(disk)) {
		t.Errorf("partition 1 ends at LBA %d in a disk of %d bytes", last, len(disk))
	}

	efi := filepath.Join(dir, "BOOTX64.EFI")
	mtools(t, "mcopy", "-i", img+"@@1M", "::/EFI/BOOT/BOOTX64.EFI", efi)
	f, err := pe.Open(efi)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for name, want := range map[string][]byte{".linux": kb, ".initrd": ib, ".cmdline": []byte(cmdline + "\x00")} {
		s := f.Section(name)
		if s == nil {
			t.Errorf("no %s section", name)
			continue
		}
		got, err := s.Data()
		if err != nil {
			t.Fatal(err)
		}
		if len(got) > len(want) { // the file size is rounded to the file alignment
			got = got[:len(want)]
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s holds %d bytes that differ from the %d given", name, len(got), len(want))
		}
	}
	if out := mtools(t, "mtype", "-i", img+"@@1M", "::/"+images.LiveMarker); !strings.Contains(out, "ERST live check") {
		t.Errorf("marker: %q", out)
	}
}

// TestLiveImageMissingKernel: a kernel that is not there is an error
// naming it, and no image is left behind.
func TestLiveImageMissingKernel(t *testing.T) {
	if _, err := os.Stat(images.DefaultStub); err != nil {
		skipUnlessCI(t, "no systemd EFI stub: %v", err)
	}
	dir := t.TempDir()
	img := filepath.Join(dir, "erst-live.img")
	err := (images.LiveImage{Kernel: filepath.Join(dir, "nope"), Initramfs: filepath.Join(dir, "nope")}).Build(img)
	if err == nil || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("err = %v, want one naming the missing kernel", err)
	}
	if _, err := os.Stat(img); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an image was left: %v", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("left in the output directory: %v", ents)
	}
}

func mtools(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), "MTOOLS_SKIP_CHECK=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v: %s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func skipUnlessCI(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true: "+format+" (make deps installs it)", args...)
	}
	t.Skipf(format, args...)
}
