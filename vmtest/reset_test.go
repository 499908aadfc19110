//go:build vmtest

package vmtest

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

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
// QEMU) under SeaBIOS, resumed and booted, and under OVMF: the guest
// boots again and answers; records written before a reset read back
// after it, byte for byte; a reset while a write is in flight fails that
// write with ErrReset and leaves the store consistent (erst/store's
// Check finds nothing on the host, the record is whole or absent); and a
// guest that is not running cannot be reset (ErrNotRunning).
func TestReset(t *testing.T) {
	t.Parallel()
	prerequisites(t)
	for _, tc := range []struct {
		name     string
		firmware string
		boot     bool
	}{
		{"seabios", "", false},
		{"seabios-boot", "", true},
		{"ovmf", vm.OVMF, false},
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

			// A reset while a write is in flight.
			c, err := g.Client()
			if err != nil {
				t.Fatal(err)
			}
			var resetErr error
			reset := false
			c.OnSent(func(op remote.Op) {
				if op == remote.OpWrite && !reset {
					reset = true
					resetErr = g.Reset(ctx)
				}
			})
			inFlight := pshedtest.NewRecord(6000, 0xe3)
			st, err := c.WriteErrorRecord(ctx, 0, inFlight)
			if !reset || resetErr != nil {
				t.Fatalf("reset in flight: reset %v: %v", reset, resetErr)
			}
			if st == pshed.StatusSuccess || !errors.Is(err, ErrReset) || !errors.Is(err, remote.ErrConnection) {
				t.Errorf("write with a reset in flight: %v, %v; want a failure wrapping ErrReset", st, err)
			}
			ids, err := g.IDs(ctx)
			if err != nil {
				t.Fatalf("ids after the reset in flight: %v", err)
			}
			if slices.Contains(ids, 0xe3) {
				t.Logf("the write in flight completed before the reset")
				recs[0xe3] = inFlight
			} else {
				t.Logf("the write in flight did not reach the device")
			}
			readBack(t, g, "after a reset in flight", recs)
			if len(ids) != len(recs) {
				t.Errorf("ids %#x after the reset in flight; want %d records", ids, len(recs))
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
