//go:build vmtest

package vmtest

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goerst/erst/erst/cper"
	"github.com/goerst/erst/erst/pshed"
)

var crashSeed = flag.Uint64("crash.seed", 0, "TestCrash's seed for the injected machine check (0: from the clock)")

// MCi_STATUS bits (Intel SDM vol. 3B 16.3.2.2).
const (
	mciVAL   = 1 << 63
	mciUC    = 1 << 61
	mciEN    = 1 << 60
	mciMISCV = 1 << 59
	mciADDRV = 1 << 58
	mciPCC   = 1 << 57
)

// randomFatalMCE is a machine check Linux must treat as fatal: uncorrected
// with processor context corrupt (VAL|UC|EN|PCC, and ADDRV|MISCV), on a
// random bank of QEMU's 10, random MCA and model-specific error codes,
// address and MCi_MISC (its bits 5:0, the address's least significant
// valid bit, too, below 48 so that some of the address is kept). Bank 4 is left out: for an AMD family 0xf CPU, which
// QEMU's default TCG CPU (qemu64) claims to be, Linux disables and filters
// the GART TLB walk errors reported there (mce/core.c quirks,
// amd_filter_mce).
func randomFatalMCE(r *rand.Rand) MCE {
	banks := []int{0, 1, 2, 3, 5, 6, 7, 8, 9}
	return MCE{
		Bank:   banks[r.IntN(len(banks))],
		Status: mciVAL | mciUC | mciEN | mciMISCV | mciADDRV | mciPCC | uint64(r.Uint32()),
		Addr:   r.Uint64() >> 12,
		Misc:   r.Uint64()&^0x3f | uint64(r.IntN(48)), // the LSB below the address's 52 bits
	}
}

// linuxAddr is the address Linux records for m: with MCG_SER_P and
// MISCV, only from MCi_MISC's least significant valid bit up
// (mce/core.c mce_read_aux).
func linuxAddr(m MCE) uint64 {
	lsb := m.Misc & 0x3f
	return m.Addr >> lsb << lsb
}

// TestCrash lets the Linux kernel's own ERST driver record real crashes on
// QEMU's device and reads them back through the harness. Two boots of a
// LinuxERST guest on one store: a random fatal machine check (InjectMCE),
// then sysrq c (Panic); each time Wait must report the kernel's panic.
// Then a guest without LinuxERST on the same store reads through PSHED
// the kernel's MCE record, whose decoded struct mce holds the injected
// bank, status and misc and the address as Linux keeps it, and pstore's
// panic logs (DMESG_Z), which inflate to text holding each panic line.
// The seed is logged; -crash.seed repeats a run.
func TestCrash(t *testing.T) {
	t.Parallel()
	prerequisites(t)
	seed := *crashSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (repeat with -crash.seed %d)", seed, seed)
	m := randomFatalMCE(rand.New(rand.NewPCG(seed, seed)))
	t.Logf("machine check: cpu %d bank %d status %#x addr %#x misc %#x (Linux keeps addr %#x)", m.CPU, m.Bank, m.Status, m.Addr, m.Misc, linuxAddr(m))

	store := filepath.Join(t.TempDir(), "erst.backing")
	ctx := context.Background()
	// A bound on each crash, so that a guest that does not die fails the
	// test with its console instead of hanging it; not a timing check.
	crashed := func(t *testing.T, g *Guest) *PanicError {
		t.Helper()
		wctx, cancel := context.WithTimeout(ctx, DefaultBootTimeout)
		defer cancel()
		err := g.Wait(wctx)
		var pe *PanicError
		if !errors.As(err, &pe) || !errors.Is(err, ErrPanicked) {
			g.Kill()
			t.Fatalf("Wait: %v; want a kernel panic (ErrPanicked)", err)
		}
		return pe
	}

	g := StartT(t, Options{Store: store, StoreSize: 1 << 20, LinuxERST: true})
	if _, err := g.Client(); !errors.Is(err, ErrLinuxERST) {
		t.Errorf("Client on a LinuxERST guest: %v, want ErrLinuxERST", err)
	}
	if st := g.PSHED().WriteErrorRecord(0, make([]byte, 128)); st != pshed.StatusUnsuccessful || !errors.Is(g.Err(), ErrLinuxERST) {
		t.Errorf("WriteErrorRecord on a LinuxERST guest: %v (%v), want STATUS_UNSUCCESSFUL with ErrLinuxERST", st, g.Err())
	}
	if err := g.InjectMCE(ctx, m); err != nil {
		t.Fatal(err)
	}
	mcePanic := crashed(t, g).Message
	if !strings.Contains(mcePanic, "machine check") {
		t.Errorf("the machine check's panic: %q, want Linux's fatal machine check", mcePanic)
	}
	if err := g.InjectMCE(ctx, m); !errors.Is(err, ErrNotRunning) {
		t.Errorf("InjectMCE after the panic: %v, want ErrNotRunning", err)
	}

	if err := g.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	if err := g.Panic(ctx); err != nil {
		t.Fatal(err)
	}
	if err := g.Panic(ctx); err == nil {
		t.Error("a second Panic succeeded: the guest takes one request")
	}
	sysrqPanic := crashed(t, g).Message
	if want := "sysrq triggered crash"; sysrqPanic != want {
		t.Errorf("Panic's panic: %q, want %q", sysrqPanic, want)
	}

	// The reader: erst serve on the same store.
	r := StartT(t, Options{Store: store})
	ids, err := r.IDs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p := r.PSHED()
	buf := make([]byte, 1<<16)
	var mces []*cper.Record
	var logs []cper.Dmesg
	for _, id := range ids {
		_, n, st := p.ReadErrorRecord(0, id, buf)
		if st != pshed.StatusSuccess {
			t.Fatalf("read %#x: %v (%v)", id, st, r.Err())
		}
		rec, err := cper.Parse(buf[:n])
		if err != nil {
			t.Errorf("record %#x: %v", id, err)
			continue
		}
		if rec.Creator != cper.CreatorLinuxPstore || len(rec.Sections) != 1 {
			t.Errorf("record %#x: creator %v, %d sections; want Linux's (LinuxPstore), one section", id, rec.Creator, len(rec.Sections))
			continue
		}
		switch s := &rec.Sections[0]; s.Descriptor.Type {
		case cper.SectionTypeMCE:
			mces = append(mces, rec)
		case cper.SectionTypeDmesgZ, cper.SectionTypeDmesg:
			d, err := cper.DecodeDmesg(s)
			if err != nil {
				t.Errorf("record %#x: %v", id, err)
				continue
			}
			logs = append(logs, d)
		default:
			t.Errorf("record %#x: section %v, want MCE, DMESG or DMESG_Z", id, s.Descriptor.Type)
		}
	}
	t.Logf("the store holds %d records: %d MCE, %d kernel logs", len(ids), len(mces), len(logs))

	t.Run("mce", func(t *testing.T) {
		if len(mces) != 1 {
			t.Fatalf("%d MCE records, want 1", len(mces))
		}
		d := cper.DecodeSection(&mces[0].Sections[0])
		if d == nil || d.Err != nil {
			t.Fatalf("struct mce does not decode: %+v", d)
		}
		for _, f := range []struct {
			name string
			want uint64
		}{{"status", m.Status}, {"misc", m.Misc}, {"addr", linuxAddr(m)}, {"bank", uint64(m.Bank)}, {"cpu", uint64(m.CPU)}} {
			got, ok := d.Fields.Get(f.name)
			if !ok || !got.Valid || got.Value != f.want {
				j, _ := json.Marshal(d)
				t.Errorf("%s = %#x (found %v), want %#x; the section: %s", f.name, got.Value, ok, f.want, j)
			}
		}
	})
	for _, c := range []struct{ name, msg string }{{"mce-panic-log", mcePanic}, {"sysrq-panic-log", sysrqPanic}} {
		t.Run(c.name, func(t *testing.T) {
			line := "Kernel panic - not syncing: " + c.msg
			var reasons []string
			for _, d := range logs {
				reasons = append(reasons, fmt.Sprintf("%s#%d Part%d", d.Reason, d.Count, d.Part))
				if d.Reason == "Panic" && d.Compressed && strings.Contains(string(d.Text), line) {
					return
				}
			}
			t.Errorf("no DMESG_Z panic log holds %q; the logs: %v", line, reasons)
		})
	}
}
