package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goerst/erst/erst/store"
	"github.com/goerst/erst/erst/store/storetest"
)

// A store on a disk that cannot back it: erst write fails in one line
// saying so, and the process does not die of SIGBUS. Creating one says
// there is no space; writing into a sparse one made elsewhere (QEMU makes
// them sparse) says the store file could not back the write.
func TestWriteOnFullDisk(t *testing.T) {
	dir := storetest.SmallTmpfs(t)
	recs := t.TempDir()
	big := func(id string) string {
		return writeTemp(t, recs, mustRun(t, nil, "new", "-id", id, "-text", strings.Repeat("x", 7000)))
	}

	code, _, errs := runCmd(t, nil, "-store", filepath.Join(dir, "new.img"), "-store-size", "1M", "write", big("1"))
	if code != exitFailure || !strings.Contains(errs, "no space left") || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Errorf("write creating a 1 MiB store on 64 KiB: exit %d, %q; want exit 1 and one line saying there is no space", code, errs)
	}

	im, err := store.NewImage(1<<20, store.DefaultRecordSize)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "sparse.img")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(im[:store.DefaultRecordSize])
	f.Truncate(1 << 20)
	f.Close()
	for i := range 20 {
		code, _, errs := runCmd(t, nil, "-store", path, "write", big(fmt.Sprint(100+i)))
		if code == 0 {
			continue
		}
		if code != exitFailure || !strings.Contains(errs, "the store file") || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("write %d into a full sparse store: exit %d, %q; want exit 1 and one line naming the store file's fault", i, code, errs)
		}
		return
	}
	t.Error("20 records of 7 KiB fitted a 64 KiB tmpfs")
}
