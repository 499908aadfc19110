// Package remote carries the PSHED persistence callbacks
// ([pshed.Persistence]) and what a test harness needs beside them over a
// byte stream: `erst serve` runs a [Server] in a QEMU guest on a
// virtio-serial port, and package vmtest's harness calls it with a [Client]
// from the host.
//
// # Wire protocol, version 1
//
// Every message is a frame: a 16-byte header, then Length payload bytes.
// All integers are little-endian.
//
//	offset size field
//	0      4    Magic "ERSP"
//	4      1    Version (1)
//	5      1    Op: a request's operation; a reply has Op|0x80; OpError (0xFF) is an error reply
//	6      2    Reserved, 0
//	8      4    Seq: chosen by the client; the reply carries the request's
//	12     4    Length of the payload, at most MaxPayload
//
// The client sends one request and waits for its reply; the server
// handles one request at a time, in order. Request payloads:
//
//	OpInfo     (1)  empty, or InfoFlags u32: InfoExtended (1) asks for the
//	                reply's Flags (a server from before Flags rejects it)
//	OpWrite    (2)  Flags u32, then the whole CPER record (WriteErrorRecord)
//	OpRead     (3)  Flags u32, ID u64, BufferLength u32 (ReadErrorRecord)
//	OpClear    (4)  Flags u32, ID u64 (ClearErrorRecord)
//	OpIDs      (5)  empty
//	OpShutdown (6)  empty: the server replies, then stops serving (the
//	                guest powers off)
//
// Every reply payload starts with Status u32 (an NTSTATUS) and ErrorLength
// u16 followed by that many bytes of UTF-8: the server's Go error behind
// a failure status (empty on success; at most [MaxErrorText] bytes). Then:
//
//	OpInfo     RangeLength u64, Capacity u64, RecordCount u64,
//	           FunctionalAreaMask u32 (of the registration packet), MaxPayload u32,
//	           then, when the request had InfoExtended, Flags u32: bit 0 set
//	           when Capacity is known (it may then be 0, a store with no
//	           room). Without Flags, a Capacity of 0 means unknown.
//	OpWrite    nothing
//	OpRead     Next u64, Length u32, then the record's Length bytes when
//	           Status is STATUS_SUCCESS (nothing otherwise)
//	OpClear    nothing
//	OpIDs      Count u32, then Count ids u64
//	OpShutdown nothing
//
// A request the server cannot take (bad magic, another version, a
// payload over [MaxPayload], an unknown op, a payload too short or too long
// for its op, a frame whose payload does not arrive within the server's
// frame timeout) gets an error reply, [OpError] with Status
// STATUS_INVALID_PARAMETER and the reason, and the server keeps serving:
// after bad magic it skips to the next "ERSP"; an oversized payload is
// read and dropped. Its Seq is the request's, or 0 when the header was
// unreadable.
package remote

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/goerst/erst/erst/pshed"
	"github.com/goerst/erst/internal/enum"
)

// Version is the protocol version this package speaks.
const Version = 1

// Limits.
const (
	HeaderSize   = 16
	MaxPayload   = 1 << 20 // the largest payload: records up to 1 MiB minus the request fields
	MaxErrorText = 1024
)

// InfoExtended is [OpInfo]'s request flag that asks for the reply's Flags
// (Info.CapacityKnown). A request without it gets the reply without Flags,
// as clients from before Flags expect.
const InfoExtended uint32 = 1

// infoCapacityKnown is the reply's Flags bit for Info.CapacityKnown.
const infoCapacityKnown uint32 = 1

// Magic starts every frame.
var Magic = [4]byte{'E', 'R', 'S', 'P'}

// Op is a request's operation.
type Op uint8

// Operations.
const (
	OpInfo     Op = 1
	OpWrite    Op = 2
	OpRead     Op = 3
	OpClear    Op = 4
	OpIDs      Op = 5
	OpShutdown Op = 6

	opReply Op = 0x80
	OpError Op = 0xFF // the server's error reply
)

func (o Op) String() string {
	switch o {
	case OpInfo:
		return "info"
	case OpWrite:
		return "write"
	case OpRead:
		return "read"
	case OpClear:
		return "clear"
	case OpIDs:
		return "ids"
	case OpShutdown:
		return "shutdown"
	case OpError:
		return "error"
	}
	if o&opReply != 0 && o != OpError {
		return (o &^ opReply).String() + "-reply"
	}
	return enum.Unknown("Op", o)
}

// Errors.
var (
	// ErrProtocol: a frame or payload that does not follow the protocol.
	ErrProtocol = errors.New("remote: protocol error")
	// ErrRejected: the server answered a request with an error reply.
	ErrRejected = errors.New("remote: request rejected by the server")
	// ErrConnection: the connection failed, timed out or was closed
	// before the reply arrived.
	ErrConnection = errors.New("remote: connection failed")
)

// Header is a frame header.
type Header struct {
	Version uint8
	Op      Op
	Seq     uint32
	Length  uint32
}

// Encode returns the 16 header bytes.
func (h Header) Encode() []byte {
	b := make([]byte, HeaderSize)
	copy(b, Magic[:])
	b[4] = h.Version
	b[5] = byte(h.Op)
	binary.LittleEndian.PutUint32(b[8:], h.Seq)
	binary.LittleEndian.PutUint32(b[12:], h.Length)
	return b
}

// DecodeHeader decodes a header. It checks the magic and the reserved
// field only; the caller checks the version and the length.
func DecodeHeader(b []byte) (Header, error) {
	if len(b) < HeaderSize {
		return Header{}, fmt.Errorf("%w: header of %d bytes, want %d", ErrProtocol, len(b), HeaderSize)
	}
	if [4]byte(b[:4]) != Magic {
		return Header{}, fmt.Errorf("%w: bad magic % x, want %q", ErrProtocol, b[:4], Magic[:])
	}
	if r := binary.LittleEndian.Uint16(b[6:]); r != 0 {
		return Header{}, fmt.Errorf("%w: reserved field %#x, want 0", ErrProtocol, r)
	}
	return Header{Version: b[4], Op: Op(b[5]), Seq: binary.LittleEndian.Uint32(b[8:]), Length: binary.LittleEndian.Uint32(b[12:])}, nil
}

// Frame encodes a whole frame.
func Frame(op Op, seq uint32, payload []byte) []byte {
	return append(Header{Version: Version, Op: op, Seq: seq, Length: uint32(len(payload))}.Encode(), payload...)
}

// writeFrame writes a whole frame in one Write.
func writeFrame(w io.Writer, op Op, seq uint32, payload []byte) error {
	_, err := w.Write(Frame(op, seq, payload))
	return err
}

// Info is what [OpInfo] reports about the device behind the server.
type Info struct {
	// RangeLength is the longest record the device takes: the error log
	// address range's length (GET_ERROR_LOG_ADDRESS_LENGTH), or the
	// NVRAM slot size (pshed.Geometry).
	RangeLength uint64
	// Capacity is how many records the store holds, when CapacityKnown
	// (pshed.Geometry; the real device cannot tell, and then it is 0).
	Capacity      uint64
	CapacityKnown bool
	// RecordCount is GET_RECORD_COUNT.
	RecordCount uint64
	// FunctionalAreaMask is the registered plug-in's packet's.
	FunctionalAreaMask pshed.FunctionalArea
	// MaxPayload is the server's limit (MaxPayload of its version).
	MaxPayload uint32
}

// buf builds payloads.
type buf []byte

func (b buf) u16(v uint16) buf { return binary.LittleEndian.AppendUint16(b, v) }
func (b buf) u32(v uint32) buf { return binary.LittleEndian.AppendUint32(b, v) }
func (b buf) u64(v uint64) buf { return binary.LittleEndian.AppendUint64(b, v) }

// reader decodes payloads; the first short read sets err, and later reads
// return zeros.
type reader struct {
	b   []byte
	err error
}

func (r *reader) take(n int) []byte {
	if r.err != nil {
		return nil
	}
	if len(r.b) < n {
		r.err = fmt.Errorf("payload truncated: %d bytes left, want %d", len(r.b), n)
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) u16() uint16 {
	if b := r.take(2); b != nil {
		return binary.LittleEndian.Uint16(b)
	}
	return 0
}

func (r *reader) u32() uint32 {
	if b := r.take(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (r *reader) u64() uint64 {
	if b := r.take(8); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

// done checks that the whole payload was used.
func (r *reader) done() error {
	if r.err == nil && len(r.b) != 0 {
		r.err = fmt.Errorf("%d bytes after the payload's fields", len(r.b))
	}
	return r.err
}

// replyHead starts a reply payload: the status and the error text.
func replyHead(st pshed.NTSTATUS, err error) buf {
	text := ""
	if err != nil && !st.IsSuccess() {
		text = err.Error()
	}
	if len(text) > MaxErrorText {
		text = text[:MaxErrorText]
	}
	return append(buf(nil).u32(uint32(st)).u16(uint16(len(text))), text...)
}
