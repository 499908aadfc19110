package erst_test

import (
	"sync/atomic"
	"testing"

	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/sim"
	"github.com/goerst/erst/erst/store"
)

// heldLock is a Locker that says whether it is held.
type heldLock struct{ held atomic.Bool }

func (l *heldLock) Lock() error { l.held.Store(true); return nil }
func (l *heldLock) Unlock()     { l.held.Store(false) }

// Every register access, Open's range queries included, happens under
// WithLock: another erst process on the live device must never see
// its sequences interleaved (a second process's Open read a range length
// of 0 in a guest before Open took the lock).
func TestEveryAccessUnderTheLock(t *testing.T) {
	im, err := store.NewImage(64<<10, 8192)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.New(im)
	if err != nil {
		t.Fatal(err)
	}
	lock := &heldLock{}
	var unlocked atomic.Int64
	dev, err := sim.New(st, sim.WithAccessHook(func(sim.Access) {
		if !lock.held.Load() {
			unlocked.Add(1)
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	d, err := erst.Open(dev.Table(), dev, erst.WithLock(lock))
	if err != nil {
		t.Fatal(err)
	}
	if n := unlocked.Load(); n != 0 {
		t.Errorf("Open made %d register accesses without the lock", n)
	}
	if _, err := d.IDs(); err != nil {
		t.Fatal(err)
	}
	if n := unlocked.Load(); n != 0 {
		t.Errorf("%d register accesses without the lock", n)
	}
}
