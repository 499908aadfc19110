package batch_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"github.com/goerst/erst/erst/batch"
	"github.com/goerst/erst/erst/cper"
)

// Records are read from streams in two steps: each header as it is added,
// then, once the error log address range is known, the bodies.
func ExampleInput() {
	var in batch.Input
	for _, id := range []uint64{0x10, 0x20} {
		rec, err := cper.Single{ID: id, Type: cper.SectionTypeDmesg, Body: []byte("hello\n")}.Bytes()
		if err != nil {
			fmt.Println(err)
			return
		}
		if err := in.Add(fmt.Sprintf("%#x.bin", id), bytes.NewReader(rec)); err != nil {
			fmt.Println(err)
			return
		}
	}
	recs, err := in.Records(8192) // the device's error log address range
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range recs {
		fmt.Printf("%s: id %#x, %d bytes\n", r.Name, r.ID, len(r.Data))
	}
	fmt.Println(in.Add("again", bytes.NewReader(recs[0].Data)))
	// Output:
	// 0x10.bin: id 0x10, 206 bytes
	// 0x20.bin: id 0x20, 206 bytes
	// again: record id 0x10 is also the id of 0x10.bin; one write stores each id once, nothing written
}

// device is a Reader over records in memory; an id without bytes fails.
type device struct {
	ids  []uint64
	recs map[uint64][]byte
}

func (d device) IDs() ([]uint64, error) { return d.ids, nil }

func (d device) Read(id uint64) ([]byte, error) {
	if d.recs[id] == nil {
		return nil, errors.New("read failed")
	}
	return d.recs[id], nil
}

// Read every record and list them as erst ls does: a line per record read,
// then what could not be read.
func ExampleWriteList() {
	raw, err := (&cper.Builder{RecordID: 0x1, NoTimestamp: true, Severity: cper.SeverityCorrected, Notification: cper.NotifyCMC,
		Sections: []cper.SectionSpec{{Type: cper.SectionTypePlatformMemory, Body: make([]byte, 80)}}}).Bytes()
	if err != nil {
		fmt.Println(err)
		return
	}
	recs, err := batch.ReadAll(device{ids: []uint64{0x1, 0x2, 0x3}, recs: map[uint64][]byte{0x1: raw, 0x3: []byte("junk")}})
	if err != nil {
		fmt.Println(err)
		return
	}
	batch.WriteList(os.Stdout, recs)
	fmt.Println(batch.UnreadError(recs))
	// Output:
	// 0x1                id=0x0000000000000001 sev=Corrected notify=CMC creator=00000000-0000-0000-0000-000000000000 sections=PlatformMemory len=280
	// 0x3                not a valid CPER record: cper: buffer truncated at offset 0x4: need 128 header bytes, have 4
	// 1 of 3 records could not be read
}
