package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goerst/erst/internal/vm"
)

func TestFirmwareFlag(t *testing.T) {
	o, err := parseFlags([]string{"--", "info"}, &bytes.Buffer{})
	if err != nil || o.firmware != (vm.Firmware{Name: vm.SeaBIOS}) {
		t.Errorf("default -firmware: %+v, %v; want SeaBIOS", o, err)
	}
	img := filepath.Join(t.TempDir(), "my.fd")
	if err := os.WriteFile(img, []byte("firmware"), 0o644); err != nil {
		t.Fatal(err)
	}
	o, err = parseFlags([]string{"-firmware", img, "--", "info"}, &bytes.Buffer{})
	if err != nil || o.firmware.BIOS != img || !o.firmware.Compressed {
		t.Errorf("-firmware %s: %+v, %v", img, o, err)
	}
	missing := filepath.Join(t.TempDir(), "missing.fd")
	var stderr bytes.Buffer
	code := run(context.Background(), []string{"-firmware", missing, "--", "info"}, &bytes.Buffer{}, &stderr)
	if code != exitUsage || !strings.Contains(stderr.String(), "-firmware "+missing) || strings.Count(stderr.String(), "\n") != 1 {
		t.Errorf("-firmware %s: exit %d, stderr %q; want %d and one line naming it", missing, code, stderr.String(), exitUsage)
	}
}
