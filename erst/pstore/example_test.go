package pstore_test

import (
	"fmt"
	"os"
	"time"

	"github.com/goerst/erst/erst/cper"
	"github.com/goerst/erst/erst/pstore"
)

// Two parts of a panic's kernel log, read as record files, joined into one
// dmesg file; WriteText lists what went where.
func Example() {
	var files pstore.Files
	for _, p := range []struct {
		id   uint64
		text string
	}{{0x11, "Panic#1 Part2\nolder lines\n"}, {0x10, "Panic#1 Part1\nnewer lines\n"}} {
		r, err := cper.NewPstoreRecord(p.id, cper.SectionTypeDmesg, []byte(p.text), time.Unix(1700000000, 0))
		if err != nil {
			fmt.Println(err)
			return
		}
		raw, err := r.Marshal()
		if err != nil {
			fmt.Println(err)
			return
		}
		if _, err := files.Add(fmt.Sprintf("part%d.cper", p.id-0xf), raw); err != nil {
			fmt.Println(err)
			return
		}
	}
	x, err := pstore.Build(files.Inputs())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range x.Files {
		if f.Name != "index.json" {
			fmt.Printf("%s:\n%s", f.Name, f.Data)
		}
	}
	x.WriteText(os.Stdout, "out", "2 file(s)")
	// Output:
	// dmesg-0000000000000010.txt:
	// older lines
	// newer lines
	// dmesg-0000000000000010.txt: Panic#1 from Part2 0x11, Part1 0x10
	// exported 2 record(s) from 2 file(s) into out (index.json lists them)
}
