package images

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// signed appends a signature of n bytes to body as sign-file does.
func signed(body []byte, n int) []byte {
	info := make([]byte, 12)
	binary.BigEndian.PutUint32(info[8:], uint32(n))
	return bytes.Join([][]byte{body, bytes.Repeat([]byte{0xAB}, n), info, []byte(moduleSigMarker)}, nil)
}

func TestStripSignature(t *testing.T) {
	body := []byte("\x7fELF module body")
	for _, tc := range []struct {
		name string
		in   []byte
		want []byte
		err  error
	}{
		{"signed", signed(body, 512), body, nil},
		{"unsigned", body, body, nil},
		{"empty signature", signed(body, 0), body, nil},
		{"length beyond the file", signed(body, 512)[len(body)+500:], nil, ErrBadModuleSignature},
		{"marker alone", []byte(moduleSigMarker), nil, ErrBadModuleSignature},
	} {
		got, err := StripSignature(tc.in)
		if !errors.Is(err, tc.err) || !bytes.Equal(got, tc.want) {
			t.Errorf("%s: StripSignature = %q, %v; want %q, %v", tc.name, got, err, tc.want, tc.err)
		}
	}
}

func TestEnforcesSignatures(t *testing.T) {
	dir := t.TempDir()
	k := Kernel{Path: filepath.Join(dir, "vmlinuz-9.9"), Version: "9.9"}
	if !k.EnforcesSignatures() {
		t.Error("no config: want the safe answer, yes")
	}
	for cfg, want := range map[string]bool{
		"CONFIG_MODULE_SIG=y\n# CONFIG_MODULE_SIG_FORCE is not set\n": false,
		"CONFIG_MODULE_SIG=y\nCONFIG_MODULE_SIG_FORCE=y\n":            true,
	} {
		if err := os.WriteFile(filepath.Join(dir, "config-9.9"), []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := k.EnforcesSignatures(); got != want {
			t.Errorf("config %q: EnforcesSignatures = %v, want %v", cfg, got, want)
		}
	}
}

// The installed kernel's modules lose their signature and nothing else.
func TestStageModulesInstalledKernel(t *testing.T) {
	k := installedKernel(t)
	mods, err := k.ModuleFiles()
	if err != nil {
		t.Fatal(err)
	}
	specs, err := k.StageModules(mods, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for i, spec := range specs {
		src, dst, _ := strings.Cut(spec, ":")
		if dst != mods[i].Dst {
			t.Errorf("%s: staged as %s, want %s", mods[i].Name, dst, mods[i].Dst)
		}
		orig, err := os.ReadFile(mods[i].Src)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case k.EnforcesSignatures():
			if !bytes.Equal(got, orig) {
				t.Errorf("%s: changed though the kernel enforces signatures", mods[i].Name)
			}
		case !bytes.HasPrefix(orig, got) || bytes.HasSuffix(got, []byte(moduleSigMarker)) || !bytes.HasPrefix(got, []byte("\x7fELF")):
			t.Errorf("%s: staged %d bytes of %d, not the module without its signature", mods[i].Name, len(got), len(orig))
		}
	}
}
