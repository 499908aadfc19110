//go:build vmtest

package vmtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/goerst/erst/images"
)

// The VM tests run in parallel (t.Parallel; go test's -parallel, by
// default the number of cores, bounds how many guests run at once): each
// guest keeps one core busy under TCG, and a test's host work (building,
// comparing) overlaps another's boot. What they share is set up once,
// here, before any of them starts, so that none of them races another
// building it:
//   - the guest image and the uncompressed kernel (images.Resolve), which
//     every erstvm run and harness guest would otherwise build or extract
//     on its own;
//   - the module's commands (buildCommand), built once each.
func TestMain(m *testing.M) {
	if _, err := exec.LookPath("qemu-system-x86_64"); err == nil {
		start := time.Now()
		if _, _, err := images.Resolve("", "", "", logLine); err != nil {
			// Each test that boots says so again, and fails or skips.
			logLine("vmtest: the guest image: %v", err)
		} else {
			logLine("vmtest: guest image ready in %.1fs", time.Since(start).Seconds())
		}
	}

	code := m.Run()
	if shared.g != nil {
		logLine("vmtest: the shared guest booted %d times", shared.g.Boots())
		shared.g.Close()
	}
	for _, dir := range []string{shared.dir, commands.dir} {
		if dir != "" {
			os.RemoveAll(dir)
		}
	}
	os.Exit(code)
}

// commands are the module's commands buildCommand built, by package.
var commands struct {
	mu   sync.Mutex
	dir  string
	bins map[string]*builtCommand
}

type builtCommand struct {
	once     sync.Once
	bin, src string
	err      error
}

// buildCommand builds the module's command pkg (e.g. "./cmd/erst") once
// for the whole run and returns the binary and the module's root.
func buildCommand(t testing.TB, pkg string) (bin, src string) {
	t.Helper()
	commands.mu.Lock()
	if commands.bins == nil {
		commands.bins = map[string]*builtCommand{}
	}
	c := commands.bins[pkg]
	if c == nil {
		c = &builtCommand{}
		commands.bins[pkg] = c
	}
	if commands.dir == "" {
		var err error
		if commands.dir, err = os.MkdirTemp("", "vmtest-bin-"); err != nil {
			commands.mu.Unlock()
			t.Fatal(err)
		}
	}
	dir := commands.dir
	commands.mu.Unlock()
	c.once.Do(func() {
		if c.src, c.err = filepath.Abs(".."); c.err != nil {
			return
		}
		c.bin = filepath.Join(dir, filepath.Base(pkg))
		build := exec.Command("go", "build", "-o", c.bin, pkg)
		build.Dir = c.src
		if out, err := build.CombinedOutput(); err != nil {
			c.err = fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
		}
	})
	if c.err != nil {
		t.Fatal(c.err)
	}
	return c.bin, c.src
}
