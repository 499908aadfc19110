package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFsck(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.img")
	for _, id := range []string{"0xa", "0xb"} {
		mustRun(t, mustRun(t, nil, "new", "-id", id), "-store", path, "write")
	}
	if out := mustRun(t, nil, "-store", path, "fsck"); len(out) != 0 {
		t.Errorf("fsck of a clean store printed %q", out)
	}
	var j struct {
		Clean    bool `json:"clean"`
		Findings []struct {
			Code string `json:"code"`
			Slot *int   `json:"slot"`
			ID   string `json:"id"`
		} `json:"findings"`
	}
	if err := json.Unmarshal(mustRun(t, nil, "-store", path, "fsck", "-json"), &j); err != nil || !j.Clean || len(j.Findings) != 0 {
		t.Errorf("fsck -json of a clean store: %+v, %v", j, err)
	}

	// record_count 5 for 2 records, and slot 2's record claims another id.
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	binary.LittleEndian.PutUint32(b[0x14:], 5)
	binary.LittleEndian.PutUint64(b[2*8192+96:], 0xbad)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCmd(t, nil, "-store", path, "fsck")
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if code != exitFailure || errs != "" || len(lines) != 2 || !strings.HasPrefix(lines[0], "count-mismatch: ") || !strings.HasPrefix(lines[1], "record-id-mismatch slot 2 id 0xb: ") {
		t.Errorf("fsck of a damaged store: exit %d, stdout %q, stderr %q; want exit 1 and the two findings", code, out, errs)
	}
	code, out, _ = runCmd(t, nil, "-store", path, "fsck", "-json")
	j.Findings = nil
	if err := json.Unmarshal(out, &j); code != exitFailure || err != nil || j.Clean || len(j.Findings) != 2 ||
		j.Findings[0].Slot != nil || j.Findings[1].Code != "record-id-mismatch" || *j.Findings[1].Slot != 2 || j.Findings[1].ID != "0xb" {
		t.Errorf("fsck -json of a damaged store: exit %d, %+v, %v", code, j, err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, b) {
		t.Error("fsck changed the store")
	}

	// ls, dump and clear -all point at the first finding.
	for _, args := range [][]string{{"ls"}, {"ls", "-json"}, {"dump"}, {"clear", "-all"}} {
		code, _, errs := runCmd(t, nil, append([]string{"-store", path}, args...)...)
		if code != exitFailure || !strings.Contains(errs, "count-mismatch") || !strings.Contains(errs, "fsck") || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("%v on a damaged store: exit %d, stderr %q; want exit 1 and one line naming the finding and fsck", args, code, errs)
		}
	}
	if code, _, errs := runCmd(t, nil, "fsck"); code != exitUsage || !strings.Contains(errs, "-store") {
		t.Errorf("fsck without -store: exit %d, %q", code, errs)
	}
}
