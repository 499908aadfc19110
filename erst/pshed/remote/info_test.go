package remote

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/goerst/erst/erst/pshed"
)

// infoBackend reports info as its device's description.
type infoBackend struct {
	Backend
	info Info
}

func (b infoBackend) Info() (Info, error) { return b.info, nil }

// A known capacity of 0 (a store with no room) reaches the client as
// known; a client from before the reply's Flags gets the reply it knows.
func TestInfoCapacityKnown(t *testing.T) {
	for _, want := range []Info{
		{RangeLength: 8192, Capacity: 0, CapacityKnown: true, MaxPayload: MaxPayload},
		{RangeLength: 8192, Capacity: 0, CapacityKnown: false, MaxPayload: MaxPayload},
		{RangeLength: 8192, Capacity: 7, CapacityKnown: true, MaxPayload: MaxPayload},
	} {
		conn, _ := serve(t, infoBackend{simBackend(t), want}, 0)
		got, err := NewClient(conn, 0).Info(context.Background())
		if err != nil || got != want {
			t.Errorf("info %+v, %v; want %+v", got, err, want)
		}
	}
	conn, _ := serve(t, infoBackend{simBackend(t), Info{Capacity: 7, CapacityKnown: true}}, 0)
	h, p := rawCall(t, conn, Frame(OpInfo, 3, nil))
	if h.Op != OpInfo|opReply || len(p) != 4+2+3*8+2*4 {
		t.Errorf("an info request without flags: %s reply of %d bytes, want the %d bytes without Flags", h.Op, len(p), 4+2+3*8+2*4)
	}
}

// Against a server from before the reply's Flags, which rejects a
// request with InfoExtended, the client asks again without, and a
// Capacity of 0 is unknown.
func TestInfoFromOldServer(t *testing.T) {
	cli, srv := net.Pipe()
	defer cli.Close()
	go func() {
		defer srv.Close()
		for {
			var hb [HeaderSize]byte
			if _, err := io.ReadFull(srv, hb[:]); err != nil {
				return
			}
			h, _ := DecodeHeader(hb[:])
			if _, err := io.ReadFull(srv, make([]byte, h.Length)); err != nil {
				return
			}
			reply := Frame(OpInfo|opReply, h.Seq, replyHead(pshed.StatusSuccess, nil).u64(8192).u64(0).u64(2).u32(1).u32(MaxPayload))
			if h.Length != 0 {
				reply = Frame(OpError, h.Seq, replyHead(pshed.StatusInvalidParameter, errors.New("info with a payload")))
			}
			if _, err := srv.Write(reply); err != nil {
				return
			}
		}
	}()
	info, err := NewClient(cli, 10*time.Second).Info(context.Background())
	if err != nil || info.CapacityKnown || info.RangeLength != 8192 || info.RecordCount != 2 {
		t.Errorf("info from an old server: %+v, %v; want range 8192, 2 records, capacity unknown", info, err)
	}
}
