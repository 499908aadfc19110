//go:build vmtest

package vmtest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/goerst/erst/erst/pshed"
	"github.com/goerst/erst/erst/pshed/pshedtest"
)

// roundTripSize is the record size both sides of BenchmarkHarnessRoundTrip
// time, and roundTripGuestN how many times erst bench runs each operation
// in the guest.
const (
	roundTripSize   = 1024
	roundTripGuestN = 200
)

// inGuest is erst bench's -json result in a guest like the harness's (q35,
// a 64 KiB store of 8 KiB records), run once however often the benchmark
// function is called.
var inGuest struct {
	once sync.Once
	p50  map[string]int64 // op -> median ns
	err  string
}

// guestP50 runs `erstvm -- bench -json -n 200 -size 1024` once
// and returns each operation's median latency inside the guest, in ns.
// It costs one boot: the harness's guest runs only erst serve.
func guestP50(b *testing.B) map[string]int64 {
	b.Helper()
	inGuest.once.Do(func() {
		erstvm := erstvmRunner(b)
		r := erstvm(b.TempDir(), "--", "bench", "-json", "-n", strconv.Itoa(roundTripGuestN), "-size", strconv.Itoa(roundTripSize))
		if r.code != 0 {
			inGuest.err = fmt.Sprintf("erstvm -- bench: exit %d\n%s", r.code, r.stderr)
			return
		}
		var res benchJSON
		if err := json.Unmarshal(r.stdout, &res); err != nil {
			inGuest.err = fmt.Sprintf("erst bench -json: %v", err)
			return
		}
		if res.RecordSize != roundTripSize {
			inGuest.err = fmt.Sprintf("erst bench timed %d-byte records, want %d", res.RecordSize, roundTripSize)
			return
		}
		inGuest.p50 = map[string]int64{}
		for _, o := range res.Operations {
			inGuest.p50[o.Op] = o.P50NS
		}
	})
	if inGuest.err != "" {
		b.Fatal(inGuest.err)
	}
	return inGuest.p50
}

// benchJSON is the part of erst bench -json this file reads.
type benchJSON struct {
	RecordSize int `json:"record_size"`
	Operations []struct {
		Op    string `json:"op"`
		P50NS int64  `json:"p50_ns"`
	} `json:"operations"`
}

// BenchmarkHarnessRoundTrip times PSHED's WriteErrorRecord,
// ReadErrorRecord and ClearErrorRecord of a 1 KiB record from the host
// through the harness (the shared guest: request over virtio-serial, erst
// serve, the driver on QEMU's acpi-erst device, the reply back), one
// write, read and clear per iteration as erst bench does, and reports
// each call's median beside the same operation's median inside a guest
// (erst bench, one extra boot), and the harness's overhead: the
// difference and the ratio. Info, whose work in the guest is one record
// count, gives the transport with the least device work behind it. Figures only; nothing is asserted about time.
//
//	CI=true go test -tags vmtest -count=1 -run '^$' -bench HarnessRoundTrip -benchtime 200x ./vmtest/
func BenchmarkHarnessRoundTrip(b *testing.B) {
	guest := guestP50(b)
	g := sharedGuest(b)
	p := g.PSHED()
	ctx := context.Background()
	const id = 0x726f_756e_6400_0001 // "round"
	rec := pshedtest.NewRecord(roundTripSize, id)
	buf := make([]byte, 8192)
	lat := map[string][]time.Duration{}
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		if st := p.WriteErrorRecord(0, rec); st != pshed.StatusSuccess {
			b.Fatalf("write: %v (%v)", st, g.Err())
		}
		t1 := time.Now()
		if _, n, st := p.ReadErrorRecord(0, id, buf); st != pshed.StatusSuccess || int(n) != len(rec) {
			b.Fatalf("read: %v, %d bytes (%v)", st, n, g.Err())
		}
		t2 := time.Now()
		if st := p.ClearErrorRecord(0, id); st != pshed.StatusSuccess {
			b.Fatalf("clear: %v (%v)", st, g.Err())
		}
		t3 := time.Now()
		if _, err := g.Info(ctx); err != nil {
			b.Fatalf("info: %v", err)
		}
		t4 := time.Now()
		lat["write"] = append(lat["write"], t1.Sub(t0))
		lat["read"] = append(lat["read"], t2.Sub(t1))
		lat["clear"] = append(lat["clear"], t3.Sub(t2))
		lat["info"] = append(lat["info"], t4.Sub(t3))
	}
	b.StopTimer()
	// Info's work in the guest is one GET_RECORD_COUNT, erst bench's
	// count: the transport with the least device work behind it.
	for _, op := range []string{"write", "read", "clear", "info"} {
		host, inOp := median(lat[op]), op
		if op == "info" {
			inOp = "count"
		}
		in := guest[inOp]
		if in <= 0 {
			b.Fatalf("erst bench in the guest gave no median for %s", op)
		}
		b.ReportMetric(float64(host), op+"-host-p50-ns")
		b.ReportMetric(float64(in), op+"-guest-p50-ns")
		b.ReportMetric(float64(host)/float64(in), op+"-overhead-x")
		if b.N == 1 {
			continue // the probe run before the timed one
		}
		b.Logf("%-5s: host round trip p50 %7.1f µs (%d calls); %-5s in the guest p50 %6.1f µs (%d runs); overhead %+7.1f µs, %.1fx",
			op, float64(host)/1e3, len(lat[op]), inOp, float64(in)/1e3, roundTripGuestN, float64(host-in)/1e3, float64(host)/float64(in))
	}
}

// median is the nearest-rank 50th percentile, in ns.
func median(d []time.Duration) int64 {
	s := slices.Clone(d)
	slices.Sort(s)
	return int64(s[(len(s)+1)/2-1])
}
