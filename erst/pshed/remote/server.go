package remote

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/goerst/erst/erst/pshed"
)

// Backend is what a [Server] serves: the three callbacks and what a harness
// needs beside them.
type Backend interface {
	pshed.Persistence
	// Info describes the device.
	Info() (Info, error)
	// IDs returns every stored record identifier, in store order.
	IDs() ([]uint64, error)
	// LastError is the Go error behind the last callback's failure
	// status, or nil when there is none to tell.
	LastError() error
}

// DefaultFrameTimeout is how long a [Server] waits for the rest of a frame
// once its first byte arrived.
const DefaultFrameTimeout = 5 * time.Second

// Server serves one [Backend] over a stream, one request at a time.
type Server struct {
	Backend Backend
	// FrameTimeout bounds how long the rest of a frame may take to arrive
	// after its first bytes (default DefaultFrameTimeout), on a stream
	// with read deadlines (SetReadDeadline, as net.Conn and pollable
	// os.Files have). Without deadlines a truncated frame waits for more
	// bytes.
	FrameTimeout time.Duration
}

type deadliner interface{ SetReadDeadline(time.Time) error }

// Serve serves requests from rw until a shutdown request (it returns nil
// after replying), the end of the stream (io.EOF) or a read or write
// error. Malformed requests get error replies and do not end it.
func (s *Server) Serve(rw io.ReadWriter) error {
	c := &serverConn{s: s, w: rw, br: bufio.NewReaderSize(rw, 64<<10)}
	c.dl, _ = rw.(deadliner)
	c.timeout = s.FrameTimeout
	if c.timeout <= 0 {
		c.timeout = DefaultFrameTimeout
	}
	for {
		stop, err := c.one()
		if err != nil || stop {
			return err
		}
	}
}

type serverConn struct {
	s       *Server
	w       io.Writer
	br      *bufio.Reader
	dl      deadliner
	timeout time.Duration
}

func (c *serverConn) setDeadline(t time.Time) {
	if c.dl != nil {
		_ = c.dl.SetReadDeadline(t)
	}
}

// isTimeout reports whether err is a read deadline passing.
func isTimeout(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) }

// reject sends an error reply.
func (c *serverConn) reject(seq uint32, format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	if !errors.Is(err, ErrProtocol) {
		err = fmt.Errorf("%w: %w", ErrProtocol, err)
	}
	return writeFrame(c.w, OpError, seq, replyHead(pshed.StatusInvalidParameter, err))
}

// one reads and answers one frame. stop is true after a shutdown request.
func (c *serverConn) one() (stop bool, err error) {
	// Wait as long as it takes for a frame to start.
	c.setDeadline(time.Time{})
	first, err := c.br.Peek(len(Magic))
	if err != nil {
		if len(first) == 0 || errors.Is(err, io.EOF) {
			return false, err
		}
	}
	if !bytes.Equal(first, Magic[:]) {
		if err := c.reject(0, "bad magic % x: skipping to the next frame", first); err != nil {
			return false, err
		}
		return false, c.resync()
	}
	c.setDeadline(time.Now().Add(c.timeout))
	defer c.setDeadline(time.Time{})
	var hb [HeaderSize]byte
	if _, err := io.ReadFull(c.br, hb[:]); err != nil {
		if isTimeout(err) {
			return false, c.reject(0, "truncated header: the rest did not arrive within %v", c.timeout)
		}
		return false, err
	}
	h, err := DecodeHeader(hb[:])
	if err != nil {
		return false, c.reject(0, "%w", err)
	}
	if h.Length > MaxPayload {
		if err := c.reject(h.Seq, "%s request of %d bytes: the limit is %d", h.Op, h.Length, MaxPayload); err != nil {
			return false, err
		}
		_, err := c.br.Discard(int(h.Length))
		if isTimeout(err) {
			return false, nil // it said more than it sent; carry on with what comes
		}
		return false, err
	}
	payload := make([]byte, h.Length)
	if _, err := io.ReadFull(c.br, payload); err != nil {
		if isTimeout(err) {
			return false, c.reject(h.Seq, "truncated %s request: %d payload bytes did not arrive within %v", h.Op, h.Length, c.timeout)
		}
		return false, err
	}
	if h.Version != Version {
		return false, c.reject(h.Seq, "protocol version %d: this server speaks %d", h.Version, Version)
	}
	op, reply, err := c.handle(h.Op, payload)
	if err != nil {
		return false, c.reject(h.Seq, "%s request: %v", h.Op, err)
	}
	if err := writeFrame(c.w, op|opReply, h.Seq, reply); err != nil {
		return false, err
	}
	return op == OpShutdown, nil
}

// resync drops bytes up to the next Magic.
func (c *serverConn) resync() error {
	for {
		b, err := c.br.Peek(len(Magic))
		if bytes.Equal(b, Magic[:]) {
			return nil
		}
		if err != nil && len(b) < len(Magic) {
			if len(b) == 0 {
				return err
			}
			// Fewer bytes than a magic are buffered: wait for more, unless
			// the stream ended.
			if errors.Is(err, io.EOF) {
				return err
			}
		}
		if _, err := c.br.Discard(1); err != nil {
			return err
		}
	}
}

// handle runs one well-framed request and returns the reply payload, or
// an error for a payload that does not fit its op.
func (c *serverConn) handle(op Op, payload []byte) (Op, []byte, error) {
	b := c.s.Backend
	r := &reader{b: payload}
	switch op {
	case OpIDs, OpShutdown:
		if err := r.done(); err != nil {
			return op, nil, err
		}
	}
	switch op {
	case OpInfo:
		extended := len(payload) != 0
		if extended {
			if f := r.u32(); r.done() != nil || f != InfoExtended {
				return op, nil, fmt.Errorf("info request flags % x: want none or %#x", payload, InfoExtended)
			}
		}
		info, err := b.Info()
		st := pshed.FromError(err)
		reply := replyHead(st, err).u64(info.RangeLength).u64(info.Capacity).u64(info.RecordCount).
			u32(uint32(info.FunctionalAreaMask)).u32(MaxPayload)
		if extended {
			var flags uint32
			if info.CapacityKnown {
				flags |= infoCapacityKnown
			}
			reply = reply.u32(flags)
		}
		return op, reply, nil
	case OpWrite:
		flags := r.u32()
		if r.err != nil {
			return op, nil, r.err
		}
		st := b.WriteErrorRecord(flags, r.b)
		return op, replyHead(st, c.lastError(st)), nil
	case OpRead:
		flags, id, n := r.u32(), r.u64(), r.u32()
		if err := r.done(); err != nil {
			return op, nil, err
		}
		if n > MaxPayload-readReplyOverhead {
			return op, nil, fmt.Errorf("buffer length %d: the limit is %d", n, MaxPayload-readReplyOverhead)
		}
		rbuf := make([]byte, n)
		next, length, st := b.ReadErrorRecord(flags, id, rbuf)
		out := replyHead(st, c.lastError(st)).u64(next).u32(length)
		if st == pshed.StatusSuccess {
			if length > n {
				return op, replyHead(pshed.StatusUnsuccessful, fmt.Errorf("backend reported a %d-byte record in a %d-byte buffer", length, n)).u64(next).u32(0), nil
			}
			out = append(out, rbuf[:length]...)
		}
		return op, out, nil
	case OpClear:
		flags, id := r.u32(), r.u64()
		if err := r.done(); err != nil {
			return op, nil, err
		}
		st := b.ClearErrorRecord(flags, id)
		return op, replyHead(st, c.lastError(st)), nil
	case OpIDs:
		ids, err := b.IDs()
		if err == nil && len(ids) > (MaxPayload-readReplyOverhead)/8 {
			err = fmt.Errorf("%d ids do not fit in a reply", len(ids))
			ids = nil
		}
		if err != nil {
			return op, replyHead(pshed.FromError(err), err).u32(0), nil
		}
		out := replyHead(pshed.StatusSuccess, nil).u32(uint32(len(ids)))
		for _, id := range ids {
			out = out.u64(id)
		}
		return op, out, nil
	case OpShutdown:
		return op, replyHead(pshed.StatusSuccess, nil), nil
	}
	return op, nil, fmt.Errorf("unknown operation %#x", uint8(op))
}

// readReplyOverhead is a read reply's payload without the record, at
// most: status, error text, next, length.
const readReplyOverhead = 4 + 2 + MaxErrorText + 8 + 4

// lastError is the error behind a failure status: the backend's, else
// the status's own.
func (c *serverConn) lastError(st pshed.NTSTATUS) error {
	if st.IsSuccess() {
		return nil
	}
	if err := c.s.Backend.LastError(); err != nil {
		return err
	}
	return st.Err()
}
