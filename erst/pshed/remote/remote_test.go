package remote

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/pshed"
	"github.com/goerst/erst/erst/pshed/pshedtest"
	"github.com/goerst/erst/erst/sim"
	"github.com/goerst/erst/erst/store"
)

const (
	testStoreSize  = 64 << 10
	testRecordSize = 8192
)

// simBackend is a DeviceBackend over a simulated QEMU device on a new,
// empty in-memory store.
func simBackend(tb testing.TB) *DeviceBackend {
	tb.Helper()
	im, err := store.NewImage(testStoreSize, testRecordSize)
	if err != nil {
		tb.Fatal(err)
	}
	st, err := store.New(im)
	if err != nil {
		tb.Fatal(err)
	}
	dev, err := sim.New(st)
	if err != nil {
		tb.Fatal(err)
	}
	d, err := erst.Open(dev.Table(), dev)
	if err != nil {
		tb.Fatal(err)
	}
	b, err := NewDeviceBackend(d)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// serve runs a Server for b on one end of a pipe and returns the other
// end; the server's result arrives on done.
func serve(t *testing.T, b Backend, frameTimeout time.Duration) (conn net.Conn, done <-chan error) {
	t.Helper()
	cli, srv := net.Pipe()
	ch := make(chan error, 1)
	go func() { ch <- (&Server{Backend: b, FrameTimeout: frameTimeout}).Serve(srv); srv.Close() }()
	t.Cleanup(func() {
		cli.Close()
		<-ch
	})
	return cli, ch
}

// The PSHED conformance suite, unchanged, through a client and a server
// over the simulated device.
func TestConformanceThroughServer(t *testing.T) {
	pshedtest.TestPersistence(t, func(t *testing.T) pshedtest.Target {
		conn, _ := serve(t, simBackend(t), 0)
		c := NewClient(conn, 0)
		info, err := c.Info(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		// The protocol's Info says 0 for a capacity the device cannot
		// tell; this one can.
		return pshedtest.Target{Persistence: c.Persistence(), RangeLength: int(info.RangeLength), Capacity: int(info.Capacity), CapacityKnown: info.Capacity > 0}
	})
}

func TestInfoIDsAndErrors(t *testing.T) {
	conn, _ := serve(t, simBackend(t), 0)
	c := NewClient(conn, 0)
	ctx := context.Background()
	info, err := c.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.RangeLength != testRecordSize || info.Capacity != 7 || info.RecordCount != 0 ||
		info.FunctionalAreaMask != pshed.FAErrorRecordPersistence || info.MaxPayload != MaxPayload {
		t.Errorf("info = %+v", info)
	}
	rec := pshedtest.NewRecord(300, 0x55)
	if st, err := c.WriteErrorRecord(ctx, 0, rec); st != pshed.StatusSuccess || err != nil {
		t.Fatalf("write: %v, %v", st, err)
	}
	if ids, err := c.IDs(ctx); err != nil || len(ids) != 1 || ids[0] != 0x55 {
		t.Errorf("ids = %#x, %v", ids, err)
	}
	// A missing record: the documented status, and the driver's error
	// behind it.
	_, _, st, err := c.ReadErrorRecord(ctx, 0, 0x99, make([]byte, 8192))
	if st != pshed.StatusObjectNotFound || !errors.Is(err, pshed.ErrObjectNotFound) || !bytes.Contains([]byte(err.Error()), []byte("guest:")) {
		t.Errorf("read of a missing id: %v, %v", st, err)
	}
	// A record that is not CPER: STATUS_UNSUCCESSFUL, with a reason.
	st, err = c.WriteErrorRecord(ctx, 0, []byte("short"))
	if st != pshed.StatusUnsuccessful || !errors.Is(err, pshed.ErrUnsuccessful) {
		t.Errorf("write of 5 bytes: %v, %v", st, err)
	}
	p := c.Persistence()
	if st := p.ClearErrorRecord(0, 0x77); st != pshed.StatusUnsuccessful || c.Err() == nil {
		t.Errorf("clear of a missing id through Persistence: %v, Err %v", st, c.Err())
	}
	if st := p.ClearErrorRecord(0, 0x55); st != pshed.StatusSuccess || c.Err() != nil {
		t.Errorf("clear: %v, Err %v", st, c.Err())
	}
	if err := c.Shutdown(ctx); err != nil {
		t.Errorf("shutdown: %v", err)
	}
}

// rawCall sends b and reads one reply frame.
func rawCall(t *testing.T, conn net.Conn, b []byte) (Header, []byte) {
	t.Helper()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	go conn.Write(b) // the pipe blocks a write until the server has read it all
	var hb [HeaderSize]byte
	if _, err := io.ReadFull(conn, hb[:]); err != nil {
		t.Fatalf("no reply: %v", err)
	}
	h, err := DecodeHeader(hb[:])
	if err != nil {
		t.Fatal(err)
	}
	p := make([]byte, h.Length)
	if _, err := io.ReadFull(conn, p); err != nil {
		t.Fatal(err)
	}
	return h, p
}

func rawHeader(version uint8, op Op, seq, length uint32) []byte {
	return Header{Version: version, Op: op, Seq: seq, Length: length}.Encode()
}

// Every malformed, oversized, truncated or unknown request gets an error
// reply, and the server goes on serving: a valid request after them all
// succeeds.
func TestMalformedRequests(t *testing.T) {
	conn, done := serve(t, simBackend(t), 100*time.Millisecond)
	reserved := rawHeader(Version, OpInfo, 9, 0)
	reserved[6] = 1
	for _, tc := range []struct {
		name string
		b    []byte
		seq  uint32
	}{
		{"garbage", []byte("GET / HTTP/1.1\r\n\r\n"), 0},
		{"unknown op", Frame(Op(0x42), 1, nil), 1},
		{"reply op as request", Frame(OpInfo|opReply, 2, nil), 2},
		{"other version", rawHeader(2, OpInfo, 3, 0), 3},
		{"reserved field", reserved, 0},
		{"oversized", append(rawHeader(Version, OpWrite, 4, MaxPayload+1), make([]byte, MaxPayload+1)...), 4},
		{"truncated read payload", Frame(OpRead, 5, []byte{0, 0, 0, 0, 1}), 5},
		{"read payload too long", Frame(OpRead, 6, make([]byte, 17)), 6},
		{"truncated write payload", Frame(OpWrite, 7, []byte{1, 2}), 7},
		{"info with a payload", Frame(OpInfo, 8, []byte{1}), 8},
		{"huge read buffer", Frame(OpRead, 10, binary.LittleEndian.AppendUint32(make([]byte, 12), MaxPayload)), 10},
		{"truncated frame", append(rawHeader(Version, OpClear, 11, 12), 1, 2, 3), 11},
	} {
		h, p := rawCall(t, conn, tc.b)
		r := &reader{b: p}
		st := pshed.NTSTATUS(r.u32())
		text := r.take(int(r.u16()))
		if h.Op != OpError || h.Seq != tc.seq || st != pshed.StatusInvalidParameter || len(text) == 0 || r.done() != nil {
			t.Errorf("%s: reply %s seq %d, status %v, %q; want an error reply to seq %d with STATUS_INVALID_PARAMETER and a reason", tc.name, h.Op, h.Seq, st, text, tc.seq)
		}
		t.Logf("%s: %s", tc.name, text)
	}
	c := NewClient(conn, 0)
	c.seq = 100
	if info, err := c.Info(context.Background()); err != nil || info.RangeLength != testRecordSize {
		t.Errorf("a valid request after the malformed ones: %+v, %v", info, err)
	}
	select {
	case err := <-done:
		t.Errorf("the server stopped: %v", err)
	default:
	}
}

// A call in flight when the connection is aborted (the harness does it
// when QEMU dies) returns at once with the reason.
func TestAbortInFlight(t *testing.T) {
	cli, srv := net.Pipe()
	defer srv.Close()
	go io.Copy(io.Discard, srv) // a server that never answers
	c := NewClient(cli, time.Hour)
	gone := errors.New("QEMU was killed")
	c.OnSent(func(op Op) { c.Abort(gone) })
	st := c.Persistence().WriteErrorRecord(0, pshedtest.NewRecord(200, 1))
	if st != pshed.StatusUnsuccessful || !errors.Is(c.Err(), ErrConnection) || !errors.Is(c.Err(), gone) {
		t.Errorf("write with the connection aborted in flight: %v, %v", st, c.Err())
	}
	// And the client stays broken.
	if _, err := c.Info(context.Background()); !errors.Is(err, ErrConnection) {
		t.Errorf("info after the abort: %v", err)
	}
}

// A call whose reply does not come within the timeout fails with the
// deadline.
func TestCallTimeout(t *testing.T) {
	cli, srv := net.Pipe()
	defer srv.Close()
	go io.Copy(io.Discard, srv)
	c := NewClient(cli, time.Millisecond)
	_, err := c.Info(context.Background())
	if !errors.Is(err, ErrConnection) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("info without a reply: %v", err)
	}
}

// A server stops at the end of its stream.
func TestServeEOF(t *testing.T) {
	err := (&Server{Backend: simBackend(t)}).Serve(rw{bytes.NewReader(Frame(OpInfo, 1, nil)), io.Discard})
	if !errors.Is(err, io.EOF) {
		t.Errorf("Serve at EOF: %v", err)
	}
}

type rw struct {
	io.Reader
	io.Writer
}

// Nothing a host sends crashes the server: it answers or ends at EOF.
func FuzzServer(f *testing.F) {
	f.Add(Frame(OpInfo, 1, nil))
	f.Add(Frame(OpWrite, 2, append([]byte{0, 0, 0, 0}, pshedtest.NewRecord(200, 3)...)))
	f.Add(Frame(OpRead, 3, binary.LittleEndian.AppendUint32(make([]byte, 12), 8192)))
	f.Add(Frame(OpClear, 4, make([]byte, 12)))
	f.Add(Frame(OpIDs, 5, nil))
	f.Add(append(Frame(Op(9), 6, nil), Frame(OpShutdown, 7, nil)...))
	f.Add([]byte("ERSP\x01\x03\x00\x00"))
	f.Add(append([]byte("xxERS"), Frame(OpInfo, 8, nil)...))
	b := simBackend(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		var out bytes.Buffer
		err := (&Server{Backend: b}).Serve(rw{bytes.NewReader(data), &out})
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("Serve: %v", err)
		}
		// Every reply is a well-formed frame.
		for o := out.Bytes(); len(o) > 0; {
			h, err := DecodeHeader(o)
			if err != nil || int(h.Length) > len(o)-HeaderSize || (h.Op&opReply == 0) {
				t.Fatalf("bad reply frame %q: %v", o[:min(len(o), HeaderSize)], err)
			}
			o = o[HeaderSize+h.Length:]
		}
		// Leave the store empty for the next input.
		ids, _ := b.IDs()
		for _, id := range ids {
			b.ClearErrorRecord(0, id)
		}
	})
}
