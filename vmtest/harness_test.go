//go:build vmtest

package vmtest

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/goerst/erst/erst/pshed"
	"github.com/goerst/erst/erst/pshed/pshedtest"
	"github.com/goerst/erst/erst/pshed/remote"
)

// The harness's VM tests share one long-lived guest (q35, a 64 KiB store
// in a temporary directory): each boot costs seconds, a call through it
// milliseconds. sharedGuest restarts it when a test left it off, and
// empties its store; the tests run in parallel with the others, and one
// at a time on the shared guest (mu).
var shared struct {
	mu   sync.Mutex
	once sync.Once
	dir  string
	g    *Guest
	err  error
}

// logLine prints harness progress as it happens, whichever test asks.
func logLine(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }

// sharedGuest returns the shared guest, running and with an empty store,
// for t alone until t ends.
func sharedGuest(t testing.TB) *Guest {
	t.Helper()
	prerequisites(t)
	shared.mu.Lock()
	t.Cleanup(shared.mu.Unlock)
	shared.once.Do(func() {
		if shared.dir, shared.err = os.MkdirTemp("", "vmtest-shared-"); shared.err != nil {
			return
		}
		shared.g, shared.err = Start(context.Background(), Options{Store: filepath.Join(shared.dir, "erst.backing"), Logf: logLine})
	})
	if shared.err != nil {
		t.Fatalf("the shared guest: %v", shared.err)
	}
	g := shared.g
	ctx := context.Background()
	if _, err := g.Info(ctx); errors.Is(err, ErrNotRunning) {
		if err := g.Restart(ctx); err != nil {
			t.Fatalf("restarting the shared guest: %v", err)
		}
	}
	if err := g.ClearAll(ctx); err != nil {
		t.Fatalf("emptying the shared guest's store: %v", err)
	}
	return g
}

// target is a fresh pshedtest.Target on g: its store emptied, the
// geometry the guest reports.
func target(t *testing.T, g *Guest) pshedtest.Target {
	t.Helper()
	ctx := context.Background()
	if err := g.ClearAll(ctx); err != nil {
		t.Fatal(err)
	}
	info, err := g.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n, known := g.Capacity()
	return pshedtest.Target{Persistence: g.PSHED(), RangeLength: int(info.RangeLength), Capacity: n, CapacityKnown: known}
}

// TestHarness runs the harness's tests, one after another on the shared
// guest (as one test, so that they hold one of go test's parallel slots,
// not four, three of them waiting for the guest).
func TestHarness(t *testing.T) {
	t.Parallel()
	t.Run("Conformance", harnessConformance)
	t.Run("Persistence", harnessPersistence)
	t.Run("MalformedInGuest", harnessMalformedInGuest)
	t.Run("StoreLocked", harnessStoreLocked)
	t.Run("KillInFlight", harnessKillInFlight)
}

// harnessStoreLocked: while QEMU runs the guest on its store file, the
// harness holds the file's lock (store.Lock, the lock every erst -store
// process takes), so nothing on the host writes the store under QEMU.
func harnessStoreLocked(t *testing.T) {
	g := sharedGuest(t)
	if _, err := g.Info(context.Background()); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(shared.dir, "erst.backing"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// Even a shared lock, which every reader takes, must be refused.
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); !errors.Is(err, syscall.EWOULDBLOCK) {
		t.Errorf("flock(LOCK_SH|LOCK_NB) on the running guest's store: %v, want EWOULDBLOCK", err)
	}
}

// harnessConformance runs the PSHED conformance suite, unchanged,
// from the host against QEMU's acpi-erst device through the guest's
// erst serve; every check on the one guest.
func harnessConformance(t *testing.T) { conformance(t, sharedGuest(t)) }

// conformance runs the PSHED conformance suite from the host on g, a
// guest on a new 64 KiB store.
func conformance(t *testing.T, g *Guest) {
	info, err := g.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n, known := g.Capacity(); info.RangeLength != 8192 || info.Capacity != 0 || info.FunctionalAreaMask != pshed.FAErrorRecordPersistence || n != 7 || !known {
		t.Errorf("info %+v, capacity %d (known %v); want QEMU's 8 KiB range, no capacity from the device, the persistence area, 7 records in the store file", info, n, known)
	}
	pshedtest.TestPersistence(t, func(t *testing.T) pshedtest.Target { return target(t, g) })
}

// harnessPersistence: records written through the harness read back
// byte for byte after a clean power-off and after a power cut, and a
// clear survives both.
func harnessPersistence(t *testing.T) {
	g := sharedGuest(t)
	ctx := context.Background()
	p := g.PSHED()
	recs := map[uint64][]byte{
		0xa1: pshedtest.NewRecord(200, 0xa1),
		0xa2: pshedtest.NewRecord(5000, 0xa2),
		0xa3: pshedtest.NewRecord(8192, 0xa3), // a full slot
	}
	for id, r := range recs {
		if st := p.WriteErrorRecord(0, r); st != pshed.StatusSuccess {
			t.Fatalf("write %#x: %v (%v)", id, st, g.Err())
		}
	}
	readAll := func(when string) {
		t.Helper()
		buf := make([]byte, 8192)
		for id, want := range recs {
			_, n, st := p.ReadErrorRecord(0, id, buf)
			if want == nil {
				if st != pshed.StatusObjectNotFound {
					t.Errorf("%s: cleared record %#x: %v, want STATUS_NOT_FOUND (%v)", when, id, st, g.Err())
				}
				continue
			}
			if st != pshed.StatusSuccess || !bytes.Equal(buf[:n], want) {
				t.Errorf("%s: record %#x: %v, %d bytes; want the %d bytes written (%v)", when, id, st, n, len(want), g.Err())
			}
		}
	}
	if err := g.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := g.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	readAll("after shutdown and restart")

	if st := p.ClearErrorRecord(0, 0xa2); st != pshed.StatusSuccess {
		t.Fatalf("clear: %v (%v)", st, g.Err())
	}
	recs[0xa2] = nil
	recs[0xa4] = pshedtest.NewRecord(300, 0xa4)
	if st := p.WriteErrorRecord(0, recs[0xa4]); st != pshed.StatusSuccess {
		t.Fatalf("write: %v (%v)", st, g.Err())
	}
	if err := g.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := g.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	readAll("after a power cut and restart")

	if st := p.ClearErrorRecord(0, 0xa1); st != pshed.StatusSuccess {
		t.Fatalf("clear: %v (%v)", st, g.Err())
	}
	recs[0xa1] = nil
	if err := g.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := g.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	readAll("after a clear, shutdown and restart")
	if ids, err := g.IDs(ctx); err != nil || len(ids) != 2 {
		t.Errorf("ids %#x, %v; want 0xa3 and 0xa4", ids, err)
	}
}

// harnessMalformedInGuest sends the guest's server malformed,
// oversized and unknown requests: each gets an error reply, and a valid
// request after them succeeds.
func harnessMalformedInGuest(t *testing.T) {
	g := sharedGuest(t)
	c, err := g.Client()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	oversized := append(remote.Header{Version: remote.Version, Op: remote.OpWrite, Seq: 3, Length: remote.MaxPayload + 1}.Encode(), make([]byte, remote.MaxPayload+1)...)
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"garbage", []byte("hello, guest\n")},
		{"unknown op", remote.Frame(remote.Op(0x42), 1, nil)},
		{"other version", remote.Header{Version: 9, Op: remote.OpInfo, Seq: 2}.Encode()},
		{"oversized", oversized},
		{"truncated read", remote.Frame(remote.OpRead, 4, []byte{1, 2, 3})},
		{"huge read buffer", remote.Frame(remote.OpRead, 5, binary.LittleEndian.AppendUint32(make([]byte, 12), 1<<30))},
	} {
		h, p, err := c.Raw(ctx, tc.b)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		st, text, err := remote.ErrorReply(p)
		if h.Op != remote.OpError || err != nil || st != pshed.StatusInvalidParameter || text == "" {
			t.Errorf("%s: reply %s, %v, %q, %v; want an error reply with STATUS_INVALID_PARAMETER and the reason", tc.name, h.Op, st, text, err)
		}
		t.Logf("%s: %s", tc.name, text)
	}
	rec := pshedtest.NewRecord(250, 0xc1)
	if st := g.PSHED().WriteErrorRecord(0, rec); st != pshed.StatusSuccess {
		t.Errorf("a valid write after the malformed requests: %v (%v)", st, g.Err())
	}
}

// harnessKillInFlight kills QEMU while a write is in flight: the
// hook runs once the request has been sent, before the reply. The call
// returns a failure status, well within its deadline, and the error
// behind it says the guest is gone. It runs last and leaves the guest
// off: Persistence restarts after a kill already, and a boot
// costs seconds.
func harnessKillInFlight(t *testing.T) {
	g := sharedGuest(t)
	c, err := g.Client()
	if err != nil {
		t.Fatal(err)
	}
	killed := false
	c.OnSent(func(op remote.Op) {
		if op == remote.OpWrite && !killed {
			killed = true
			if err := g.Kill(); err != nil {
				t.Errorf("kill: %v", err)
			}
		}
	})
	st := g.PSHED().WriteErrorRecord(0, pshedtest.NewRecord(400, 0xb1))
	err = g.Err()
	if !killed || st != pshed.StatusUnsuccessful || !errors.Is(err, ErrNotRunning) || !errors.Is(err, remote.ErrConnection) || errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("write with QEMU killed in flight: killed %v, %v, %v; want STATUS_UNSUCCESSFUL, the guest gone, before the deadline", killed, st, err)
	}
	// Later calls fail at once, the same way, until a restart.
	if st := g.PSHED().ClearErrorRecord(0, 0xb1); st != pshed.StatusUnsuccessful || !errors.Is(g.Err(), ErrNotRunning) {
		t.Errorf("clear on the killed guest: %v, %v", st, g.Err())
	}
	t.Logf("the write in flight got %v: %v", st, err)
}
