//go:build vmtest

package vmtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goerst/erst/erst/pshed"
	"github.com/goerst/erst/erst/pshed/pshedtest"
	"github.com/goerst/erst/erst/pshed/remote"
	"github.com/goerst/erst/erst/store"
	"github.com/goerst/erst/internal/vm"
)

// bootCounter counts the kernel's banners on the serial console: one per
// boot of the guest (none for a resumed guest).
type bootCounter struct {
	mu      sync.Mutex
	partial []byte
	n       int
}

func (b *bootCounter) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.partial = append(b.partial, p...)
	for {
		i := bytes.IndexByte(b.partial, '\n')
		if i < 0 {
			break
		}
		if strings.Contains(string(b.partial[:i]), "Linux version ") {
			b.n++
		}
		b.partial = b.partial[i+1:]
	}
	return len(p), nil
}

func (b *bootCounter) boots() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.n
}

// TestReset resets guests (Guest.Reset: QMP system_reset of the same
// QEMU) under SeaBIOS, resumed and booted, and under OVMF (the resets in
// flight on the first only): the guest
// boots again and answers; records written before a reset read back
// after it, byte for byte; a reset while a write is in flight (before
// the guest goes on, and once the device has stored the record) fails
// that write with ErrReset and leaves the store consistent (erst/store's
// Check finds nothing on the host, the record is whole or absent); and a
// guest that is not running cannot be reset (ErrNotRunning).
func TestReset(t *testing.T) {
	t.Parallel()
	prerequisites(t)
	for _, tc := range []struct {
		name     string
		firmware string
		boot     bool
		inFlight bool // resets with a write in flight (the same on any firmware; each reset is a boot)
	}{
		{"seabios", "", false, true},
		{"seabios-boot", "", true, false},
		{"ovmf", vm.OVMF, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.firmware == vm.OVMF {
				needOVMF(t)
			}
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "erst.backing")
			var console bootCounter
			g := StartT(t, Options{Store: path, Firmware: tc.firmware, Boot: tc.boot, Console: &console, Logf: logLine})
			before := console.boots()

			recs := map[uint64][]byte{0xe1: pshedtest.NewRecord(200, 0xe1), 0xe2: pshedtest.NewRecord(8192, 0xe2)}
			write(t, g, recs)
			if err := g.Reset(ctx); err != nil {
				t.Fatalf("reset: %v", err)
			}
			if got := console.boots(); got != before+1 {
				t.Errorf("the console showed %d kernel boots after the reset, %d before; want one more", got, before)
			}
			readBack(t, g, "after a reset", recs)
			if st := g.PSHED().ClearErrorRecord(0, 0xe1); st != pshed.StatusSuccess {
				t.Fatalf("clear after a reset: %v (%v)", st, g.Err())
			}
			delete(recs, 0xe1)

			// A reset while a write is in flight: at once, before the
			// guest can go on (the record cannot have reached the
			// device), and once the device has stored the record (it is
			// in the backing file) but before the reply is read.
			if tc.inFlight {
				resetInFlight(t, g, path, recs, pshedtest.NewRecord(6000, 0xe3), false)
				resetInFlight(t, g, path, recs, pshedtest.NewRecord(8000, 0xe4), true)
			}
			if err := g.Shutdown(ctx); err != nil {
				t.Fatal(err)
			}
			findings, err := store.Check(path)
			if err != nil || len(findings) != 0 {
				t.Errorf("store.Check after the resets: %v, %v", findings, err)
			}
			if err := g.Reset(ctx); !errors.Is(err, ErrNotRunning) {
				t.Errorf("reset of a powered-off guest: %v, want ErrNotRunning", err)
			}
		})
	}
}

// resetInFlight writes rec through g's Client and resets g once the
// request is sent: at once, or when stored, once the device has stored
// the record (it appears in the backing file at path). The write fails
// with ErrReset either way; the record is whole or absent after the
// reset (whole when stored), and recs (the records g holds) gains it
// when whole.
func resetInFlight(t *testing.T, g *Guest, path string, recs map[uint64][]byte, rec []byte, stored bool) {
	t.Helper()
	ctx := context.Background()
	id, ok := pshedtest.RecordID(rec)
	if !ok {
		t.Fatal("the record has no ID")
	}
	c, err := g.Client()
	if err != nil {
		t.Fatal(err)
	}
	var resetErr, waitErr error
	reset := false
	c.OnSent(func(op remote.Op) {
		if op != remote.OpWrite || reset {
			return
		}
		reset = true
		if stored {
			waitErr = awaitInFile(path, rec, time.Minute)
		}
		resetErr = g.Reset(ctx)
	})
	st, werr := c.WriteErrorRecord(ctx, 0, rec)
	switch {
	case !reset:
		t.Fatalf("write %#x: %v, %v; the hook never ran", id, st, werr)
	case waitErr != nil:
		t.Fatalf("write %#x: %v", id, waitErr)
	case resetErr != nil:
		t.Fatalf("reset with the write of %#x in flight: %v", id, resetErr)
	case st == pshed.StatusSuccess || !errors.Is(werr, ErrReset) || !errors.Is(werr, remote.ErrConnection):
		t.Errorf("write %#x with a reset in flight: %v, %v; want a failure wrapping ErrReset", id, st, werr)
	}
	ids, err := g.IDs(ctx)
	if err != nil {
		t.Fatalf("ids after the reset in flight: %v", err)
	}
	switch whole := slices.Contains(ids, id); {
	case whole:
		t.Logf("stored %v: the record written in flight is in the store", stored)
		recs[id] = rec
	case stored:
		t.Errorf("the device had stored %#x before the reset; after it the store holds %#x", id, ids)
	default:
		t.Logf("stored %v: the write in flight did not reach the device", stored)
	}
	readBack(t, g, "after a reset in flight", recs)
	if len(ids) != len(recs) {
		t.Errorf("ids %#x after the reset in flight; want the %d records written", ids, len(recs))
	}
}

// awaitInFile waits until the file at path holds b, or fails after limit
// (a bound for a failure's sake, not a measure of speed).
func awaitInFile(path string, b []byte, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		f, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(f, b) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the record did not appear in %s within %v", path, limit)
		}
		<-tick.C
	}
}
