//go:build vmtest

package vmtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/acpi/acpitest"
	"github.com/goerst/erst/images"
)

// The corpus's QEMU 7.2 tables, read from guests' /sys/firmware/acpi/tables/ERST.
var corpusTables = map[string]string{
	"q35": "eebf1dc4571b2072.dat",
	"pc":  "fb3ea5e7280d5c5c.dat",
}

// cmdResult is what one run of a command gave.
type cmdResult struct {
	code           int
	stdout, stderr []byte
	wall           time.Duration
}

// runCommand runs bin with args in dir and returns its exit code and
// output; failing to start it fails the test.
func runCommand(t testing.TB, bin, dir string, args ...string) cmdResult {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := cmdResult{stdout: stdout.Bytes(), stderr: stderr.Bytes(), wall: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("%s %q: %v", filepath.Base(bin), args, err)
	}
	return r
}

// erstvmRunner builds cmd/erstvm (once for the run) and returns a
// function that runs it in dir, for t.
func erstvmRunner(t testing.TB) func(dir string, args ...string) cmdResult {
	prerequisites(t)
	bin, src := buildCommand(t, "./cmd/erstvm")
	return func(dir string, args ...string) cmdResult {
		t.Helper()
		r := runCommand(t, bin, dir, append([]string{"-src", src}, args...)...)
		t.Logf("erstvm %s: exit %d in %.1fs", strings.Join(args, " "), r.code, r.wall.Seconds())
		return r
	}
}

// TestErstvm runs guest commands through erstvm: the live table against
// the corpus (a file the guest writes in the shared working directory),
// the exit status, separate stdout and stderr, the timeout, and
// -linux-erst.
func TestErstvm(t *testing.T) {
	t.Parallel()
	prerequisites(t)
	// Build (or find) the initramfs first, without a boot, so that the
	// boots' logged times are boots.
	if _, _, err := images.Resolve("", "", "", t.Logf); err != nil {
		t.Fatal(err)
	}

	t.Run("table-json", func(t *testing.T) {
		t.Parallel()
		erstvm := erstvmRunner(t)
		dir := t.TempDir()
		r := erstvm(dir, "-v", "--", "table", "-json")
		if r.code != 0 {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
		if !json.Valid(r.stdout) || !bytes.Contains(r.stdout, []byte("ERST")) {
			t.Errorf("stdout is not JSON about ERST: %.200q", r.stdout)
		}
		logTimings(t, r.stderr)
		if _, err := os.Stat(filepath.Join(dir, "erst.backing")); err != nil {
			t.Errorf("the default store was not created in the working directory: %v", err)
		}
	})

	// The live table, copied by the guest into the shared working
	// directory (which checks that too).
	for _, machine := range []string{"q35", "pc"} {
		t.Run("live-table-"+machine, func(t *testing.T) {
			t.Parallel()
			erstvm := erstvmRunner(t)
			dir := t.TempDir()
			r := erstvm(dir, "-machine", machine, "-v", "-run", "cp", "--", "/sys/firmware/acpi/tables/ERST", "ERST.dat")
			if r.code != 0 {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			logTimings(t, r.stderr)
			got, err := os.ReadFile(filepath.Join(dir, "ERST.dat"))
			if err != nil || len(got) < acpi.ERSTHeaderSize || string(got[:4]) != "ERST" {
				t.Fatalf("the guest's copy in the working directory: %v, %.8q", err, got)
			}
			want, err := os.ReadFile(acpitest.CorpusFile(t, corpusTables[machine]))
			if err != nil {
				t.Fatal(err)
			}
			sameStructure(t, got, want)
		})
	}

	// Through -resume: the first run boots and saves the guest, the second
	// resumes it (and its device sees the other store).
	t.Run("exit-status-and-streams-resumed", func(t *testing.T) {
		t.Parallel()
		erstvm := erstvmRunner(t)
		saved := filepath.Join(t.TempDir(), "booted.state")
		r := erstvm(t.TempDir(), "-v", "-resume", saved, "--", "no-such-subcommand")
		if r.code != 2 || len(r.stdout) != 0 || !bytes.Contains(r.stderr, []byte("unknown subcommand")) {
			t.Errorf("erst no-such-subcommand: exit %d, stdout %q, stderr %q; want 2, nothing, the usage error", r.code, r.stdout, r.stderr)
		}
		if !bytes.Contains(r.stderr, []byte("booting a guest to save in")) {
			t.Errorf("the first -resume %s did not say it boots to save: %q", saved, r.stderr)
		}
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "here.txt"), []byte("hello from the host\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		r = erstvm(dir, "-v", "-resume", saved, "-store", "s.backing", "-store-size", "64K", "-run", "cat", "--", "here.txt", "missing.txt")
		if r.code != 1 || string(r.stdout) != "hello from the host\n" || !bytes.Contains(r.stderr, []byte("missing.txt")) {
			t.Errorf("cat here.txt missing.txt: exit %d, stdout %q, stderr %q; want 1, here.txt's text on stdout, the error on stderr", r.code, r.stdout, r.stderr)
		}
		if bytes.Contains(r.stderr, []byte("booting a guest")) || !bytes.Contains(r.stderr, []byte("reached resumed")) {
			t.Errorf("the second -resume did not resume: %q", r.stderr)
		}
		if fi, err := os.Stat(filepath.Join(dir, "s.backing")); err != nil || fi.Size() != 64<<10 {
			t.Errorf("-store s.backing -store-size 64K: %v, %v", fi, err)
		}
		// A file erstvm did not save is not replaced.
		foreign := filepath.Join(dir, "here.txt")
		r = erstvm(dir, "-resume", foreign, "--", "info")
		if got, _ := os.ReadFile(foreign); r.code != 125 || !bytes.Contains(r.stderr, []byte("not a guest saved here")) || string(got) != "hello from the host\n" {
			t.Errorf("-resume here.txt: exit %d, stderr %q, file now %q; want 125, a refusal, the file as it was", r.code, r.stderr, got)
		}
	})

	// The guest command never finishes (it sleeps for a day), so the
	// timeout is taken on any machine, however fast it boots: where the
	// guest was when the limit struck (still booting or in the command)
	// depends on the machine's speed and is not asserted, only that it is
	// named.
	t.Run("timeout", func(t *testing.T) {
		t.Parallel()
		erstvm := erstvmRunner(t)
		r := erstvm(t.TempDir(), "-boot", "-timeout", "3s", "-run", "sleep", "--", "86400")
		if r.code != 124 || !bytes.Contains(r.stderr, []byte("did not finish within 3s: it hung ")) {
			t.Errorf("exit %d, stderr %q; want 124 and where it hung", r.code, r.stderr)
		}
	})

	t.Run("linux-erst", func(t *testing.T) {
		t.Parallel()
		erstvm := erstvmRunner(t)
		if testing.Short() {
			t.Skip("-short")
		}
		r := erstvm(t.TempDir(), "-linux-erst", "-run", "cat", "--", "/proc/iomem")
		if r.code != 0 || !bytes.Contains(r.stdout, []byte("APEI ERST")) {
			t.Errorf("-linux-erst: exit %d; /proc/iomem without an APEI ERST claim:\n%s\n%s", r.code, r.stdout, r.stderr)
		}
	})
}

// logTimings logs erstvm -v's boot timing line.
func logTimings(t *testing.T, stderr []byte) {
	if m := regexp.MustCompile(`erstvm: wall .*`).Find(stderr); m != nil {
		t.Logf("%s", m)
	}
}

// sameStructure compares a live QEMU table with a corpus one: equal in
// every field but the checksum and the register addresses, which move with
// the PCI layout; the addresses must keep their offsets from the lowest.
func sameStructure(t *testing.T, got, want []byte) {
	t.Helper()
	g, err := acpi.DecodeERST(got)
	if err != nil {
		t.Fatalf("live table: %v", err)
	}
	w, err := acpi.DecodeERST(want)
	if err != nil {
		t.Fatalf("corpus table: %v", err)
	}
	if !g.ChecksumOK() {
		t.Error("the live table's checksum is wrong")
	}
	gh, wh := g.Header, w.Header
	gh.Checksum, wh.Checksum = 0, 0
	if gh != wh || g.HeaderLength != w.HeaderLength || g.EntryCount != w.EntryCount || len(g.Entries) != len(w.Entries) {
		t.Fatalf("headers differ:\nlive   %+v %d %d %d\ncorpus %+v %d %d %d", gh, g.HeaderLength, g.EntryCount, len(g.Entries), wh, w.HeaderLength, w.EntryCount, len(w.Entries))
	}
	gb, wb := lowest(g), lowest(w)
	for i := range g.Entries {
		ge, we := g.Entries[i], w.Entries[i]
		if ge.Register.Address-gb != we.Register.Address-wb {
			t.Errorf("entry %d: register at base+%#x, corpus base+%#x", i, ge.Register.Address-gb, we.Register.Address-wb)
		}
		ge.Register.Address, we.Register.Address = 0, 0
		if ge != we {
			t.Errorf("entry %d differs:\nlive   %+v\ncorpus %+v", i, ge, we)
		}
	}
	t.Logf("same structure as the corpus table; registers at %#x here, %#x in the corpus", gb, wb)
}

func lowest(t *acpi.ERST) uint64 {
	low := ^uint64(0)
	for _, e := range t.Entries {
		low = min(low, e.Register.Address)
	}
	return low
}
