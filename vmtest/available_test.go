package vmtest

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Available names every missing piece, with how to install it, and
// nothing else.
func TestAvailableFor(t *testing.T) {
	dir := t.TempDir()
	kernel := filepath.Join(dir, "vmlinuz-6.1.0-1-amd64")
	if err := os.WriteFile(kernel, []byte("kernel"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := AvailableFor(Options{QEMU: "true", Kernel: kernel}); err != nil {
		t.Errorf("with QEMU and a kernel: %v, want nil", err)
	}
	err := AvailableFor(Options{QEMU: filepath.Join(dir, "no-qemu"), Kernel: filepath.Join(dir, "no-kernel"), Firmware: filepath.Join(dir, "no.fd")})
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("with nothing: %v, want ErrUnavailable", err)
	}
	for _, want := range []string{"QEMU", "apt-get install qemu-system-x86", "kernel", "linux-image-amd64", "no.fd"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error %q spans lines", err)
	}
}
