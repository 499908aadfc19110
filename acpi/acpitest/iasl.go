package acpitest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// Iasl returns the path of ACPICA's iasl. When iasl is not on PATH it
// fails the test under CI (environment CI=true), where the comparison
// with ACPICA must run, and skips it elsewhere; both say to install
// acpica-tools.
func Iasl(tb testing.TB) string {
	tb.Helper()
	path, err := exec.LookPath("iasl")
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" {
		tb.Fatalf("iasl is not on PATH (%v) but CI=true: install acpica-tools (Debian/Ubuntu: apt-get install acpica-tools) so the tables can be compared with ACPICA's disassembly", err)
	}
	tb.Skipf("iasl is not on PATH (%v): install acpica-tools (Debian/Ubuntu: apt-get install acpica-tools) to compare with ACPICA's disassembly", err)
	return ""
}

// IaslTimeout bounds one iasl run. iasl 20200925 loops forever on some
// malformed tables (a Length that is not 48 + 32*n and shorter than the
// file); the generated tables avoid those, and the timeout turns any other
// hang into a test failure.
const IaslTimeout = 2 * time.Minute

// IaslDisassemble runs `iasl -d` on the tables named by paths, which must
// all be in one directory; iasl writes NAME.dsl beside each NAME.dat. It
// hands iasl many files per run, runs one batch per CPU in parallel, and
// returns the text of each .dsl, keyed by the table's path.
func IaslDisassemble(iasl string, paths []string) (map[string][]byte, error) {
	if len(paths) == 0 {
		return map[string][]byte{}, nil
	}
	dir := filepath.Dir(paths[0])
	names := make([]string, len(paths))
	for i, p := range paths {
		if filepath.Dir(p) != dir {
			return nil, fmt.Errorf("%s is not in %s: give iasl one directory", p, dir)
		}
		names[i] = filepath.Base(p)
	}
	ctx, cancel := context.WithTimeout(context.Background(), IaslTimeout)
	defer cancel()

	workers := min(runtime.NumCPU(), len(names))
	per := (len(names) + workers - 1) / workers
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []string
	)
	for start := 0; start < len(names); start += per {
		batch := names[start:min(start+per, len(names))]
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.CommandContext(ctx, iasl, append([]string{"-d"}, batch...)...)
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			if err != nil {
				mu.Lock()
				errs = append(errs, fmt.Sprintf("iasl -d %s ... (%d files): %v: %s", batch[0], len(batch), err, lastLines(out, 5)))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return nil, fmt.Errorf("iasl did not finish within %v: %s", IaslTimeout, strings.Join(errs, "; "))
	}
	res := make(map[string][]byte, len(paths))
	for _, p := range paths {
		dsl, err := os.ReadFile(strings.TrimSuffix(p, filepath.Ext(p)) + ".dsl")
		if err != nil {
			return nil, fmt.Errorf("iasl wrote no disassembly of %s (%v): %s", p, err, strings.Join(errs, "; "))
		}
		res[p] = dsl
	}
	return res, nil
}

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
