//go:build vmtest

package vmtest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/goerst/erst/erst/torture"
)

// powerCuts is how many times TestPowerCuts kills QEMU.
const powerCuts = 20

// TestPowerCuts runs erst torture in a guest on QEMU's acpi-erst device
// and cuts the power: QEMU gets SIGKILL after a seeded random number of
// acknowledged writes (the guest goes on writing and clearing while the
// host reacts, so the cut lands anywhere in an operation). The next QEMU
// runs torture again on the same store, going on after the highest
// counter it finds; after the last cut, a boot runs erst verify. Pass:
// every record torture acknowledged and did not since clear is there and
// intact, and no record that fails verification is returned by a read
// without an error. VMTEST_POWERCUT_SEED picks other moments.
func TestPowerCuts(t *testing.T) {
	t.Parallel()
	prerequisites(t)
	seed := uint64(20261130)
	if s := os.Getenv("VMTEST_POWERCUT_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 0, 64); err != nil {
			t.Fatalf("VMTEST_POWERCUT_SEED=%q: %v", s, err)
		}
	}
	rng := rand.New(rand.NewPCG(seed, 0x706f776572637574))
	sum := powerCutChain(t, rng, powerCuts)
	t.Logf("result: power cuts: %d cuts (seed %d), %d acknowledged records, %d lost, %d corrupt",
		sum.cuts, seed, sum.acks, sum.lost, sum.corrupt)
}

// cutTally is what a chain of power cuts counted.
type cutTally struct{ cuts, acks, lost, corrupt int }

// powerCutChain cuts the power cuts times on one store, then verifies it
// in a last boot and on the host.
//
// The cuts' guests do not boot: erstvm resumes the booted guest it saved
// (booting and saving it first when no test has yet), and every cut's
// QEMU resumes it and runs torture (a few tenths of a second against
// seconds for a boot under TCG). The saved state does not hold the store (internal/vm), so each
// new QEMU's device reads the store as the last cut left it, as after a
// restart. The store is checked on the host after every cut. The guest's output still travels through 9p, written on
// the host before torture goes on, so no clear torture announced is lost
// with QEMU. The verify after the last cut is a whole boot.
func powerCutChain(t *testing.T, rng *rand.Rand, cuts int) cutTally {
	bin, src := buildCommand(t, "./cmd/erstvm")
	const tortureSeed = "7"
	dir := t.TempDir()
	erstvm := func(args ...string) *exec.Cmd {
		cmd := exec.Command(bin, append([]string{"-src", src, "-store", "s.backing"}, args...)...)
		cmd.Dir = dir
		return cmd
	}

	erst, _ := buildCommand(t, "./cmd/erst")
	acked := map[uint64]bool{} // acknowledged, and not cleared (or about to be) by torture since
	var tally cutTally
	for cut := 1; cut <= cuts; cut++ {
		after := 1 + rng.IntN(40) // acknowledgements this boot before the cut
		cmd := erstvm("--", "torture", "-seed", tortureSeed, "-n", "1000000")
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		acks, killed := 0, false
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			verb, arg, _ := strings.Cut(sc.Text(), " ")
			id, err := strconv.ParseUint(arg, 0, 64)
			if err != nil {
				continue // the summary line, which a cut run never prints
			}
			switch verb {
			case "ack":
				acked[id], acks = true, acks+1
			case "clear":
				delete(acked, id)
			}
			if acks == after && !killed {
				killed = true
				if err := killChild(cmd.Process.Pid, "qemu-system"); err != nil {
					cmd.Process.Kill()
					t.Fatalf("cut %d: %v", cut, err)
				}
			}
		}
		err = cmd.Wait()
		if !killed {
			t.Fatalf("cut %d: torture ended after %d acknowledgements, before the cut at %d: %v\n%s", cut, acks, after, err, stderr.String())
		}
		tally.cuts, tally.acks = tally.cuts+1, tally.acks+acks
		// The store as this cut left it, read on the host while no QEMU
		// runs: every record acknowledged and not cleared since must be
		// there, intact. Checked after each cut, not only at the end:
		// torture goes on after the highest counter it finds, so a store
		// that had lost records would have their ids written, and
		// acknowledged, again by the next cut, hiding the loss.
		hostIntact := hostVerify(t, erst, dir, tortureSeed)
		var missing []uint64
		for id := range acked {
			if !hostIntact[id] {
				missing = append(missing, id)
			}
		}
		if len(missing) > 0 {
			slices.Sort(missing)
			t.Fatalf("cut %d: acknowledged records missing from the store after the cut: %#x", cut, missing)
		}
		t.Logf("progress: cut %d of %d: QEMU killed after %d acknowledged writes were seen (%d acknowledged in all)", cut, cuts, after, tally.acks)
	}

	cmd := erstvm("-boot", "--", "verify", "-seed", tortureSeed, "-json")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	raw, err := cmd.Output()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatal(err)
	}
	var v struct {
		Intact []string `json:"intact"`
		Faults []struct {
			ID      string `json:"id"`
			Corrupt bool   `json:"corrupt"`
			Error   string `json:"error"`
		} `json:"faults"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("verify -json: %v\n%s\n%s", err, raw, stderr.String())
	}
	intact := map[uint64]bool{}
	for _, s := range v.Intact {
		id, _ := strconv.ParseUint(s, 0, 64)
		intact[id] = true
	}
	var lost []uint64
	for id := range acked {
		if !intact[id] {
			lost = append(lost, id)
		}
	}
	slices.Sort(lost)
	for _, f := range v.Faults {
		if f.Corrupt {
			tally.corrupt++
			t.Errorf("record %s read back without an error but damaged: %s", f.ID, f.Error)
		} else {
			t.Logf("record %s, never acknowledged or since cleared, cannot be read: %s", f.ID, f.Error)
		}
	}
	if tally.lost = len(lost); len(lost) > 0 {
		t.Errorf("acknowledged records lost: %#x", lost)
	}
	// The host's simulator reads the store QEMU left the same way.
	if host := hostVerify(t, erst, dir, tortureSeed); !maps.Equal(host, intact) {
		t.Errorf("the host's verify of the store: intact %v; the guest's: %v", slices.Sorted(maps.Keys(host)), v.Intact)
	}
	g, _ := torture.New(7, 8192)
	for id := range intact {
		if _, ok := g.Index(id); !ok {
			t.Errorf("verify reported %#x, not an id of seed %s", id, tortureSeed)
		}
	}
	return tally
}

// hostVerify runs erst verify on the host's simulator over the store in
// dir and returns the ids it found intact.
func hostVerify(t *testing.T, erst, dir, seed string) map[uint64]bool {
	t.Helper()
	r := runCommand(t, erst, dir, "-store", "s.backing", "verify", "-seed", seed, "-json")
	var v struct {
		Intact []string `json:"intact"`
	}
	if err := json.Unmarshal(r.stdout, &v); err != nil {
		t.Fatalf("erst -store s.backing verify -json: exit %d: %v\n%s", r.code, err, r.stderr)
	}
	intact := map[uint64]bool{}
	for _, s := range v.Intact {
		id, err := strconv.ParseUint(s, 0, 64)
		if err != nil {
			t.Fatalf("erst verify -json: intact id %q: %v", s, err)
		}
		intact[id] = true
	}
	return intact
}

// killChild sends SIGKILL to the child of ppid whose command name starts
// with name: QEMU under erstvm, a power cut with nothing flushed or shut
// down in the guest.
func killChild(ppid int, name string) error {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range stats {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...
		s := string(b)
		open, close := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || close < open {
			continue
		}
		fields := strings.Fields(s[close+1:])
		if len(fields) < 2 || fields[1] != strconv.Itoa(ppid) || !strings.HasPrefix(s[open+1:close], name) {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(s[:open]))
		if err != nil {
			continue
		}
		return syscall.Kill(pid, syscall.SIGKILL)
	}
	return fmt.Errorf("no %s process under pid %d", name, ppid)
}
