package remote

import (
	"context"
	"errors"
	"testing"

	"github.com/goerst/erst/erst/pshed"
)

// failingCaller fails every call on its id with its own error, and
// succeeds on any other.
type failingCaller struct {
	id  uint64
	err error
}

func (f failingCaller) status(id uint64) (pshed.NTSTATUS, error) {
	if id == f.id {
		return pshed.StatusUnsuccessful, f.err
	}
	return pshed.StatusSuccess, nil
}

func (f failingCaller) WriteErrorRecord(_ context.Context, _ uint32, r []byte) (pshed.NTSTATUS, error) {
	return f.status(uint64(len(r)))
}

func (f failingCaller) ReadErrorRecord(_ context.Context, _ uint32, id uint64, _ []byte) (uint64, uint32, pshed.NTSTATUS, error) {
	st, err := f.status(id)
	return 0, 0, st, err
}

func (f failingCaller) ClearErrorRecord(_ context.Context, _ uint32, id uint64) (pshed.NTSTATUS, error) {
	return f.status(id)
}

// Each Persistence keeps the error of its own last call: a second handle's
// calls do not change the first's.
func TestPersistenceErrPerHandle(t *testing.T) {
	bad := errors.New("bad id")
	c := failingCaller{id: 7, err: bad}
	a, b := NewPersistence(c), NewPersistence(c)
	if st := a.ClearErrorRecord(0, 7); st != pshed.StatusUnsuccessful || !errors.Is(a.Err(), bad) {
		t.Fatalf("failing clear: %v, %v", st, a.Err())
	}
	if st := b.ClearErrorRecord(0, 8); st != pshed.StatusSuccess || b.Err() != nil {
		t.Fatalf("clear through the second handle: %v, %v", st, b.Err())
	}
	if !errors.Is(a.Err(), bad) {
		t.Errorf("the first handle's error after the second's success: %v, want %v", a.Err(), bad)
	}
	if _, _, st := a.ReadErrorRecord(0, 9, nil); st != pshed.StatusSuccess || a.Err() != nil {
		t.Errorf("read: %v, %v; want success, nil", st, a.Err())
	}
	if st := a.WriteErrorRecord(0, make([]byte, 7)); st != pshed.StatusUnsuccessful || !errors.Is(a.Err(), bad) {
		t.Errorf("failing write: %v, %v", st, a.Err())
	}
}
