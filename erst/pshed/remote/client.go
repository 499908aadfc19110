package remote

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"

	"github.com/goerst/erst/erst/pshed"
)

// DefaultCallTimeout bounds each [Client] call whose context has no
// deadline.
const DefaultCallTimeout = time.Minute

// Client calls a [Server] over a connection, one request at a time. Every
// call is bounded by its context's deadline, or the [Client]'s timeout when
// the context has none: when it passes, the context is cancelled, or the connection fails or is aborted (Abort), the call
// returns at once with an error wrapping [ErrConnection], and the Client is
// broken from then on (a late reply could not be told from the next
// one's).
type Client struct {
	conn    net.Conn
	br      *bufio.Reader
	timeout time.Duration

	mu     sync.Mutex // one call at a time
	seq    uint32
	broken error
	sent   func(Op)

	abortMu sync.Mutex
	abort   error

	persist *Persistence
}

// NewClient returns a [Client] over conn whose calls without a deadline
// each take at most timeout ([DefaultCallTimeout] when 0).
func NewClient(conn net.Conn, timeout time.Duration) *Client {
	if timeout <= 0 {
		timeout = DefaultCallTimeout
	}
	c := &Client{conn: conn, br: bufio.NewReaderSize(conn, 64<<10), timeout: timeout}
	c.persist = NewPersistence(c)
	return c
}

// OnSent sets a function called after each request has been sent, before
// its reply is read: a test can act while a call is in flight (kill the
// guest, say). It runs on the caller's goroutine.
func (c *Client) OnSent(f func(Op)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sent = f
}

// Abort closes the connection for reason: a call in flight and every
// later call fail with an error wrapping [ErrConnection] and reason.
func (c *Client) Abort(reason error) {
	c.abortMu.Lock()
	if c.abort == nil {
		c.abort = reason
	}
	c.abortMu.Unlock()
	c.conn.Close()
}

// Close closes the connection.
func (c *Client) Close() error {
	c.Abort(errors.New("client closed"))
	return nil
}

func (c *Client) aborted() error {
	c.abortMu.Lock()
	defer c.abortMu.Unlock()
	return c.abort
}

// call sends one request and returns the reply's payload after the
// status and error text, with the status and the server's error.
func (c *Client) call(ctx context.Context, op Op, payload []byte) (*reader, pshed.NTSTATUS, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.broken != nil {
		return nil, pshed.StatusUnsuccessful, c.broken
	}
	r, st, err := c.roundTrip(ctx, op, payload)
	if errors.Is(err, ErrConnection) || errors.Is(err, ErrProtocol) {
		c.broken = err
	}
	return r, st, err
}

func (c *Client) roundTrip(ctx context.Context, op Op, payload []byte) (*reader, pshed.NTSTATUS, error) {
	var cancel context.CancelFunc
	if _, ok := ctx.Deadline(); ok {
		ctx, cancel = context.WithCancel(ctx)
	} else {
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
	}
	defer cancel()
	fail := func(err error) (*reader, pshed.NTSTATUS, error) {
		switch reason := c.aborted(); {
		case reason != nil:
			err = fmt.Errorf("%w: %s: %w", ErrConnection, op, reason)
		case ctx.Err() != nil:
			err = fmt.Errorf("%w: %s: no reply: %w", ErrConnection, op, context.Cause(ctx))
		case errors.Is(err, os.ErrDeadlineExceeded):
			// The connection's deadline is the context's and can
			// fire before the context's own timer marks it done.
			err = fmt.Errorf("%w: %s: no reply: %w", ErrConnection, op, context.DeadlineExceeded)
		default:
			err = fmt.Errorf("%w: %s: %w", ErrConnection, op, err)
		}
		return nil, pshed.StatusUnsuccessful, err
	}
	if err := c.aborted(); err != nil {
		return fail(err)
	}
	dl, _ := ctx.Deadline()
	if err := c.conn.SetDeadline(dl); err != nil {
		return fail(err)
	}
	stop := context.AfterFunc(ctx, func() { _ = c.conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	c.seq++
	seq := c.seq
	if err := writeFrame(c.conn, op, seq, payload); err != nil {
		return fail(err)
	}
	if c.sent != nil {
		c.sent(op)
	}
	for {
		var hb [HeaderSize]byte
		if _, err := io.ReadFull(c.br, hb[:]); err != nil {
			return fail(err)
		}
		h, err := DecodeHeader(hb[:])
		if err != nil {
			return nil, pshed.StatusUnsuccessful, fmt.Errorf("%s reply: %w", op, err)
		}
		if h.Length > MaxPayload {
			return nil, pshed.StatusUnsuccessful, fmt.Errorf("%w: %s reply of %d bytes", ErrProtocol, op, h.Length)
		}
		p := make([]byte, h.Length)
		if _, err := io.ReadFull(c.br, p); err != nil {
			return fail(err)
		}
		if h.Seq != seq {
			continue // the reply to a request this client gave up on
		}
		r := &reader{b: p}
		st := pshed.NTSTATUS(r.u32())
		text := string(r.take(int(r.u16())))
		if r.err != nil {
			return nil, pshed.StatusUnsuccessful, fmt.Errorf("%w: %s reply: %w", ErrProtocol, op, r.err)
		}
		switch {
		case h.Op == OpError:
			return nil, pshed.StatusUnsuccessful, fmt.Errorf("%w: %s: %s (%s)", ErrRejected, op, text, st)
		case h.Op != op|opReply:
			return nil, pshed.StatusUnsuccessful, fmt.Errorf("%w: %s request answered by %s", ErrProtocol, op, h.Op)
		case st.IsSuccess():
			return r, st, nil
		case text == "":
			return r, st, st.Err()
		}
		return r, st, fmt.Errorf("%w; guest: %s", st.Err(), text)
	}
}

// Raw sends b as it is, which need not be a valid request, and returns
// the next frame that comes back, whatever its Seq: a test can send the
// server malformed requests and see its error replies. The reply's
// payload is returned undecoded.
func (c *Client) Raw(ctx context.Context, b []byte) (Header, []byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.broken != nil {
		return Header{}, nil, c.broken
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	dl, _ := ctx.Deadline()
	if err := c.conn.SetDeadline(dl); err != nil {
		return Header{}, nil, err
	}
	stop := context.AfterFunc(ctx, func() { _ = c.conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	fail := func(err error) (Header, []byte, error) {
		c.broken = fmt.Errorf("%w: raw request: %w", ErrConnection, err)
		return Header{}, nil, c.broken
	}
	if _, err := c.conn.Write(b); err != nil {
		return fail(err)
	}
	var hb [HeaderSize]byte
	if _, err := io.ReadFull(c.br, hb[:]); err != nil {
		return fail(err)
	}
	h, err := DecodeHeader(hb[:])
	if err != nil || h.Length > MaxPayload {
		return fail(fmt.Errorf("bad reply header: %v", err))
	}
	p := make([]byte, h.Length)
	if _, err := io.ReadFull(c.br, p); err != nil {
		return fail(err)
	}
	return h, p, nil
}

// ErrorReply decodes an error reply's payload: the status and the
// server's reason.
func ErrorReply(p []byte) (pshed.NTSTATUS, string, error) {
	r := &reader{b: p}
	st := pshed.NTSTATUS(r.u32())
	text := string(r.take(int(r.u16())))
	if err := r.done(); err != nil {
		return 0, "", fmt.Errorf("%w: error reply: %w", ErrProtocol, err)
	}
	return st, text, nil
}

// Info asks for the device's description. It asks with [InfoExtended],
// and again without when the server rejects that (a server from before
// the reply's Flags): then a Capacity of 0 is taken as unknown.
func (c *Client) Info(ctx context.Context) (Info, error) {
	extended := true
	r, _, err := c.call(ctx, OpInfo, buf(nil).u32(InfoExtended))
	if errors.Is(err, ErrRejected) {
		extended = false
		r, _, err = c.call(ctx, OpInfo, nil)
	}
	if err != nil {
		return Info{}, err
	}
	info := Info{RangeLength: r.u64(), Capacity: r.u64(), RecordCount: r.u64(),
		FunctionalAreaMask: pshed.FunctionalArea(r.u32()), MaxPayload: r.u32()}
	if extended {
		info.CapacityKnown = r.u32()&infoCapacityKnown != 0
	} else {
		info.CapacityKnown = info.Capacity > 0
	}
	if err := r.done(); err != nil {
		return Info{}, fmt.Errorf("%w: info reply: %w", ErrProtocol, err)
	}
	return info, nil
}

// WriteErrorRecord calls the server's WriteErrorRecord. err is nil
// exactly when the status is a success; otherwise it wraps the status's
// error ([pshed.NTSTATUS.Err]) with the server's reason, or [ErrConnection]
// or [ErrRejected] with StatusUnsuccessful.
func (c *Client) WriteErrorRecord(ctx context.Context, flags uint32, record []byte) (pshed.NTSTATUS, error) {
	if len(record) > MaxPayload-4 {
		return pshed.StatusUnsuccessful, fmt.Errorf("%w: a %d-byte record exceeds the protocol's limit", pshed.ErrInvalidParameter, len(record))
	}
	_, st, err := c.call(ctx, OpWrite, append(buf(nil).u32(flags), record...))
	return st, err
}

// ReadErrorRecord calls the server's ReadErrorRecord with a buffer of
// len(b) bytes; the record lands in b[:length]. err is as for
// WriteErrorRecord.
func (c *Client) ReadErrorRecord(ctx context.Context, flags uint32, id uint64, b []byte) (next uint64, length uint32, st pshed.NTSTATUS, err error) {
	n := min(len(b), MaxPayload-readReplyOverhead)
	r, st, err := c.call(ctx, OpRead, buf(nil).u32(flags).u64(id).u32(uint32(n)))
	if r == nil {
		return 0, 0, st, err
	}
	next, length = r.u64(), r.u32()
	if st == pshed.StatusSuccess {
		rec := r.take(int(length))
		if r.err == nil && len(r.b) == 0 && len(rec) <= len(b) {
			copy(b, rec)
			return next, length, st, nil
		}
		return 0, 0, pshed.StatusUnsuccessful, fmt.Errorf("%w: read reply: %d-byte record for a %d-byte buffer, %d bytes", ErrProtocol, length, len(b), len(rec))
	}
	if r.err != nil {
		return 0, 0, pshed.StatusUnsuccessful, fmt.Errorf("%w: read reply: %w", ErrProtocol, r.err)
	}
	return next, length, st, err
}

// ClearErrorRecord calls the server's ClearErrorRecord. err is as for
// WriteErrorRecord.
func (c *Client) ClearErrorRecord(ctx context.Context, flags uint32, id uint64) (pshed.NTSTATUS, error) {
	_, st, err := c.call(ctx, OpClear, buf(nil).u32(flags).u64(id))
	return st, err
}

// IDs returns every stored record identifier, in store order.
func (c *Client) IDs(ctx context.Context) ([]uint64, error) {
	r, _, err := c.call(ctx, OpIDs, nil)
	if err != nil {
		return nil, err
	}
	n := r.u32()
	if r.err != nil || uint64(n)*8 != uint64(len(r.b)) {
		return nil, fmt.Errorf("%w: ids reply: %d ids in %d bytes", ErrProtocol, n, len(r.b))
	}
	ids := make([]uint64, n)
	for i := range ids {
		ids[i] = r.u64()
	}
	return ids, nil
}

// Shutdown asks the server to stop serving; in a guest, it powers off.
func (c *Client) Shutdown(ctx context.Context) error {
	_, _, err := c.call(ctx, OpShutdown, nil)
	return err
}

// Persistence returns the client as a [pshed.Persistence] (see type
// [Persistence]): each callback is one call, bounded by the client's
// timeout; a transport failure is STATUS_UNSUCCESSFUL. It is always the
// same handle, so Err is the error of the last call through it from any
// goroutine.
func (c *Client) Persistence() pshed.Persistence { return c.persist }

// Err returns the error behind the status of the last call made through
// [Persistence], by any goroutine: nil after a success. Concurrent callers
// use the [Client]'s methods, which return each call's error, or a
// Persistence of their own (NewPersistence(c)).
func (c *Client) Err() error { return c.persist.Err() }
