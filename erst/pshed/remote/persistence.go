package remote

import (
	"context"
	"sync"

	"github.com/goerst/erst/erst/pshed"
)

// Caller makes the PSHED persistence calls with a context and returns
// the Go error beside each status: nil exactly when the status is a
// success. *[Client] is one; so is vmtest's Guest, which finds the client
// of its running QEMU for each call.
type Caller interface {
	WriteErrorRecord(ctx context.Context, flags uint32, record []byte) (pshed.NTSTATUS, error)
	ReadErrorRecord(ctx context.Context, flags uint32, id uint64, buf []byte) (next uint64, length uint32, st pshed.NTSTATUS, err error)
	ClearErrorRecord(ctx context.Context, flags uint32, id uint64) (pshed.NTSTATUS, error)
}

// Persistence is a [Caller] as a [pshed.Persistence], whose callbacks return
// a status alone: each callback is one call with a background context
// (bounded by the Caller's own timeout), and Err returns the error behind
// the status of the handle's last call. That error is the handle's, not
// the call's: goroutines that call concurrently and want each call's
// error use the Caller's methods, or a [Persistence] each.
type Persistence struct {
	c Caller

	mu  sync.Mutex
	err error
}

// NewPersistence returns a handle of its own on c.
func NewPersistence(c Caller) *Persistence { return &Persistence{c: c} }

// Err returns the error behind the status of the last call through p:
// nil after a success.
func (p *Persistence) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

func (p *Persistence) keep(err error) {
	p.mu.Lock()
	p.err = err
	p.mu.Unlock()
}

// WriteErrorRecord implements [pshed.Persistence].
func (p *Persistence) WriteErrorRecord(flags uint32, record []byte) pshed.NTSTATUS {
	st, err := p.c.WriteErrorRecord(context.Background(), flags, record)
	p.keep(err)
	return st
}

// ReadErrorRecord implements [pshed.Persistence].
func (p *Persistence) ReadErrorRecord(flags uint32, id uint64, buf []byte) (uint64, uint32, pshed.NTSTATUS) {
	next, length, st, err := p.c.ReadErrorRecord(context.Background(), flags, id, buf)
	p.keep(err)
	return next, length, st
}

// ClearErrorRecord implements [pshed.Persistence].
func (p *Persistence) ClearErrorRecord(flags uint32, id uint64) pshed.NTSTATUS {
	st, err := p.c.ClearErrorRecord(context.Background(), flags, id)
	p.keep(err)
	return st
}
