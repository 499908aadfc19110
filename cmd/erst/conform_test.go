package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// conformStore makes a store holding two foreign records (a CPER record
// and a torture record) and returns its path and a copy of its bytes.
func conformStore(t *testing.T) (string, []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "s.img")
	mustRun(t, mustRun(t, nil, "new", "-id", "0x100", "-text", "foreign"), "-store", path, "write")
	mustRun(t, nil, "-store", path, "torture", "-n", "1")
	img, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, img
}

// On a healthy store that already holds other records, conform passes
// and leaves the store's header and the other records' slots byte for
// byte as they were (QEMU leaves a cleared slot's bytes, so the slots
// conform used differ).
func TestConformHealthyStore(t *testing.T) {
	path, before := conformStore(t)
	code, out, errs := runCmd(t, nil, "-store", path, "conform")
	if code != 0 {
		t.Fatalf("conform: exit %d, stderr %q\n%s", code, errs, out)
	}
	for _, want := range []string{"2 other records in the store", "Timings ", "FullStore ", "pshed/StoreFull ", "ForeignUntouched ", " 0 fail"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("conform output lacks %q:\n%s", want, out)
		}
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Slot 0 is the header and map; slots 1 and 2 hold the two records.
	if !bytes.Equal(before[:3*8192], after[:3*8192]) {
		t.Errorf("conform changed the store's header or the foreign records' slots")
	}

	code, out, _ = runCmd(t, nil, "-store", path, "conform", "-json")
	var j conformJSON
	if err := json.Unmarshal(out, &j); err != nil || code != 0 || !j.Passed || j.Foreign != 2 || j.Room == nil || *j.Room != 5 || len(j.Checks) < 20 {
		t.Errorf("conform -json: exit %d, %+v, %v", code, j, err)
	}
}

// With each fault conform exits 1 and names, among the failed checks, the
// one that catches it first.
func TestConformFaults(t *testing.T) {
	for fault, check := range map[string]string{
		"busy":      "FullStore",
		"slow=50ms": "Timings",
		"status=3":  "WriteReadClear",
		"status=0":  "FullStore",
		"full":      "FullStore",
		"torn":      "FullStore",
	} {
		t.Run(fault, func(t *testing.T) {
			path, before := conformStore(t)
			code, out, errs := runCmd(t, nil, "-store", path, "-fault", fault, "conform", "-samples", "3")
			if code != 1 || !strings.Contains(errs, "checks failed: ") || !strings.Contains(errs, check) {
				t.Errorf("conform -fault %s: exit %d, stderr %q; want 1 naming %s\n%s", fault, code, errs, check, out)
			}
			after, _ := os.ReadFile(path)
			if fault != "torn" && !bytes.Equal(before[8192:3*8192], after[8192:3*8192]) {
				t.Errorf("conform -fault %s changed the foreign records' slots", fault)
			}
		})
	}
}

func TestConformCannotRun(t *testing.T) {
	// A store with room for fewer than five records.
	path := filepath.Join(t.TempDir(), "small.img")
	mustRun(t, nil, "-store", path, "-store-size", "32K", "create")
	if code, _, errs := runCmd(t, nil, "-store", path, "conform"); code != 2 || !strings.Contains(errs, "needs room for 5 records") {
		t.Errorf("conform on a 3-slot store: exit %d, %q; want 2 saying how much room it needs", code, errs)
	}
	// A store holding a record with a reserved id, as an interrupted run leaves.
	path, _ = conformStore(t)
	mustRun(t, mustRun(t, nil, "new", "-id", "0x7073686564000001"), "-store", path, "write")
	if code, _, errs := runCmd(t, nil, "-store", path, "conform"); code != 2 || !strings.Contains(errs, "reserves") {
		t.Errorf("conform on a store with a reserved id: exit %d, %q; want 2", code, errs)
	}
	if code, _, _ := runCmd(t, nil, "-store", path, "conform", "extra"); code != 2 {
		t.Errorf("conform extra: exit %d, want 2", code)
	}
}

// On a -store file, Timings checks the simulator's modelled time, not the
// host's: a device that takes 300 µs per operation (within the driver's
// 1 ms timeout, above the 100 µs QEMU's table announces) fails Timings and
// nothing else, and a healthy one passes it on a host of any speed.
func TestConformTimingsOnModelTime(t *testing.T) {
	path, _ := conformStore(t)
	code, out, errs := runCmd(t, nil, "-store", path, "-fault", "slow=300us", "conform", "-json", "-samples", "3")
	var j conformJSON
	if err := json.Unmarshal(out, &j); err != nil {
		t.Fatalf("conform -json: %v\n%s", err, out)
	}
	if code != 1 || len(j.Failed) != 1 || j.Failed[0] != "Timings" {
		t.Errorf("conform -fault slow=300us: exit %d, failed %q, stderr %q; want 1 and Timings alone", code, j.Failed, errs)
	}
	for _, c := range j.Checks {
		if c.Name == "Timings" && !strings.Contains(c.Reason, "300µs") {
			t.Errorf("Timings: %q; want the modelled 300µs median", c.Reason)
		}
	}
}
