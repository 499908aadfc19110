package live_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst/live"
)

// No lock, no device: the table is not even read. A table that fails is
// a *TableError, after the lock was taken.
func TestOpenLockFirst(t *testing.T) {
	dir := t.TempDir()
	read := false
	table := func() (*acpi.ERST, error) { read = true; return nil, errors.New("no table here") }

	_, err := live.Open(table, live.WithLockPath(filepath.Join(dir, "missing", "erst.lock")))
	var te *live.TableError
	if err == nil || errors.As(err, &te) || read {
		t.Errorf("lock file in a missing directory: %v, table read %v; want the lock's error before the table", err, read)
	}

	lock := filepath.Join(dir, "erst.lock")
	_, err = live.Open(table, live.WithLockPath(lock))
	if !errors.As(err, &te) || te.Error() != "no table here" {
		t.Errorf("failing table: %v, want a *TableError with its message", err)
	}
	if _, serr := os.Stat(lock); serr != nil {
		t.Errorf("the lock was not taken before the table: %v", serr)
	}
}
