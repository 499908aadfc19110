// Package virtioport finds a virtio-serial port by the name QEMU gave it
// (virtserialport name=), in a Linux guest, and serves one whose host side
// may not be connected yet: erst serve and the guest agent's exec mode
// talk to the host over such a port.
package virtioport

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Dir is where the kernel lists virtio-serial ports
// (drivers/char/virtio_console.c): Dir/vportNpM/name holds the name QEMU
// gave the port, and /dev/vportNpM is its device.
const Dir = "/sys/class/virtio-ports"

// Wait is how long a guest program should let Find wait for its port:
// the virtio_console module is loaded just before it starts.
const Wait = 10 * time.Second

// Find returns the device of the port called name, waiting up to wait for
// it to appear (the virtio_console module may still be probing).
func Find(name string, wait time.Duration) (string, error) { return find("/", name, wait) }

// find is Find in the tree at root.
func find(root, name string, wait time.Duration) (string, error) {
	deadline := time.Now().Add(wait)
	for {
		if p := filepath.Join(root, "dev/virtio-ports", name); exists(p) {
			return p, nil
		}
		names, _ := filepath.Glob(filepath.Join(root, Dir, "*", "name"))
		for _, n := range names {
			b, err := os.ReadFile(n)
			if err == nil && strings.TrimSpace(string(b)) == name {
				if p := filepath.Join(root, "dev", filepath.Base(filepath.Dir(n))); exists(p) {
					return p, nil
				}
			}
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("no virtio-serial port named %q in %s after %v", name, Dir, wait)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
