package vmtest

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goerst/erst/internal/vm"
)

// A firmware that cannot be used is refused before anything is built or
// started, with an error naming it.
func TestStartBadFirmware(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.fd")
	g, err := Start(context.Background(), Options{Store: filepath.Join(t.TempDir(), "s"), Firmware: missing})
	if g != nil || !errors.Is(err, vm.ErrFirmware) || !strings.Contains(err.Error(), missing) {
		t.Errorf("Start with -firmware %s: %v, %v; want an ErrFirmware naming it", missing, g, err)
	}
}

// A guest that never ran cannot be reset.
func TestResetNotRunning(t *testing.T) {
	var g Guest
	if err := g.Reset(context.Background()); !errors.Is(err, ErrNotRunning) {
		t.Errorf("Reset of a guest that never ran: %v, want ErrNotRunning", err)
	}
}

// A LinuxERST guest runs no erst serve to come back to: Reset refuses it.
func TestResetLinuxERST(t *testing.T) {
	g := Guest{o: Options{LinuxERST: true}}
	if err := g.Reset(context.Background()); !errors.Is(err, ErrLinuxERST) {
		t.Errorf("Reset of a LinuxERST guest: %v, want ErrLinuxERST", err)
	}
}
