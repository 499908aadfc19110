package virtioport

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFind(t *testing.T) {
	root := t.TempDir()
	for path, content := range map[string]string{
		"sys/class/virtio-ports/vport0p1/name": "cmd.0\n",
		"sys/class/virtio-ports/vport0p2/name": "erst.0\n",
		"dev/vport0p1":                         "",
		"dev/vport0p2":                         "",
		"dev/virtio-ports/linked.0":            "", // udev's symlink, where there is udev
	} {
		p := filepath.Join(root, path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, want := range map[string]string{"cmd.0": "dev/vport0p1", "erst.0": "dev/vport0p2", "linked.0": "dev/virtio-ports/linked.0"} {
		if got, err := find(root, name, 0); err != nil || got != filepath.Join(root, want) {
			t.Errorf("find(%q) = %q, %v; want %s", name, got, err, want)
		}
	}
	if got, err := find(root, "missing.0", 0); err == nil || !strings.Contains(err.Error(), `"missing.0"`) {
		t.Errorf("find(missing.0) = %q, %v; want an error naming the port", got, err)
	}
}
