package vm

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// NewConfig assembles the store, kernel, initramfs and firmware, and its
// errors name the part they are about.
func TestNewConfig(t *testing.T) {
	dir := t.TempDir()
	kernel, initramfs := filepath.Join(dir, "vmlinuz-6.1.0-1-amd64"), filepath.Join(dir, "initramfs.cpio")
	for _, f := range []string{kernel, initramfs} {
		if err := os.WriteFile(f, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	store := filepath.Join(dir, "nvram.img")
	s := Setup{Machine: "pc", Store: store, RecordSize: 8192, Kernel: kernel, Initramfs: initramfs, Cmdline: "console=ttyS0"}
	c, err := NewConfig(s)
	if err != nil {
		t.Fatal(err)
	}
	if c.Store != store || c.StoreSize != 64<<10 || c.RecordSize != 8192 || c.Initramfs != initramfs || c.Kernel == "" || c.Machine != "pc" || c.Cmdline != "console=ttyS0" || c.BIOS != "" {
		t.Errorf("config %+v", c)
	}
	s.StoreSize = 12345
	if _, err := NewConfig(s); err == nil || !strings.HasPrefix(err.Error(), "store "+store+":") {
		t.Errorf("bad store size: %v, want an error naming the store", err)
	}
	s.StoreSize, s.Kernel = 0, filepath.Join(dir, "missing")
	if _, err := NewConfig(s); !errors.Is(err, ErrImages) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing kernel: %v, want ErrImages", err)
	}
}
