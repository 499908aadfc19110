//go:build vmtest

package vmtest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goerst/erst/erst/store"
	"github.com/goerst/erst/erst/torture"
	"github.com/goerst/erst/images/guestproto"
	"github.com/goerst/erst/internal/vm"
)

// powerCuts is how many times TestPowerCuts kills QEMU.
const powerCuts = 20

// TestPowerCuts runs erst torture in a guest on QEMU's acpi-erst device
// and cuts the power: QEMU gets SIGKILL after a seeded random number of
// acknowledged writes (the guest goes on writing and clearing while the
// host reacts, so the cut lands anywhere in an operation). The next QEMU
// runs torture again on the same store, going on after the highest
// counter it finds; after the last cut, a boot runs erst verify. The
// guests of the cuts are one booted guest, saved once and resumed for
// each cut (powerCutChain says why that is a restart to the store). Pass:
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
	saved := saveExecGuest(t)
	rng := rand.New(rand.NewPCG(seed, 0x706f776572637574))
	sum := powerCutChain(t, saved, rng, powerCuts)
	t.Logf("result: power cuts: %d cuts (seed %d), %d acknowledged records, %d lost, %d corrupt",
		sum.cuts, seed, sum.acks, sum.lost, sum.corrupt)
}

// cutTally is what a chain of power cuts counted.
type cutTally struct{ cuts, acks, lost, corrupt int }

// execGuest is the configuration of TestPowerCuts' guests: exec mode
// (guestproto.ExecParam: the guest mounts nothing and takes its command
// from a virtio-serial port), with a QMP monitor, on a store in dir.
func execGuest(t *testing.T, dir string) vm.Config {
	kernel, initramfs, err := vm.Images("", "", "", t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "s.backing")
	size, err := vm.StoreSize(path, 0, store.DefaultRecordSize)
	if err != nil {
		t.Fatal(err)
	}
	const port = "cmd.0"
	return vm.Config{
		Kernel: kernel, Initramfs: initramfs,
		Cmdline: vm.KernelCmdline(false, guestproto.ExecParam+"="+port),
		Store:   path, StoreSize: size, RecordSize: store.DefaultRecordSize,
		Ports:   []vm.Port{{Name: port, Socket: filepath.Join(dir, "cmd.sock")}},
		Monitor: true,
	}
}

// saveExecGuest boots an exec-mode guest on a store of its own, saves it
// once it is up and waits for its command, and returns the saved state.
func saveExecGuest(t *testing.T) string {
	dir := t.TempDir()
	cfg := execGuest(t, dir)
	v, conn := startExecGuest(t, &cfg)
	defer conn.Close()
	saved := filepath.Join(dir, "booted.state")
	err := v.Save(context.Background(), saved)
	v.Kill()
	v.Wait()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the guest booted and was saved in %.1fs; stages: %s", v.Wall().Seconds(), v.Serial.Timings())
	return saved
}

// powerCutChain cuts the power cuts times on one store, then verifies it
// in a last boot and on the host.
//
// Each cut resumes the guest saved booted and idle (saveExecGuest) in a
// new QEMU on the chain's store and has it run torture, instead of
// booting (a few tenths of a second against seconds under TCG). The
// store is not in the saved state (internal/vm's x-ignore-shared): the
// resumed device reads the file as the last cut left it, as a restarted
// one does. The verify boot is a whole boot.
func powerCutChain(t *testing.T, saved string, rng *rand.Rand, cuts int) cutTally {
	bin, src := buildCommand(t, "./cmd/erstvm")
	const tortureSeed = "7"
	dir := t.TempDir()
	erstvm := func(args ...string) *exec.Cmd {
		cmd := exec.Command(bin, append([]string{"-src", src, "-store", "s.backing"}, args...)...)
		cmd.Dir = dir
		return cmd
	}
	cfg := execGuest(t, dir)
	cfg.Resume = saved
	request, _ := json.Marshal(guestproto.Request{Command: "erst", Args: []string{"torture", "-seed", tortureSeed, "-n", "1000000"}})

	acked := map[uint64]bool{} // acknowledged, and not cleared (or about to be) by torture since
	var tally cutTally
	for cut := 1; cut <= cuts; cut++ {
		after := 1 + rng.IntN(40) // acknowledgements this boot before the cut
		v, out := startExecGuest(t, &cfg)
		up := time.Since(v.Started())
		if _, err := out.Write(append(request, '\n')); err != nil {
			v.Kill()
			t.Fatalf("cut %d: sending the request: %v", cut, err)
		}
		// A guest that hangs is killed, and the test fails below.
		hung := time.AfterFunc(DefaultBootTimeout, func() { v.Kill() })
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
				if err := v.Kill(); err != nil {
					t.Fatalf("cut %d: %v", cut, err)
				}
			}
		}
		hung.Stop()
		out.Close()
		qerr := v.Wait()
		if !killed {
			var tail strings.Builder
			v.Serial.PrintTail(&tail, "  ")
			t.Fatalf("cut %d: torture ended after %d acknowledgements, before the cut at %d; QEMU: %v; the guest stopped %s\n%s",
				cut, acks, after, qerr, v.Serial.Where(), tail.String())
		}
		tally.cuts, tally.acks = tally.cuts+1, tally.acks+acks
		t.Logf("progress: cut %d of %d (resumed in %.2fs): QEMU killed after %d acknowledged writes were seen (%d acknowledged in all)",
			cut, cuts, up.Seconds(), after, tally.acks)
	}

	cmd := erstvm("--", "verify", "-seed", tortureSeed, "-json")
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
	erst, _ := buildCommand(t, "./cmd/erst")
	host := runCommand(t, erst, dir, "-store", "s.backing", "verify", "-seed", tortureSeed, "-json")
	var hv struct {
		Intact []string `json:"intact"`
	}
	err = json.Unmarshal(host.stdout, &hv)
	slices.Sort(hv.Intact)
	if guest := slices.Sorted(slices.Values(v.Intact)); err != nil || !slices.Equal(hv.Intact, guest) {
		t.Errorf("the host's verify of the store: %v, intact %v; the guest's: %v", err, hv.Intact, v.Intact)
	}
	g, _ := torture.New(7, 8192)
	for id := range intact {
		if _, ok := g.Index(id); !ok {
			t.Errorf("verify reported %#x, not an id of seed %s", id, tortureSeed)
		}
	}
	return tally
}

// startExecGuest starts QEMU for c, a guest in exec mode, and returns it
// with its port's connection once the guest is ready for its request: at
// once when c resumes a saved guest, which was saved ready; after the
// guest's ExecReady line when it boots.
func startExecGuest(t *testing.T, c *vm.Config) (*vm.VM, net.Conn) {
	t.Helper()
	sock := c.Ports[0].Socket
	os.Remove(sock)
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	v, err := vm.Start(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	fail := func(format string, args ...any) {
		v.Kill()
		<-v.Done()
		var tail strings.Builder
		v.Serial.PrintTail(&tail, "  ")
		t.Fatalf("%s; QEMU: %v; the guest stopped %s\n%s", fmt.Sprintf(format, args...), v.Err(), v.Serial.Where(), tail.String())
	}
	// QEMU connects to the socket as it starts; a QEMU that exits first
	// never will.
	go func() { <-v.Done(); ln.Close() }()
	conn, err := ln.Accept()
	if err != nil {
		fail("QEMU did not connect to %s: %v", sock, err)
	}
	if c.Resume != "" {
		return v, conn
	}
	// A boot: the guest says when it is up. The line has nothing after
	// it until the request is sent.
	ready := make([]byte, len(guestproto.ExecReady)+1)
	timer := time.AfterFunc(DefaultBootTimeout, func() { conn.Close() })
	_, err = io.ReadFull(conn, ready)
	timer.Stop()
	if err != nil || string(ready) != guestproto.ExecReady+"\n" {
		conn.Close()
		fail("the guest did not say it was ready (%q, %v)", ready, err)
	}
	return v, conn
}
