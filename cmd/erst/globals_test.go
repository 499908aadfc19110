package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// A -store file made without -store-size and -record-size is QEMU's
// documented 64 KiB store of 8 KiB slots (7 records), the size erstvm
// gives a new store too.
func TestStoreDefaults(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.img")
	var info struct {
		Capacity   int `json:"capacity"`
		RecordSize int `json:"record_size"`
		StoreSize  int `json:"store_size"`
	}
	mustRun(t, nil, "-store", path, "create")
	if err := json.Unmarshal(mustRun(t, nil, "-store", path, "info", "-json"), &info); err != nil {
		t.Fatal(err)
	}
	if info.StoreSize != 64<<10 || info.RecordSize != 8192 || info.Capacity != 7 {
		t.Errorf("new store: %+v; want 65536 bytes of 8192-byte slots, 7 records", info)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() != 64<<10 {
		t.Errorf("the new file: %v, %v; want 65536 bytes", fi, err)
	}
}
