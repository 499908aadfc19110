package cachedir

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestRoot(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(Env, dir)
	if got, err := Root(); err != nil || got != dir {
		t.Errorf("with %s=%s: Root() = %q, %v", Env, dir, got, err)
	}
	t.Chdir(dir)
	t.Setenv(Env, "rel")
	if got, err := Dir(Resume); err != nil || got != filepath.Join(dir, "rel", Resume) {
		t.Errorf("with a relative %s: Dir(Resume) = %q, %v; want it absolute", Env, got, err)
	}

	t.Setenv(Env, "")
	t.Setenv("XDG_CACHE_HOME", filepath.Join(dir, "xdg"))
	if got, err := Dir(Kernel); err != nil || got != filepath.Join(dir, "xdg", "erst", Kernel) {
		t.Errorf("without %s: Dir(Kernel) = %q, %v; want it under XDG_CACHE_HOME", Env, got, err)
	}
	t.Setenv("XDG_CACHE_HOME", "")
	t.Setenv("HOME", filepath.Join(dir, "home"))
	if got, err := Root(); err != nil || got != filepath.Join(dir, "home", ".cache", "erst") {
		t.Errorf("without %s and XDG_CACHE_HOME: Root() = %q, %v; want it under HOME", Env, got, err)
	}
	t.Setenv("HOME", "")
	if _, err := Root(); !errors.Is(err, ErrNoRoot) {
		t.Errorf("without %s, XDG_CACHE_HOME and HOME: Root() error = %v, want ErrNoRoot", Env, err)
	}
}

func TestLock(t *testing.T) {
	if !exclusive {
		t.Skip("Lock does not exclude without flock")
	}
	path := filepath.Join(t.TempDir(), "entry")
	unlock, err := Lock(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	// flock locks belong to the open file: a second Lock in this process
	// waits as another process would.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Lock(ctx, path); !errors.Is(err, context.Canceled) {
		t.Fatalf("Lock of a held lock with a cancelled context: %v, want context.Canceled", err)
	}
	got := make(chan error, 1)
	go func() {
		u, err := Lock(context.Background(), path)
		if err == nil {
			u()
		}
		got <- err
	}()
	select {
	case err := <-got:
		t.Fatalf("a second Lock returned (%v) while the first held the lock", err)
	case <-time.After(100 * time.Millisecond):
		// Not a synchronisation: only a chance to catch a Lock that
		// does not wait; the test passes however fast the machine is.
	}
	unlock()
	if err := <-got; err != nil {
		t.Fatalf("Lock after the holder released it: %v", err)
	}
	if _, err := Lock(context.Background(), filepath.Join(t.TempDir(), "missing", "entry")); err == nil {
		t.Error("Lock in a missing directory succeeded")
	}
}

func TestPrune(t *testing.T) {
	dir := t.TempDir()
	base := time.Now().Add(-time.Hour)
	var all []string
	for i := range 5 {
		p := filepath.Join(dir, "guest-"+string(rune('a'+i))+".state")
		for _, f := range []string{p, p + ".json", p + ".lock"} {
			if err := os.WriteFile(f, nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		// a is the newest, e the oldest.
		if err := os.Chtimes(p, base, base.Add(-time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
		all = append(all, p)
	}
	// Keep 3, one of them the oldest (just written, say).
	removed := Prune(dir, "guest-*.state", 3, all[4], ".json", ".lock")
	slices.Sort(removed)
	if want := []string{all[2], all[3]}; !slices.Equal(removed, want) {
		t.Errorf("Prune removed %q, want %q", removed, want)
	}
	for i, p := range all {
		for _, f := range []string{p, p + ".json", p + ".lock"} {
			_, err := os.Stat(f)
			if gone := i == 2 || i == 3; gone != errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s: gone %v, want %v", filepath.Base(f), !gone, gone)
			}
		}
	}
}

func TestRemoveStale(t *testing.T) {
	dir := t.TempDir()
	old := time.Now().Add(-StaleAfter - time.Hour)
	for _, name := range []string{"_tmp-old/sub", "_tmp-new/sub", "x.1.tmp", "x.2.tmp"} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"_tmp-old", "x.1.tmp"} {
		if err := os.Chtimes(filepath.Join(dir, name), old, old); err != nil {
			t.Fatal(err)
		}
	}
	RemoveStale(dir, "_tmp-*", "*.tmp")
	for name, gone := range map[string]bool{"_tmp-old": true, "x.1.tmp": true, "_tmp-new/sub": false, "x.2.tmp": false} {
		if _, err := os.Stat(filepath.Join(dir, name)); gone != errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: stat %v; want it gone: %v", name, err, gone)
		}
	}
}
