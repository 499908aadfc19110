package vm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/goerst/erst/erst/store"
)

// A store locked by another process fails StartSaved after one wait for
// the lock (store.LockWait, as documented), whether the saved guest
// exists or would have to be booted and saved first: no second save, no
// boot instead, each waiting for the lock again.
func TestStartSavedWaitsForTheLockOnce(t *testing.T) {
	for _, haveSaved := range []bool{true, false} {
		t.Run(fmt.Sprint("saved=", haveSaved), func(t *testing.T) {
			dir := t.TempDir()
			c := fakeConfig(t, dir)
			c.Store = filepath.Join(dir, "s.img")
			c.ExecMode(dir)
			path := filepath.Join(dir, "guest.state")
			if haveSaved {
				k, err := keyFor(c)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := json.Marshal(k)
				if err := os.WriteFile(path+".json", b, 0o644); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte("state"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			waits := 0
			old := lockStore
			defer func() { lockStore = old }()
			lockStore = func(p string) (io.Closer, error) {
				waits++
				return nil, fmt.Errorf("%s: %w: held by pid 1 for over %v", p, store.ErrLocked, store.LockWait)
			}
			_, _, err := StartSaved(context.Background(), c, Saved{Path: path, Cache: true, Logf: t.Logf})
			if !errors.Is(err, store.ErrLocked) || waits != 1 {
				t.Errorf("StartSaved on a locked store: %v after %d waits for the lock; want ErrLocked after one", err, waits)
			}
		})
	}
}
