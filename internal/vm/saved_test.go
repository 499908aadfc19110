package vm

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeConfig is a Config whose QEMU, kernel and initramfs are files in dir.
func fakeConfig(t *testing.T, dir string) *Config {
	t.Helper()
	c := &Config{Machine: "q35", Accel: "tcg", Memory: "512", Cmdline: "console=ttyS0", StoreSize: 64 << 10, RecordSize: 8192}
	for _, f := range []struct {
		p    *string
		name string
	}{{&c.QEMU, "qemu"}, {&c.Kernel, "vmlinux"}, {&c.Initramfs, "initramfs.cpio"}} {
		*f.p = filepath.Join(dir, f.name)
		if err := os.WriteFile(*f.p, []byte(f.name), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func TestCachedGuestKey(t *testing.T) {
	dir := t.TempDir()
	c := fakeConfig(t, dir)
	a, err := SavedGuestPath(c, dir)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := SavedGuestPath(c, dir); b != a {
		t.Errorf("the same config gave %s and %s", a, b)
	}
	pc := *c
	pc.Machine = "pc"
	bigger := *c
	bigger.StoreSize = 1 << 20
	// erstvm's guest and the harness's have the same kernel, initramfs,
	// machine and store, but not the same ports and shares: QEMU resumes
	// neither's state in the other's devices.
	plain, serving := *c, *c
	plain.Shares = []Share{{Dir: dir, Tag: "work"}, {Dir: dir, Tag: "control"}}
	plain.Ports = []Port{{Name: ExecPort, Socket: filepath.Join(dir, "exec.sock")}}
	serving.Shares = plain.Shares
	serving.Ports = []Port{{Name: "erst.0", Socket: filepath.Join(dir, "serve.sock")}, plain.Ports[0]}
	p, _ := SavedGuestPath(&plain, dir)
	if b, _ := SavedGuestPath(&serving, dir); b == p {
		t.Errorf("another set of ports, the same saved guest %s", p)
	}
	// Where the sockets and shared directories are is the host's side:
	// not part of the saved state.
	moved := plain
	moved.Shares = []Share{{Dir: t.TempDir(), Tag: "work"}, {Dir: t.TempDir(), Tag: "control"}}
	moved.Ports = []Port{{Name: ExecPort, Socket: filepath.Join(t.TempDir(), "exec.sock")}}
	if b, _ := SavedGuestPath(&moved, dir); b != p {
		t.Errorf("other host directories and sockets gave another saved guest, %s, not %s", b, p)
	}
	for what, other := range map[string]*Config{"machine": &pc, "store size": &bigger} {
		if b, _ := SavedGuestPath(other, dir); b == a {
			t.Errorf("another %s, the same saved guest %s", what, a)
		}
	}
	// A rebuilt initramfs is another guest.
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(c.Initramfs, later, later); err != nil {
		t.Fatal(err)
	}
	if b, _ := SavedGuestPath(c, dir); b == a {
		t.Errorf("a rebuilt initramfs kept the saved guest %s", a)
	}
}

func TestPruneStale(t *testing.T) {
	dir := t.TempDir()
	c := fakeConfig(t, dir)
	save := func(name string) string {
		k, err := keyFor(c)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(k)
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("state"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p+".json", b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	old := save("guest-old.state")
	if err := os.WriteFile(c.Initramfs, []byte("rebuilt initramfs"), 0o644); err != nil {
		t.Fatal(err)
	}
	current := save("guest-current.state")
	pruneStale(dir)
	for p, want := range map[string]bool{old: false, old + ".json": false, current: true, current + ".json": true} {
		if _, err := os.Stat(p); (err == nil) != want {
			t.Errorf("%s: kept %v, want %v", filepath.Base(p), err == nil, want)
		}
	}
}

func TestEnsureSavedRefusesForeignFile(t *testing.T) {
	dir := t.TempDir()
	c := fakeConfig(t, dir)
	foreign := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(foreign, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := EnsureSaved(context.Background(), c, Saved{Path: foreign, Logf: t.Logf})
	if err == nil || !strings.Contains(err.Error(), "not a guest saved here") {
		t.Errorf("ensureSaved over a file erstvm did not write: %v", err)
	}
	if b, _ := os.ReadFile(foreign); string(b) != "mine" {
		t.Errorf("the file now holds %q", b)
	}
}
