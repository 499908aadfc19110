package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goerst/erst/erst/torture"
)

// slotOf returns the offset of record id's slot in a QEMU store file: the
// slot whose header holds id (8 KiB slots).
func slotOf(t *testing.T, img []byte, id uint64) int {
	t.Helper()
	for off := 8192; off+8192 <= len(img); off += 8192 {
		if string(img[off:off+4]) == "CPER" && binary.LittleEndian.Uint64(img[off+96:]) == id {
			return off
		}
	}
	t.Fatalf("record %#x not in the store file", id)
	return 0
}

func TestTortureThenVerify(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.img")
	foreign := mustRun(t, nil, "new", "-id", "0x100", "-text", "not torture's")
	mustRun(t, foreign, "-store", path, "write")
	out := string(mustRun(t, nil, "-store", path, "torture", "-seed", "9", "-n", "20", "-readback"))
	if n := strings.Count(out, "\nack ") + 1; !strings.HasPrefix(out, "ack ") || n != 20 {
		t.Fatalf("torture printed %d ack lines:\n%s", n, out)
	}
	if strings.Count(out, "\nclear ") != 20-6 {
		t.Errorf("torture cleared %d records, want 14 (6 free slots):\n%s", strings.Count(out, "\nclear "), out)
	}
	out = string(mustRun(t, nil, "-store", path, "verify", "-seed", "9"))
	if !strings.Contains(out, "6 records intact, 0 failed") || !strings.Contains(out, "1 other records") {
		t.Errorf("verify: %s", out)
	}
	if got := mustRun(t, nil, "-store", path, "read", "0x100"); !bytes.Equal(got, foreign) {
		t.Errorf("the foreign record changed")
	}
	// A second run goes on after the first.
	out = string(mustRun(t, nil, "-store", path, "torture", "-seed", "9", "-n", "1"))
	g, _ := torture.New(9, 8192)
	if !strings.HasPrefix(out, fmt.Sprintf("clear %#x\nack %#x\n", g.ID(15), g.ID(21))) {
		t.Errorf("second run:\n%s", out)
	}
}

// One flipped byte in a torture record's header, section descriptor or
// body makes verify exit 1 naming that record.
func TestVerifyNamesTheDamagedRecord(t *testing.T) {
	g, _ := torture.New(3, 8192)
	var id uint64 // a record with a long body
	for n := uint32(1); ; n++ {
		if g.Size(g.ID(n)) > 1000 {
			id = g.ID(n)
			break
		}
	}
	for _, off := range []int{0, 64, 96, 110, 127, 128, 160, 199, 200, 999} {
		t.Run(fmt.Sprintf("%s@%d", torture.Part(off, g.Size(id)), off), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "s.img")
			mustRun(t, nil, "-store", path, "create")
			mustRun(t, nil, "-store", path, "torture", "-seed", "3", "-n", "1", "-start", fmt.Sprint(uint32(id)))
			mustRun(t, nil, "-store", path, "torture", "-seed", "3", "-n", "2")
			img, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			img[slotOf(t, img, id)+off] ^= 0x01
			if err := os.WriteFile(path, img, 0o600); err != nil {
				t.Fatal(err)
			}
			code, out, errs := runCmd(t, nil, "-store", path, "verify", "-seed", "3")
			want := fmt.Sprintf("corrupt %#x: ", id)
			if code != 1 || !strings.HasPrefix(string(out), want) || !strings.Contains(errs, fmt.Sprintf("%#x", id)) {
				t.Errorf("verify: exit %d, stdout %q, stderr %q; want exit 1 and a line %q", code, out, errs, want)
			}
			if !strings.Contains(string(out), "2 records intact, 1 failed") {
				t.Errorf("verify summary: %q", out)
			}
			code, out, _ = runCmd(t, nil, "-store", path, "verify", "-seed", "3", "-json")
			var j verifyJSON
			if err := json.Unmarshal(out, &j); err != nil || code != 1 || j.OK || len(j.Faults) != 1 || j.Faults[0].ID != fmt.Sprintf("%#x", id) || !j.Faults[0].Corrupt {
				t.Errorf("verify -json: exit %d, %+v, %v", code, j, err)
			}
		})
	}
}

func TestTortureUsage(t *testing.T) {
	for _, args := range [][]string{
		{"torture", "extra"},
		{"torture", "-n", "-1"},
		{"torture", "-start", "4294967295"},
		{"verify", "extra"},
		{"torture", "-seed", "x"},
	} {
		path := filepath.Join(t.TempDir(), "s.img")
		if code, _, errs := runCmd(t, nil, append([]string{"-store", path}, args...)...); code != 2 || errs == "" {
			t.Errorf("erst %v: exit %d, stderr %q; want 2 and a message", args, code, errs)
		}
	}
}
