//go:build vmtest

package vmtest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/goerst/erst/erst/torture"
)

// TestConcurrentProcesses runs, in one guest on QEMU's live device, erst
// conform on the empty store (it must pass) and then two erst torture
// processes at once: each writes, reads back and clears its
// own records (seeds 1 and 2, at most 3 each in the 7-slot store), over
// 1,000 operations in all. Both append their output to one file, so the
// file shows the two running interleaved. Then erst verify checks every
// byte of what each left. Pass: both runs end without an error (a read
// back that differs or fails would stop one), every record acknowledged
// and not cleared by its own run is there and intact (none lost, none
// mixed), and the live device's lock file was used: the device was
// driven by one process at a time.
func TestConcurrentProcesses(t *testing.T) {
	t.Parallel()
	erstvm := erstvmRunner(t)
	dir := t.TempDir()
	const perRun = 170 // writes; each also reads back, and clears all but 3: ~507 operations a run
	run := func(seed int) string {
		s := strconv.Itoa(seed)
		return "{ erst torture -seed " + s + " -n " + strconv.Itoa(perRun) + " -keep 3 -readback >>out.txt 2>err" + s + ".txt; echo $? >status" + s + ".txt; }"
	}
	// First, on the empty store, erst conform on the live device.
	script := "erst conform -json >conform.json 2>conform-err.txt; echo $? >conform-status.txt; " +
		run(1) + " & " + run(2) + " & wait; " +
		"erst verify -seed 1 -json >verify1.json; erst verify -seed 2 -json >verify2.json; ls /run/erst.lock >lock.txt"
	r := erstvm(dir, "-store", "s.backing", "-run", "gosh", "--", "-c", script)
	if r.code != 0 {
		t.Fatalf("erstvm: exit %d\n%s", r.code, r.stderr)
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for _, seed := range []string{"1", "2"} {
		if st := strings.TrimSpace(read("status" + seed + ".txt")); st != "0" {
			t.Errorf("torture -seed %s: exit %s: %s", seed, st, read("err"+seed+".txt"))
		}
	}
	if st := strings.TrimSpace(read("conform-status.txt")); st != "0" {
		t.Errorf("erst conform on the live device: exit %s: %s\n%s", st, read("conform-err.txt"), read("conform.json"))
	}
	var conform struct {
		Checks []struct{ Name, Result, Reason string } `json:"checks"`
	}
	if err := json.Unmarshal([]byte(read("conform.json")), &conform); err != nil {
		t.Errorf("erst conform -json: %v", err)
	}
	for _, c := range conform.Checks {
		if c.Name == "Timings" || c.Name == "FullStore" {
			t.Logf("erst conform, live device: %s %s: %s", c.Name, c.Result, c.Reason)
		}
	}
	if !strings.Contains(read("lock.txt"), "erst.lock") {
		t.Errorf("the live device's lock file /run/erst.lock was not made")
	}

	gens := map[uint64]*torture.Gen{}
	for _, seed := range []uint64{1, 2} {
		g, err := torture.New(seed, 8192)
		if err != nil {
			t.Fatal(err)
		}
		gens[seed] = g
	}
	seedOf := func(id uint64) uint64 {
		for s, g := range gens {
			if _, ok := g.Index(id); ok {
				return s
			}
		}
		t.Fatalf("id %#x is neither seed's", id)
		return 0
	}
	live := map[uint64]map[uint64]bool{1: {}, 2: {}}
	ops, switches := 0, 0
	var last uint64
	for _, line := range strings.Split(strings.TrimSpace(read("out.txt")), "\n") {
		verb, arg, _ := strings.Cut(line, " ")
		if verb != "ack" && verb != "clear" {
			continue
		}
		id, err := strconv.ParseUint(arg, 0, 64)
		if err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		s := seedOf(id)
		if last != 0 && s != last {
			switches++
		}
		last = s
		if verb == "ack" {
			live[s][id] = true
			ops += 2 // the write and its read back
		} else {
			delete(live[s], id)
			ops++
		}
	}
	if ops < 1000 {
		t.Errorf("%d operations in all, want at least 1,000", ops)
	}
	if switches < 2 {
		t.Errorf("the two runs' output switched seeds %d times: they did not run at the same time", switches)
	}
	for seed := range gens {
		var v struct {
			OK         bool     `json:"ok"`
			Intact     []string `json:"intact"`
			Faults     []any    `json:"faults"`
			OtherSeeds int      `json:"other_seeds"`
		}
		if err := json.Unmarshal([]byte(read("verify"+strconv.FormatUint(seed, 10)+".json")), &v); err != nil {
			t.Fatal(err)
		}
		var intact []uint64
		for _, s := range v.Intact {
			id, _ := strconv.ParseUint(s, 0, 64)
			intact = append(intact, id)
		}
		var want []uint64
		for id := range live[seed] {
			want = append(want, id)
		}
		slices.Sort(intact)
		slices.Sort(want)
		if !v.OK || len(v.Faults) != 0 || !slices.Equal(intact, want) {
			t.Errorf("seed %d: verify ok=%v, faults %v, intact %#x; want the acknowledged, uncleared %#x", seed, v.OK, v.Faults, intact, want)
		}
	}
	t.Logf("result: two processes, %d operations on the live device, their output interleaved %d times: 0 lost, 0 mixed", ops, switches)
}
