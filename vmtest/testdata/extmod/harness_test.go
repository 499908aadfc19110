// Package erstharness is a project outside erst that tests an ERST
// store through the harness, importing only vmtest, pshed and pshedtest:
// the acceptance test of "Use the harness from your own tests" in
// erst's README. erst's VM tests run it (TestExternalModule).
package erstharness

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/goerst/erst/erst/pshed"
	"github.com/goerst/erst/erst/pshed/pshedtest"
	"github.com/goerst/erst/vmtest"
)

func TestRecordsSurviveAPowerCut(t *testing.T) {
	ctx := context.Background()
	// One guest for the whole test: a boot takes seconds, a call
	// milliseconds.
	g := vmtest.StartT(t, vmtest.Options{Store: filepath.Join(t.TempDir(), "nvram.img"), StoreSize: 256 << 10})
	info, err := g.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("conformance", func(t *testing.T) {
		pshedtest.TestPersistence(t, func(t *testing.T) pshedtest.Target {
			if err := g.ClearAll(ctx); err != nil {
				t.Fatal(err)
			}
			n, known := g.Capacity() // the guest's, else from the store file: the device cannot tell
			return pshedtest.Target{Persistence: g.PSHED(), RangeLength: int(info.RangeLength), Capacity: n, CapacityKnown: known}
		})
	})

	if err := g.ClearAll(ctx); err != nil {
		t.Fatal(err)
	}
	p := g.PSHED()
	var written [][]byte
	for i, size := range []int{200, 1000, 4096, int(info.RangeLength)} {
		rec := pshedtest.NewRecord(size, pshedtest.IDBase+uint64(i)+1)
		if st := p.WriteErrorRecord(0, rec); st != pshed.StatusSuccess {
			t.Fatalf("write %d: %v: %v", i, st, g.Err())
		}
		written = append(written, rec)
	}

	// Pull the plug, and boot again on the same store.
	if err := g.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := g.Restart(ctx); err != nil {
		t.Fatal(err)
	}

	// Read every record back, in store order, the way Windows does after
	// the restart: from id 0 until next repeats.
	buf := make([]byte, info.RangeLength)
	var got [][]byte
	for id := uint64(0); ; {
		next, n, st := p.ReadErrorRecord(0, id, buf)
		if st != pshed.StatusSuccess {
			t.Fatalf("read %#x: %v: %v", id, st, g.Err())
		}
		got = append(got, bytes.Clone(buf[:n]))
		cur := id
		if cur == 0 {
			cur, _ = pshedtest.RecordID(buf[:n])
		}
		if next == cur {
			break
		}
		id = next
	}
	if len(got) != len(written) {
		t.Fatalf("read back %d records, wrote %d", len(got), len(written))
	}
	for _, w := range written {
		found := false
		for _, r := range got {
			found = found || bytes.Equal(r, w)
		}
		if !found {
			id, _ := pshedtest.RecordID(w)
			t.Errorf("record %#x did not come back byte for byte", id)
		}
	}
}
