package cper_test

import (
	"encoding/base64"
	"fmt"

	"github.com/goerst/erst/erst/cper"
)

// Two input files, as erst decode reads them: a record in base64 (a
// Redfish LogEntry's DiagnosticData) and text that is none.
func ExampleDecodeFile() {
	raw, err := (&cper.Builder{RecordID: 0x42, NoTimestamp: true, Sections: []cper.SectionSpec{{Body: []byte("hi")}}}).Bytes()
	if err != nil {
		fmt.Println(err)
		return
	}
	ds := []cper.Decoded{
		cper.DecodeFile("entry.b64", []byte(base64.StdEncoding.EncodeToString(raw))),
		cper.DecodeFile("notes.txt", []byte("hello")),
	}
	for _, d := range ds {
		if d.Err == nil {
			fmt.Printf("%s: record %#x, %d bytes\n", d.File, d.Rec.RecordID, len(d.Raw))
		}
		for _, p := range d.Problems() {
			fmt.Printf("%s: %s\n", d.File, p)
		}
	}
	fmt.Println(cper.DecodeError(ds))
	// Output:
	// entry.b64: record 0x42, 202 bytes
	// notes.txt: neither a CPER record (no "CPER" signature) nor base64 or hex text of one
	// 1 of 2 inputs are not CPER records
}
