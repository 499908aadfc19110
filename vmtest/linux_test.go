//go:build vmtest

package vmtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goerst/erst/erst/cper"
)

// linuxDumpArgs make the kernel's pstore dump its log into ERST at a clean
// power-off (kmsg_dump reason SHUTDOWN), so that a guest boot that ends
// normally leaves Linux-written records behind. Without
// printk.always_kmsg_dump the ERST backend only dumps on oops and panic
// (a plain -linux-erst boot leaves the store empty). Compression is left
// at the kernel's default (deflate: DMESG_Z sections, raw deflate), as on
// real machines. The Debian 6.1 kernel has no pstore.max_reason parameter
// (pstore's are backend, compress and update_ms).
const linuxDumpArgs = "printk.always_kmsg_dump=1"

// TestLinuxPstore checks that erst and the Linux kernel's own ERST driver
// (drivers/acpi/apei/erst.c, the pstore backend "erst") read each other's
// records on QEMU's acpi-erst device. Three boots on one store:
//
//  1. erst_disable: erst writes two records made by erst new with its
//     defaults (creator LinuxPstore, notification MCE, Unix-seconds
//     timestamp), the shape Linux's erst_writer uses: one DMESG section,
//     and one DMESG_Z section made by erst new -compress.
//  2. -linux-erst: pstore is mounted, and must show each record as
//     dmesg-erst-<id> holding exactly our text (the DMESG_Z one
//     inflated by the kernel), with our timestamp as its mtime. The guest
//     then writes a marker into the kernel log and powers off; with
//     linuxDumpArgs the kernel's pstore writes the log, compressed as by
//     default, into ERST on the way down.
//  3. erst_disable: erst ls, dump and read the kernel's records: creator
//     LinuxPstore, one DMESG_Z section whose text inflates to the log up
//     to the marker and the power-down, valid CPER, byte for byte what
//     cper.NewPstoreRecord builds, and the host's simulator reads the same
//     ids and bytes; erst -store dump on the host shows the inflated text.
func TestLinuxPstore(t *testing.T) {
	t.Parallel()
	tl := newTools(t)
	dir := t.TempDir()
	nonce := time.Now().UnixNano()
	ourText := fmt.Sprintf("erst new -> Linux pstore, run %d\n", nonce)
	ourZText := fmt.Sprintf("erst new -compress -> Linux pstore, run %d\n", nonce)
	marker := fmt.Sprintf("erst-interop: Linux pstore -> erst, run %d", nonce)

	// The record, built on the host with erst new's defaults.
	if r := runCommand(t, tl.erst, dir, "new", "-text", ourText, "-o", "ours.bin"); r.code != 0 {
		t.Fatalf("erst new: exit %d\n%s", r.code, r.stderr)
	}
	ours := mustRead(t, filepath.Join(dir, "ours.bin"))
	ourRec, err := cper.Parse(ours)
	if err != nil {
		t.Fatalf("erst new made an invalid record: %v", err)
	}
	ourTime, err := ourRec.Time()
	if err != nil {
		t.Fatalf("erst new's record has no timestamp: %v", err)
	}
	ourID := ourRec.RecordID
	ourZID := ourID + 1
	if r := runCommand(t, tl.erst, dir, "new", "-compress", "-id", fmt.Sprint(ourZID), "-text", ourZText, "-o", "oursz.bin"); r.code != 0 {
		t.Fatalf("erst new -compress: exit %d\n%s", r.code, r.stderr)
	}
	oursZ := mustRead(t, filepath.Join(dir, "oursz.bin"))

	// Boot 1: erst writes them to QEMU's device.
	r := tl.erstvm(dir, "-store", storeFile, "-store-size", "1M", "--", "write", "ours.bin", "oursz.bin")
	if want := fmt.Sprintf("%#x\n%#x\n", ourID, ourZID); r.code != 0 || string(r.stdout) != want {
		t.Fatalf("boot 1, erst write ours.bin oursz.bin: exit %d, stdout %q (want 0, %q)\n%s", r.code, r.stdout, want, r.stderr)
	}

	// Boot 2: the kernel's pstore reads it; then the kernel writes its log
	// at power-off. Every result goes to a file in the shared directory;
	// the marker is the last thing the guest logs before powering off.
	boot2 := strings.Join([]string{
		"mkdir pstore",
		"mount -t pstore pstore /sys/fs/pstore; echo $? >pstore.mount",
		"ls -l /sys/fs/pstore >pstore.ls",
		"cp /sys/fs/pstore/* pstore/",
		"dmesg >boot2.dmesg",
		"echo '" + marker + "' >/dev/kmsg",
	}, "\n")
	boot2Start := time.Now()
	r = tl.erstvm(dir, "-store", storeFile, "-linux-erst", "-append", linuxDumpArgs, "-run", "gosh", "--", "-c", boot2)
	boot2End := time.Now()
	if r.code != 0 {
		t.Fatalf("boot 2 (-linux-erst): exit %d\n%s", r.code, r.stderr)
	}

	t.Run("linux-reads-erst", func(t *testing.T) {
		dmesg := string(mustRead(t, filepath.Join(dir, "boot2.dmesg")))
		if !strings.Contains(dmesg, "Registered erst as persistent store backend") {
			t.Fatalf("the kernel did not register ERST with pstore; its log says:\n%s", grepLines(dmesg, "ERST", "erst", "pstore"))
		}
		if code := strings.TrimSpace(string(mustRead(t, filepath.Join(dir, "pstore.mount")))); code != "0" {
			t.Fatalf("mount -t pstore: exit %s", code)
		}
		listing := string(mustRead(t, filepath.Join(dir, "pstore.ls")))
		entries, err := os.ReadDir(filepath.Join(dir, "pstore"))
		if err != nil {
			t.Fatal(err)
		}
		// pstore names a record <type>-<backend>-<record id in decimal>;
		// one it failed to inflate gets a ".enc.z" suffix.
		name := "dmesg-erst-" + strconv.FormatUint(ourID, 10)
		nameZ := "dmesg-erst-" + strconv.FormatUint(ourZID, 10)
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		if want := []string{name, nameZ}; !slices.Equal(names, want) {
			t.Fatalf("/sys/fs/pstore holds %q, want just %q (the records erst wrote, ids %#x, %#x)\nls -l:\n%s\nkernel log:\n%s",
				names, want, ourID, ourZID, listing, grepLines(dmesg, "ERST", "erst", "pstore"))
		}
		if got := mustRead(t, filepath.Join(dir, "pstore", name)); string(got) != ourText {
			t.Errorf("Linux's %s holds %q, want our section text %q", name, got, ourText)
		}
		if got := mustRead(t, filepath.Join(dir, "pstore", nameZ)); string(got) != ourZText {
			t.Errorf("Linux's %s holds %q, want the text erst new -compress deflated, %q", nameZ, got, ourZText)
		}
		// pstore stamps the file with the record's timestamp read as Unix
		// seconds (erst_reader); u-root's ls -l shows it to the minute, in
		// UTC in the guest.
		var line string
		for _, l := range strings.Split(listing, "\n") {
			if strings.HasSuffix(l, " "+name) {
				line = l
			}
		}
		if stamp := ourTime.UTC().Format("Jan _2 15:04"); !strings.Contains(line, stamp) {
			t.Errorf("ls -l /sys/fs/pstore: %q; want the record's time %s (%s) as its mtime", line, stamp, ourTime.UTC().Format(time.RFC3339))
		}
		t.Logf("Linux shows the record erst wrote: %s", strings.TrimSpace(line))
	})

	t.Run("erst-reads-linux", func(t *testing.T) {
		// Boot 3: erst reads everything back from the device.
		boot3 := "mkdir read\n" +
			"erst ls -json >ls.json && erst dump -json >dump.json && erst ls >ls.txt &&\n" +
			"while read id rest; do erst read -o read/$id $id || exit 1; done <ls.txt"
		r := tl.erstvm(dir, "-store", storeFile, "-run", "gosh", "--", "-c", boot3)
		if r.code != 0 {
			t.Fatalf("boot 3 (erst_disable): exit %d\n%s", r.code, r.stderr)
		}
		lsJSON := mustRead(t, filepath.Join(dir, "ls.json"))
		dumpJSON := mustRead(t, filepath.Join(dir, "dump.json"))
		var ls struct {
			Records []struct{ ID, Summary, Error string }
		}
		if err := json.Unmarshal(lsJSON, &ls); err != nil {
			t.Fatalf("erst ls -json: %v\n%s", err, lsJSON)
		}
		var dump struct {
			Records []struct {
				ID     string
				Record *cper.RecordJSON
				Error  string
			}
		}
		if err := json.Unmarshal(dumpJSON, &dump); err != nil {
			t.Fatalf("erst dump -json: %v\n%s", err, dumpJSON)
		}
		if len(dump.Records) != len(ls.Records) {
			t.Fatalf("erst ls lists %d records, erst dump %d", len(ls.Records), len(dump.Records))
		}

		var kernelIDs []uint64
		sawOurs := false
		parts := map[string]bool{}
		for i, l := range ls.Records {
			id, err := strconv.ParseUint(l.ID, 0, 64)
			if err != nil {
				t.Fatalf("erst ls -json id %q: %v", l.ID, err)
			}
			if l.Error != "" || dump.Records[i].Error != "" || dump.Records[i].Record == nil {
				t.Errorf("record %s: ls says %q, dump says %q", l.ID, l.Error, dump.Records[i].Error)
				continue
			}
			raw := mustRead(t, filepath.Join(dir, "read", l.ID))
			if err := cper.Validate(raw); err != nil {
				t.Errorf("record %s: erst read gave an invalid CPER record: %v", l.ID, err)
				continue
			}
			if id == ourID || id == ourZID {
				sawOurs = true
				if want := map[uint64][]byte{ourID: ours, ourZID: oursZ}[id]; !bytes.Equal(raw, want) {
					t.Errorf("our record %s came back changed after the kernel's boot", l.ID)
				}
				continue
			}
			kernelIDs = append(kernelIDs, id)
			// The kernel compresses by default: DMESG_Z.
			if !strings.Contains(l.Summary, "creator=LinuxPstore") || !strings.Contains(l.Summary, "sections=DMESG_Z ") {
				t.Errorf("erst ls: %s %s; want a LinuxPstore record with one DMESG_Z section", l.ID, l.Summary)
			}
			j := dump.Records[i].Record
			if j.CreatorName != "LinuxPstore" || j.NotificationName != "MCE" || len(j.Sections) != 1 || j.Sections[0].TypeName != "DMESG_Z" || j.Sections[0].Dmesg == nil {
				t.Errorf("erst dump: record %s: creator %s, notification %s, %d sections; want LinuxPstore, MCE, one DMESG_Z section", l.ID, j.CreatorName, j.NotificationName, len(j.Sections))
				continue
			}
			rec, err := cper.Parse(raw)
			if err != nil {
				t.Errorf("record %s: %v", l.ID, err)
				continue
			}
			zbody := rec.Sections[0].Body
			if !bytes.Equal(j.Sections[0].Body, zbody) {
				t.Errorf("record %s: erst dump's section body differs from erst read's bytes", l.ID)
			}
			dm, err := cper.DecodeDmesg(&rec.Sections[0])
			if err != nil || j.Sections[0].Dmesg.Error != "" || !dm.Compressed {
				t.Errorf("record %s: the kernel's DMESG_Z section does not inflate: %v; erst dump says %q", l.ID, err, j.Sections[0].Dmesg.Error)
				continue
			}
			body := dm.Text
			if j.Sections[0].Dmesg.Text != string(body) {
				t.Errorf("record %s: erst dump -json's inflated text differs from cper.DecodeDmesg's", l.ID)
			}
			// Linux's erst_writer stamps ktime_get_real_seconds().
			when, err := time.Parse(time.RFC3339, j.Timestamp.Time)
			if j.Timestamp.Encoding != "Unix" || err != nil || when.Before(boot2Start.Add(-time.Minute)) || when.After(boot2End.Add(time.Minute)) {
				t.Errorf("record %s: timestamp %+v; want Unix seconds within boot 2 (%s to %s)", l.ID, j.Timestamp, boot2Start.UTC().Format(time.RFC3339), boot2End.UTC().Format(time.RFC3339))
			}
			// pstore_dump heads each part "<reason>#<count> Part<n>".
			head, _, _ := strings.Cut(string(body), "\n")
			if !strings.HasPrefix(head, "Shutdown#1 Part") || dm.Reason != "Shutdown" || dm.Count != 1 || head != fmt.Sprintf("Shutdown#1 Part%d", dm.Part) {
				t.Errorf("record %s: section starts %q, decoded as %s#%d Part%d; want pstore's Shutdown#1 Part<n> header", l.ID, head, dm.Reason, dm.Count, dm.Part)
			}
			parts[head] = true
			if head == "Shutdown#1 Part1" {
				// Part 1 is the newest end of the log.
				for _, want := range []string{marker, "reboot: Power down"} {
					if !bytes.Contains(body, []byte(want)) {
						t.Errorf("record %s (%s): no %q in the kernel log it holds; it ends:\n%s", l.ID, head, want, lastBytes(body, 600))
					}
				}
			}
			// The layout Linux's erst_writer uses is exactly what
			// cper.NewPstoreRecord builds.
			want, err := cper.NewPstoreRecord(rec.RecordID, cper.SectionTypeDmesgZ, zbody, when)
			if err == nil {
				var wantRaw []byte
				if wantRaw, err = want.Marshal(); err == nil && !bytes.Equal(raw, wantRaw) {
					err = fmt.Errorf("differs from the kernel's record:\nkernel  %x\nNewPstoreRecord %x", raw[:cper.PstoreHeaderSize], wantRaw[:min(len(wantRaw), cper.PstoreHeaderSize)])
				}
			}
			if err != nil {
				t.Errorf("record %s: cper.NewPstoreRecord: %v", l.ID, err)
			}
		}
		if !sawOurs {
			t.Errorf("erst ls no longer lists our record %#x", ourID)
		}
		if len(kernelIDs) == 0 {
			t.Fatalf("the kernel wrote no record at power-off; erst ls -json:\n%s", lsJSON)
		}
		for n := 1; n <= len(kernelIDs); n++ {
			if p := fmt.Sprintf("Shutdown#1 Part%d", n); !parts[p] {
				t.Errorf("no record holds %s; the kernel's %d records hold %v", p, len(kernelIDs), parts)
			}
		}

		// The host's simulator reads QEMU's store the same way.
		if h := runCommand(t, tl.erst, dir, "-store", storeFile, "ls", "-json"); h.code != 0 || !bytes.Equal(h.stdout, lsJSON) {
			t.Errorf("host erst -store ls -json: exit %d, differs from the guest's:\nhost:\n%s\nguest:\n%s\n%s", h.code, h.stdout, lsJSON, h.stderr)
		}
		if h := runCommand(t, tl.erst, dir, "-store", storeFile, "dump", "-json"); h.code != 0 || !bytes.Equal(h.stdout, dumpJSON) {
			t.Errorf("host erst -store dump -json: exit %d, differs from the guest's\n%s", h.code, h.stderr)
		}
		// What a person sees: the inflated log, with the marker the guest
		// put into the kernel log before powering off.
		h := runCommand(t, tl.erst, dir, "-store", storeFile, "dump")
		for _, want := range []string{marker, "pstore dump: reason Shutdown, count 1, part 1", "| " + strings.TrimSpace(ourZText)} {
			if h.code != 0 || !bytes.Contains(h.stdout, []byte(want)) {
				t.Errorf("host erst -store dump: exit %d; no %q in its text:\n%s\n%s", h.code, want, lastBytes(h.stdout, 3000), h.stderr)
			}
		}
		for _, l := range ls.Records {
			out := "host-" + l.ID
			if h := runCommand(t, tl.erst, dir, "-store", storeFile, "read", "-o", out, l.ID); h.code != 0 {
				t.Errorf("host erst -store read %s: exit %d\n%s", l.ID, h.code, h.stderr)
				continue
			}
			if !bytes.Equal(mustRead(t, filepath.Join(dir, out)), mustRead(t, filepath.Join(dir, "read", l.ID))) {
				t.Errorf("record %s: the host's simulator reads other bytes than erst in the guest", l.ID)
			}
		}
		t.Logf("erst reads %d records the kernel wrote at power-off: %v", len(kernelIDs), hexIDs(kernelIDs))
	})
}

// grepLines returns the lines of s that contain any of words.
func grepLines(s string, words ...string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		for _, w := range words {
			if strings.Contains(l, w) {
				out = append(out, l)
				break
			}
		}
	}
	return strings.Join(out, "\n")
}

// lastBytes returns the last n bytes of b, for messages.
func lastBytes(b []byte, n int) string {
	return string(b[max(0, len(b)-n):])
}

func hexIDs(ids []uint64) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = fmt.Sprintf("%#x", id)
	}
	return out
}
