package images

import (
	"debug/pe"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// LiveCommand is the init program of the bootable ERST check (make
// image): it runs package livecheck on the live device.
const LiveCommand = ModulePath + "/images/erstlive"

// LiveModules are the kernel modules of the bootable image, in load
// order: what a real machine needs to find its own USB stick and write
// the report on it (the USB host controllers, usb-storage and uas, SCSI
// disks, FAT with the code pages vfat mounts with). Debian builds them
// all as modules; the CRC modules are sd_mod's (t10-pi) dependencies.
func LiveModules() []string {
	return []string{
		"usb_common", "usbcore", "xhci_hcd", "xhci_pci", "ehci_hcd", "ehci_pci", "ohci_hcd", "ohci_pci", "uhci_hcd",
		"scsi_common", "scsi_mod", "crct10dif_common", "crct10dif_generic", "crc_t10dif", "crc64", "crc64_rocksoft_generic", "crc64_rocksoft", "t10_pi",
		"sd_mod", "usb_storage", "uas",
		"fat", "vfat", "nls_cp437", "nls_ascii", "nls_utf8", "nls_iso8859_1",
	}
}

// LiveConfig is c for the bootable image's initramfs: erst and
// [LiveCommand] (its uinit), [LiveModules].
func LiveConfig(c Config) Config {
	c.Uinit = "erstlive"
	c.Commands = []string{ErstCommand, LiveCommand}
	c.Modules = LiveModules()
	return c
}

// LiveCmdline is the kernel command line baked into the image: the
// console on the screen and the first serial port, and erst_disable so
// that the check, not Linux's ERST driver, owns the device.
const LiveCmdline = "console=ttyS0,115200 console=tty0 erst_disable panic=30"

// The stick's marker and label: the init program looks for the FAT file
// system holding [LiveMarker] (package livecheck's Dir and MarkerFile).
const (
	LiveMarker = "erst/erst-live"
	LiveLabel  = "ERSTLIVE"
)

// DefaultStub is Debian's systemd EFI stub (package systemd-boot-efi).
const DefaultStub = "/usr/lib/systemd/boot/efi/linuxx64.efi.stub"

// LiveImage describes the bootable image to build.
type LiveImage struct {
	// Kernel is the bzImage (EFI stub kernel) to boot.
	Kernel string
	// Initramfs is the initramfs (Build with LiveConfig).
	Initramfs string
	// Cmdline is the kernel command line; default LiveCmdline.
	Cmdline string
	// Stub is the systemd EFI stub; default DefaultStub.
	Stub string
	// Readme, when set, is copied to the stick as \erst\README.txt.
	Readme string
}

// ErrLiveTool: a program the image build needs is missing.
var ErrLiveTool = errors.New("missing a tool the image needs (make deps installs systemd-boot-efi, mtools, dosfstools, fdisk)")

// LiveESPOffset is where the EFI system partition starts: 1 MiB, the usual
// alignment.
const LiveESPOffset = 1 << 20

// Build writes the disk image at out: a GPT disk with one EFI system
// partition (FAT32, label [LiveLabel]) holding \EFI\BOOT\BOOTX64.EFI, a
// unified kernel image (the systemd stub with the kernel, initramfs and
// command line as PE sections), and the \erst directory with its
// marker. It needs no root: objcopy makes the UKI, mkfs.fat formats a
// file, mtools fills it, sfdisk partitions the disk file.
func (l LiveImage) Build(out string) error {
	if l.Cmdline == "" {
		l.Cmdline = LiveCmdline
	}
	if l.Stub == "" {
		l.Stub = DefaultStub
	}
	for _, tool := range []string{"objcopy", "mkfs.fat", "mcopy", "mmd", "sfdisk"} {
		if _, err := lookTool(tool); err != nil {
			return fmt.Errorf("%s: %w", tool, ErrLiveTool)
		}
	}
	if _, err := os.Stat(l.Stub); err != nil {
		return fmt.Errorf("the EFI stub: %w (%w)", err, ErrLiveTool)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(out), ".erst-live-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	uki := filepath.Join(tmp, "BOOTX64.EFI")
	if err := l.uki(tmp, uki); err != nil {
		return err
	}
	fi, err := os.Stat(uki)
	if err != nil {
		return err
	}
	// FAT32 wants at least 65525 clusters: 33 MiB of 512-byte ones.
	fatSize := max(roundUp(fi.Size()+8<<20, 1<<20), 64<<20)
	fat := filepath.Join(tmp, "esp.fat")
	if err := run("mkfs.fat", "-F", "32", "-S", "512", "-s", "1", "-h", fmt.Sprint(LiveESPOffset/512), "-n", LiveLabel, "-i", "e2570000",
		"-C", fat, fmt.Sprint(fatSize/1024)); err != nil {
		return err
	}
	marker := filepath.Join(tmp, "marker")
	if err := os.WriteFile(marker, []byte("This FAT file system is the stick of the ERST live check: its report goes to \\erst.\r\n"), 0o644); err != nil {
		return err
	}
	mt := func(args ...string) error { return run(args[0], append([]string{"-i", fat}, args[1:]...)...) }
	steps := [][]string{
		{"mmd", "::/EFI", "::/EFI/BOOT", "::/erst"},
		{"mcopy", uki, "::/EFI/BOOT/BOOTX64.EFI"},
		{"mcopy", marker, "::/" + LiveMarker},
	}
	if l.Readme != "" {
		steps = append(steps, []string{"mcopy", l.Readme, "::/erst/README.txt"})
	}
	for _, s := range steps {
		if err := mt(s...); err != nil {
			return err
		}
	}
	disk := filepath.Join(tmp, "disk.img")
	total := LiveESPOffset + fatSize + 1<<20 // room for the backup GPT
	if err := writeDisk(disk, fat, total); err != nil {
		return err
	}
	script := fmt.Sprintf("label: gpt\nfirst-lba: %d\nstart=%d, size=%d, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name=\"%s\"\n",
		LiveESPOffset/512, LiveESPOffset/512, fatSize/512, LiveLabel)
	sfdisk, _ := lookTool("sfdisk")
	cmd := exec.Command(sfdisk, "--no-reread", "--no-tell-kernel", "-q", disk)
	cmd.Stdin = strings.NewReader(script)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("sfdisk: %w: %s", err, strings.TrimSpace(string(b)))
	}
	return os.Rename(disk, out)
}

// writeDisk makes a disk file of size bytes with fat at LiveESPOffset.
func writeDisk(disk, fat string, size int64) error {
	src, err := os.Open(fat)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.Create(disk)
	if err != nil {
		return err
	}
	err = dst.Truncate(size)
	if err == nil {
		_, err = io.Copy(io.NewOffsetWriter(dst, LiveESPOffset), src)
	}
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	return err
}

// uki builds the unified kernel image: the stub with .osrel, .cmdline,
// .linux and .initrd sections placed after its own, each aligned to the
// stub's section alignment (the systemd-stub(7) objcopy recipe).
func (l LiveImage) uki(tmp, out string) error {
	f, err := pe.Open(l.Stub)
	if err != nil {
		return fmt.Errorf("%s: %w", l.Stub, err)
	}
	oh, ok := f.OptionalHeader.(*pe.OptionalHeader64)
	var end uint64
	for _, s := range f.Sections {
		end = max(end, uint64(s.VirtualAddress)+uint64(max(s.VirtualSize, s.Size)))
	}
	f.Close()
	if !ok {
		return fmt.Errorf("%s: not a PE32+ image", l.Stub)
	}
	align := uint64(max(oh.SectionAlignment, 4096))
	osrel := filepath.Join(tmp, "os-release")
	cmdline := filepath.Join(tmp, "cmdline")
	if err := os.WriteFile(osrel, []byte("NAME=\"ERST live check\"\nID=erst-live\nPRETTY_NAME=\"ERST live check\"\n"), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(cmdline, []byte(l.Cmdline+"\x00"), 0o644); err != nil {
		return err
	}
	args := []string{}
	vma := oh.ImageBase + roundUpU(end, align)
	for _, s := range []struct{ name, file string }{{".osrel", osrel}, {".cmdline", cmdline}, {".linux", l.Kernel}, {".initrd", l.Initramfs}} {
		fi, err := os.Stat(s.file)
		if err != nil {
			return err
		}
		args = append(args, "--add-section", s.name+"="+s.file, "--change-section-vma", fmt.Sprintf("%s=%#x", s.name, vma))
		vma = roundUpU(vma+uint64(fi.Size()), align)
	}
	return run("objcopy", append(args, l.Stub, out)...)
}

func roundUp(v, a int64) int64    { return (v + a - 1) / a * a }
func roundUpU(v, a uint64) uint64 { return (v + a - 1) / a * a }

// lookTool finds a tool in PATH or in the sbin directories, where Debian
// puts mkfs.fat and sfdisk outside root's PATH.
func lookTool(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, d := range []string{"/usr/sbin", "/sbin"} {
		p := filepath.Join(d, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p, nil
		}
	}
	return "", exec.ErrNotFound
}

func run(name string, args ...string) error {
	p, err := lookTool(name)
	if err != nil {
		return fmt.Errorf("%s: %w", name, ErrLiveTool)
	}
	cmd := exec.Command(p, args...)
	cmd.Env = append(os.Environ(), "MTOOLS_SKIP_CHECK=1")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %w: %s", name, err, strings.TrimSpace(string(b)))
	}
	return nil
}
