package store_test

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/goerst/erst/erst/cper"
	"github.com/goerst/erst/erst/store"
)

// record builds a small valid CPER record.
func record(id uint64, text string) []byte {
	b, err := (&cper.Builder{RecordID: id, NoTimestamp: true, Sections: []cper.SectionSpec{{Body: []byte(text)}}}).Bytes()
	if err != nil {
		log.Fatal(err)
	}
	return b
}

// A store in memory: QEMU's documented 64 KiB example of 8 KiB slots.
func Example() {
	im, err := store.NewImage(64<<10, store.DefaultRecordSize)
	if err != nil {
		log.Fatal(err)
	}
	s, err := store.New(im)
	if err != nil {
		log.Fatal(err)
	}
	slot, err := s.Write(record(0x100, "hello"))
	if err != nil {
		log.Fatal(err)
	}
	got, err := s.Get(0x100)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d record slots; 0x100 in slot %d, %d bytes; count %d\n", s.Capacity(), slot, len(got), s.Count())
	// Output: 7 record slots; 0x100 in slot 1, 205 bytes; count 1
}

// A backing file QEMU can boot with: Create makes and formats it, and the
// Store holds its lock until Close; Open reopens it.
func ExampleCreate() {
	dir, err := os.MkdirTemp("", "erst")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "erst.backing")

	s, err := store.Create(path, 64<<10, store.DefaultRecordSize)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := s.Write(record(0x100, "hello")); err != nil {
		log.Fatal(err)
	}
	s.Close()

	s, err = store.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	fmt.Printf("ids %#x\n", s.IDs())
	// Output: ids [0x100]
}

// Check reports what is inconsistent, one finding per problem.
func ExampleCheckImage() {
	im, _ := store.NewImage(64<<10, store.DefaultRecordSize)
	s, _ := store.New(im)
	s.Write(record(0x100, "hello"))
	binary.LittleEndian.PutUint32(im[0x14:], 2) // record_count 2 for one record
	for _, f := range store.CheckImage(im) {
		fmt.Println(f)
	}
	// Output: count-mismatch: record_count 2, but the map holds 1 ids: the device reports records that are not there
}

// A program that runs QEMU on a backing file holds the file's lock for it,
// so that no Store (erst -store, a test) opens the file meanwhile.
func ExampleLock() {
	dir, _ := os.MkdirTemp("", "erst")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "erst.backing")

	l, err := store.Lock(path)
	if err != nil {
		log.Fatal(err) // ErrLocked names the holder
	}
	// ... run QEMU with mem-path=path, wait for it to exit ...
	l.Close()

	s, err := store.Create(path, 64<<10, store.DefaultRecordSize)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	fmt.Println(s.Capacity(), "record slots")
	// Output: 7 record slots
}

// A Report is what erst fsck prints: as JSON, the findings with the slot
// null for the header as a whole and the id in hex.
func ExampleReport() {
	im, _ := store.NewImage(64<<10, store.DefaultRecordSize)
	s, _ := store.New(im)
	s.Write(record(0x100, "hello"))
	binary.LittleEndian.PutUint32(im[0x14:], 2) // record_count 2 for one record
	b, _ := json.Marshal(store.Report{Path: "erst.backing", Findings: store.CheckImage(im)})
	fmt.Println(string(b))
	// Output: {"store":"erst.backing","clean":false,"findings":[{"code":"count-mismatch","slot":null,"detail":"record_count 2, but the map holds 1 ids: the device reports records that are not there"}]}
}
