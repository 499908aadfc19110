package main

import (
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/goerst/erst/erst/store"
)

// buildErst builds this command into a temporary directory, for tests that
// need separate processes.
func buildErst(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "erst")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// Four erst processes write 200 records each to one -store file, clearing
// some of their own as they go. Every write and clear that exited 0 must
// show in the file: each acknowledged record present and intact, each
// acknowledged clear gone, and the header's record_count equal to the map.
// Without a lock on the file, two processes pick the same free slot and
// the count drifts.
func TestConcurrentProcessesShareAStore(t *testing.T) {
	const workers = 4
	n := 200
	if testing.Short() {
		n = 50
	}
	bin := buildErst(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "s.img")
	st, err := store.Create(path, 16<<20, 4096)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()

	recs := map[uint64][]byte{}
	files := map[uint64]string{}
	for w := range workers {
		for i := range n {
			id := uint64(w+1)<<32 | uint64(i+1)
			rec := mustRun(t, nil, "new", "-id", fmt.Sprint(id), "-text", fmt.Sprintf("worker %d record %d\n", w, i))
			recs[id] = rec
			files[id] = writeTemp(t, dir, rec)
		}
	}

	var (
		mu      sync.Mutex
		present = map[uint64]bool{}
		wg      sync.WaitGroup
		fails   []string
	)
	erst := func(args ...string) bool {
		out, err := exec.Command(bin, append([]string{"-store", path}, args...)...).CombinedOutput()
		if err != nil {
			mu.Lock()
			fails = append(fails, fmt.Sprintf("erst %s: %v: %s", strings.Join(args, " "), err, out))
			mu.Unlock()
		}
		return err == nil
	}
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range n {
				id := uint64(w+1)<<32 | uint64(i+1)
				if erst("write", files[id]) {
					mu.Lock()
					present[id] = true
					mu.Unlock()
				}
				if i%5 == 4 { // clear the record written two steps ago
					old := id - 2
					if erst("clear", fmt.Sprint(old)) {
						mu.Lock()
						delete(present, old)
						mu.Unlock()
					}
				}
			}
		}()
	}
	wg.Wait()
	for _, f := range fails {
		t.Error(f)
	}

	st, err = store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ids := st.IDs()
	if got := st.Count(); int(got) != len(ids) {
		t.Errorf("record_count %d, but the map holds %d ids", got, len(ids))
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	seen := map[uint64]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Errorf("id %#x is in the map twice", id)
		}
		seen[id] = true
		if !present[id] {
			t.Errorf("id %#x is stored but was cleared or never acknowledged", id)
		}
	}
	for id := range present {
		got, err := st.Get(id)
		switch {
		case err != nil:
			t.Errorf("acknowledged record %#x: %v", id, err)
		case !bytes.Equal(got, recs[id]):
			t.Errorf("acknowledged record %#x: the store holds other bytes", id)
		}
	}
}
