package main

import (
	"bytes"
	"encoding/binary"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goerst/erst/erst/pshed"
	"github.com/goerst/erst/erst/pshed/pshedtest"
	"github.com/goerst/erst/erst/pshed/remote"
)

// erst serve -stdio on a simulated store answers a stream of requests,
// rejects a malformed one and goes on, and ends at the end of stdin.
func TestServeStdio(t *testing.T) {
	s := filepath.Join(t.TempDir(), "s.img")
	mustRun(t, nil, "-store", s, "create")
	rec := pshedtest.NewRecord(400, 0x42)
	var in bytes.Buffer
	in.Write(remote.Frame(remote.OpInfo, 1, nil))
	in.Write(remote.Frame(remote.OpWrite, 2, append(make([]byte, 4), rec...)))
	in.Write(remote.Frame(remote.Op(0x33), 3, nil))
	in.Write(remote.Frame(remote.OpRead, 4, binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint64(make([]byte, 4), 0x42), 8192)))
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-store", s, "serve", "-stdio"}, &in, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	out := stdout.Bytes()
	var ops []remote.Op
	var last []byte
	for len(out) > 0 {
		h, err := remote.DecodeHeader(out)
		if err != nil {
			t.Fatal(err)
		}
		ops = append(ops, h.Op)
		last = out[remote.HeaderSize : remote.HeaderSize+h.Length]
		if h.Op != remote.OpError && pshed.NTSTATUS(binary.LittleEndian.Uint32(last)) != pshed.StatusSuccess {
			t.Errorf("reply %s: status %#x", h.Op, binary.LittleEndian.Uint32(last))
		}
		out = out[remote.HeaderSize+h.Length:]
	}
	if got := opNames(ops); got != "info-reply write-reply error read-reply" {
		t.Errorf("replies %s", got)
	}
	if !bytes.HasSuffix(last, rec) {
		t.Errorf("the read reply does not end with the record written")
	}
}

func opNames(ops []remote.Op) string {
	var s []string
	for _, o := range ops {
		s = append(s, o.String())
	}
	return strings.Join(s, " ")
}

func TestServeUsage(t *testing.T) {
	for _, args := range [][]string{{"serve"}, {"serve", "-stdio", "-port", "x"}, {"serve", "-stdio", "extra"}} {
		var stderr bytes.Buffer
		if code := run(append([]string{"-store", filepath.Join(t.TempDir(), "s.img")}, args...), nil, &bytes.Buffer{}, &stderr); code != 2 {
			t.Errorf("%q: exit %d, want 2; stderr %q", args, code, stderr.String())
		}
	}
}
