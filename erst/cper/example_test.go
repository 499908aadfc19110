package cper_test

import (
	"encoding/binary"
	"fmt"
	"os"
	"time"

	"github.com/goerst/erst/erst/cper"
)

// A platform memory error record, built, parsed back and printed the way
// erst dump and erst decode print it.
func Example() {
	// The section body: UEFI 2.10 §N.2.5, Platform Memory Error Section.
	body := make([]byte, 80)
	binary.LittleEndian.PutUint64(body[0:], 1<<1|1<<14)  // Validation Bits: Physical Address, Memory Error Type
	binary.LittleEndian.PutUint64(body[16:], 0x12345000) // Physical Address
	body[72] = 2                                         // Memory Error Type: Single-bit ECC

	b := cper.Builder{
		RecordID:     0x1234,
		Severity:     cper.SeverityCorrected,
		Notification: cper.NotifyCMC,
		Time:         time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC),
		Sections: []cper.SectionSpec{{
			Type: cper.SectionTypePlatformMemory, Severity: cper.SeverityCorrected, Body: body,
		}},
	}
	r, err := b.Build()
	if err != nil {
		fmt.Println(err)
		return
	}
	raw, err := r.Marshal()
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := cper.Parse(raw)
	if err != nil {
		fmt.Println(err)
		return
	}
	d := cper.DecodeSection(&p.Sections[0])
	fmt.Println(d.Name)
	for _, name := range []string{"Physical Address", "Memory Error Type", "Node"} {
		f, _ := d.Fields.Get(name)
		if !f.Valid {
			fmt.Printf("%s: not valid\n", name)
			continue
		}
		fmt.Printf("%s: %s\n", name, f.Text)
	}
	fmt.Println(cper.Summary(p))
	cper.WriteText(os.Stdout, p)
	// Output:
	// Platform Memory Error Section
	// Physical Address: 0x12345000
	// Memory Error Type: Single-bit ECC (2)
	// Node: not valid
	// id=0x0000000000001234 sev=Corrected notify=CMC creator=00000000-0000-0000-0000-000000000000 sections=PlatformMemory len=280 time=2024-05-01T12:00:00Z
	// record 0x1234  (280 bytes)
	//   revision       1.01
	//   severity       Corrected
	//   validation     Timestamp
	//   timestamp      2024-05-01T12:00:00Z
	//   platform id    00000000-0000-0000-0000-000000000000
	//   partition id   00000000-0000-0000-0000-000000000000
	//   creator        00000000-0000-0000-0000-000000000000
	//   notification   CMC
	//   flags          0
	//   persistence    0
	//   section 0: PlatformMemory, 80 bytes at 200, severity Corrected, flags 0
	//     Platform Memory Error Section
	//       Validation Bits: 0x4002 (Physical Address|Memory Error Type)
	//       Error Status: (not valid)
	//       Physical Address: 0x12345000
	//       Physical Address Mask: (not valid)
	//       Node: (not valid)
	//       Card: (not valid)
	//       Module: (not valid)
	//       Bank: (not valid)
	//       Bank Address: (not valid)
	//       Bank Group: (not valid)
	//       Device: (not valid)
	//       Row: (not valid)
	//       Column: (not valid)
	//       Bit Position: (not valid)
	//       Requestor ID: (not valid)
	//       Responder ID: (not valid)
	//       Target ID: (not valid)
	//       Memory Error Type: Single-bit ECC (2)
	//       Extended Row Bits 16-17: (not valid)
	//       Chip Identification: (not valid)
	//       Rank Number: (not valid)
	//       Card Handle: (not valid)
	//       Module Handle: (not valid)
}
