package store_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/goerst/erst/erst/store"
	"github.com/goerst/erst/erst/store/storetest"
)

// A fault on the mapping is an error of the operation that met it, not a
// crash of the process: here the file is truncated behind the Store's
// back, so the record slots are past its end (SIGBUS on access).
func TestFaultOnMappingIsAnError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.img")
	st, err := store.Create(path, 64*kib, 8192)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := os.Truncate(path, 8192); err != nil { // the header slot only
		t.Fatal(err)
	}
	if _, err := st.Write(storetest.CPER(0x10, 512, 0xA5)); !errors.Is(err, store.ErrIO) {
		t.Fatalf("Write into a slot past the file's end: %v, want ErrIO", err)
	}
	if got := st.Count(); got != 0 {
		t.Errorf("Count after the failed write: %d", got)
	}
}

// A 1 MiB store on a 64 KiB tmpfs: Create fails with ErrIO (no space to
// reserve) and leaves no file. The crash: Create succeeded with a
// sparse file and the first writes died of SIGBUS.
func TestCreateOnFullDisk(t *testing.T) {
	dir := storetest.SmallTmpfs(t)
	path := filepath.Join(dir, "s.img")
	st, err := store.Create(path, 1<<20, 8192)
	if err == nil {
		st.Close()
		t.Fatal("Create of 1 MiB on a 64 KiB tmpfs succeeded")
	}
	if !errors.Is(err, store.ErrIO) {
		t.Errorf("Create: %v, want ErrIO", err)
	}
	if _, err := os.Stat(path); err == nil {
		t.Error("the failed Create left a file")
	}
}

// A sparse store made elsewhere (QEMU makes them sparse) on a disk that
// runs full: the writes that find no space fail with ErrIO; the process
// lives and earlier records stay readable.
func TestSparseStoreRunsOutOfSpace(t *testing.T) {
	dir := storetest.SmallTmpfs(t)
	path := filepath.Join(dir, "s.img")
	im, err := store.NewImage(1<<20, 8192)
	if err != nil {
		t.Fatal(err)
	}
	// Header slot written, the rest a hole: as QEMU leaves a new store.
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(im[:8192]); err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(1 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var ok []uint64
	for id := uint64(1); id < 128; id++ {
		_, err := st.Write(storetest.CPER(id, 8192, byte(id)))
		if err != nil {
			if !errors.Is(err, store.ErrIO) {
				t.Fatalf("write %d: %v, want ErrIO", id, err)
			}
			break
		}
		ok = append(ok, id)
	}
	if len(ok) >= 127 {
		t.Fatalf("all %d writes fitted a 64 KiB tmpfs", len(ok))
	}
	for _, id := range ok {
		if _, err := st.Get(id); err != nil {
			t.Errorf("record %d written before the disk filled: %v", id, err)
		}
	}
}
