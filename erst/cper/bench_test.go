package cper_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/goerst/erst/erst/cper"
)

// BenchmarkParse decodes records as erst ls and dump do for every stored
// record: a short pstore dmesg record, a full 8 KiB one (QEMU's record
// size), and an 8 KiB record split into 16 sections.
//
//	go test -run '^$' -bench . ./erst/cper/
func BenchmarkParse(b *testing.B) {
	at := time.Unix(1_700_000_000, 0)
	pstore := func(payload int) []byte {
		r, err := cper.NewPstoreRecord(1, cper.SectionTypeDmesg, bytes.Repeat([]byte("x"), payload), at)
		if err != nil {
			b.Fatal(err)
		}
		return marshal(b, r)
	}
	multi := func(n, total int) []byte {
		body := (total - cper.HeaderSize - n*cper.DescriptorSize) / n
		bld := cper.Builder{RecordID: 2, Severity: cper.SeverityCorrected, Time: at}
		for range n {
			bld.Sections = append(bld.Sections, cper.SectionSpec{Type: cper.SectionTypePlatformMemory, Severity: cper.SeverityCorrected, Body: make([]byte, body)})
		}
		r, err := bld.Build()
		if err != nil {
			b.Fatal(err)
		}
		return marshal(b, r)
	}
	for _, c := range []struct {
		name string
		rec  []byte
	}{
		{"pstore-256B", pstore(256 - cper.PstoreHeaderSize)},
		{"pstore-8KiB", pstore(8192 - cper.PstoreHeaderSize)},
		{"16-sections-8KiB", multi(16, 8192)},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.rec)))
			for b.Loop() {
				if _, err := cper.Parse(c.rec); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func marshal(b *testing.B, r *cper.Record) []byte {
	b.Helper()
	rec, err := r.Marshal()
	if err != nil {
		b.Fatal(err)
	}
	return rec
}
