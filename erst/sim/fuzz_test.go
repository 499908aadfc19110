package sim_test

import (
	"encoding/binary"
	"testing"

	"github.com/goerst/erst/erst/sim"
	"github.com/goerst/erst/erst/store"
	"github.com/goerst/erst/erst/store/storetest"
)

// FuzzRegisters replays arbitrary register and exchange-buffer accesses:
// each 10-byte step is a width/direction byte, an offset byte and a
// 64-bit value. Nothing may panic, and the store must stay valid.
func FuzzRegisters(f *testing.F) {
	step := func(ctl, off byte, v uint64) []byte {
		return binary.LittleEndian.AppendUint64([]byte{ctl, off}, v)
	}
	var seed []byte
	seed = append(seed, step(0x12, 0x08, 0x10)...) // VALUE = offset 0x10
	seed = append(seed, step(0x12, 0x00, 4)...)    // SET_RECORD_OFFSET
	seed = append(seed, step(0x12, 0x08, 0x9C)...) // magic
	seed = append(seed, step(0x12, 0x00, 5)...)    // EXECUTE (a write)
	f.Add(seed)
	f.Add(append(step(0x13, 0x08, 0xFFFFFFFF00001000), step(0x12, 0x00, 4)...))
	f.Fuzz(func(t *testing.T, steps []byte) {
		im, err := store.NewImage(32*1024, 4096)
		if err != nil {
			t.Fatal(err)
		}
		st, err := store.New(im)
		if err != nil {
			t.Fatal(err)
		}
		st.Write(storetest.CPER(0x77, 300, 1))
		d, err := sim.New(st, sim.WithBARs(0x10000, 0x20000))
		if err != nil {
			t.Fatal(err)
		}
		buf, _ := d.Map(0x20000, 4096)
		copy(buf, storetest.CPER(0x88, 200, 2))
		for len(steps) >= 10 {
			ctl, off, v := steps[0], uint64(steps[1]), binary.LittleEndian.Uint64(steps[2:10])
			steps = steps[10:]
			base := uint64(0x10000)
			if ctl&0x80 != 0 {
				base = 0x20000 + off*16 // the exchange buffer
			}
			addr := base + off%24
			write := ctl&0x10 != 0
			switch ctl & 3 {
			case 0:
				if write {
					d.Write8(addr, uint8(v))
				} else {
					d.Read8(addr)
				}
			case 1:
				if write {
					d.Write16(addr, uint16(v))
				} else {
					d.Read16(addr)
				}
			case 2:
				if write {
					d.Write32(addr, uint32(v))
				} else {
					d.Read32(addr)
				}
			case 3:
				if write {
					d.Write64(addr, v)
				} else {
					d.Read64(addr)
				}
			}
		}
		if _, err := store.New(st.Snapshot()); err != nil {
			t.Fatalf("store invalid after the accesses: %v", err)
		}
	})
}
