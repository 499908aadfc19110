//go:build vmtest

package vmtest

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/goerst/erst/erst/cper"
	"github.com/goerst/erst/erst/pshed/pshedtest"
	"github.com/goerst/erst/erst/store"
)

// The tests here run the same erst commands twice from the same starting
// backing file: once on the host through the simulator (erst -store FILE)
// and once in a guest on QEMU's acpi-erst device (erstvm, which powers the
// VM off at the end: every boot is a fresh QEMU process). They compare
// each command's exit status, stdout and stderr, the files it wrote, and
// the two backing files afterwards, byte for byte. All of a scenario's
// commands run in one boot (gosh), so the tests boot three VMs.

// storeFile is the backing file's name in a scenario's working directory.
const storeFile = "s.img"

// tools are the host's erst and the erstvm runner, built once per test.
type tools struct {
	erst   string
	erstvm func(dir string, args ...string) cmdResult
}

func newTools(t *testing.T) tools {
	erstvm := erstvmRunner(t) // checks the prerequisites first
	bin, _ := buildCommand(t, "./cmd/erst")
	return tools{erst: bin, erstvm: erstvm}
}

// scenario is a list of erst commands (the arguments after the global
// flags) to run from a starting store.
type scenario struct {
	machine  string            // QEMU machine of the guest run
	firmware string            // erstvm -firmware of the guest run; "" for seabios
	start    []byte            // the backing file both runs start from; nil: none, each tool creates its default one
	inputs   map[string][]byte // files in the working directory (records to write)
	steps    []step
}

// step is one erst command (the arguments after the global flags) and
// the exit status it must give.
type step struct {
	args []string
	code int
}

func okStep(args ...string) step   { return step{args, 0} }
func failStep(args ...string) step { return step{args, 1} }

// scenarioRun is a scenario's outcome on the simulator and on QEMU: per
// command results, the working directories and the backing files at the
// end.
type scenarioRun struct {
	simDir, guestDir     string
	sim, guest           []cmdResult
	simStore, guestStore []byte
}

// runScenario runs sc on the simulator, one erst process per step, and
// in one guest boot, one gosh command line for all the steps whose results
// go to files in the shared directory.
func runScenario(t *testing.T, tl tools, sc scenario) scenarioRun {
	t.Helper()
	r := scenarioRun{simDir: scenarioDir(t, sc), guestDir: scenarioDir(t, sc)}
	if sc.start == nil {
		// Only write and create make a -store file; QEMU makes its own.
		if c := runCommand(t, tl.erst, r.simDir, "-store", storeFile, "create"); c.code != 0 {
			t.Fatalf("erst -store %s create: exit %d\n%s", storeFile, c.code, c.stderr)
		}
	}
	for _, s := range sc.steps {
		r.sim = append(r.sim, runCommand(t, tl.erst, r.simDir, append([]string{"-store", storeFile}, s.args...)...))
	}

	const resultDir = ".steps" // in the guest's working directory
	if err := os.Mkdir(filepath.Join(r.guestDir, resultDir), 0o755); err != nil {
		t.Fatal(err)
	}
	script := make([]string, len(sc.steps))
	for i, s := range sc.steps {
		p := fmt.Sprintf("%s/%d", resultDir, i)
		script[i] = fmt.Sprintf("erst %s >%s.out 2>%s.err; echo $? >%s.code", shellWords(s.args), p, p, p)
	}
	args := []string{"-machine", sc.machine, "-store", storeFile, "-run", "gosh"}
	if sc.firmware != "" {
		args = append(args, "-firmware", sc.firmware)
	}
	g := tl.erstvm(r.guestDir, append(args, "--", "-c", strings.Join(script, "\n"))...)
	if g.code != 0 {
		t.Fatalf("erstvm %s: exit %d\n%s", strings.Join(args, " "), g.code, g.stderr)
	}
	for i := range sc.steps {
		p := filepath.Join(r.guestDir, resultDir, strconv.Itoa(i))
		code, err := strconv.Atoi(strings.TrimSpace(string(mustRead(t, p+".code"))))
		if err != nil {
			t.Fatalf("step %d's exit status: %v", i, err)
		}
		r.guest = append(r.guest, cmdResult{code: code, stdout: mustRead(t, p+".out"), stderr: mustRead(t, p+".err")})
	}
	if err := os.RemoveAll(filepath.Join(r.guestDir, resultDir)); err != nil {
		t.Fatal(err)
	}
	r.simStore = mustRead(t, filepath.Join(r.simDir, storeFile))
	r.guestStore = mustRead(t, filepath.Join(r.guestDir, storeFile))
	return r
}

// scenarioDir is a new working directory holding sc's inputs and starting
// store.
func scenarioDir(t *testing.T, sc scenario) string {
	dir := t.TempDir()
	for name, b := range sc.inputs {
		writeFile(t, filepath.Join(dir, name), b)
	}
	if sc.start != nil {
		writeFile(t, filepath.Join(dir, storeFile), sc.start)
	}
	return dir
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// shellWords quotes args for gosh.
func shellWords(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sameAnswers checks that every step gave its exit status, and the same
// stdout and stderr on QEMU as on the simulator; a failing step must say
// why on stderr.
func sameAnswers(t *testing.T, sc scenario, r scenarioRun) {
	t.Helper()
	for i, s := range sc.steps {
		sim, guest := r.sim[i], r.guest[i]
		what := "erst " + strings.Join(s.args, " ")
		if sim.code != s.code || guest.code != s.code || !bytes.Equal(sim.stderr, guest.stderr) || (s.code != 0) != (len(guest.stderr) > 0) {
			t.Errorf("%s: simulator exit %d, stderr %q; QEMU exit %d, stderr %q; want exit %d, the same stderr, empty on success only", what, sim.code, sim.stderr, guest.code, guest.stderr, s.code)
		}
		simOut, guestOut := sim.stdout, guest.stdout
		if s.args[0] == "info" && slices.Contains(s.args, "-json") {
			simOut, guestOut = comparableInfo(t, simOut, false), comparableInfo(t, guestOut, true)
		}
		if !bytes.Equal(simOut, guestOut) {
			t.Errorf("%s: stdout differs\nsimulator: %q\nQEMU:      %q", what, simOut, guestOut)
		}
	}
}

// comparableInfo is info -json's output without the fields that
// legitimately differ between the simulator and the real device:
//
//   - device: names the backing file on the simulator, "live device" in
//     the guest;
//   - range_base: the exchange buffer's address, QEMU's BAR1, which the
//     PCI layout of the machine places; the simulator has its own;
//   - capacity, record_size, store_size: the simulator reads them from the
//     backing file; no ERST action tells them to the guest, so live they
//     are null.
//
// Everything else (range_length, attributes, timings, timeout, record
// count) comes from the device and must agree. It checks that live the
// unknowable fields are null.
func comparableInfo(t *testing.T, out []byte, live bool) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Errorf("info -json: %v\n%s", err, out)
		return out
	}
	for _, k := range []string{"device", "range_base", "capacity", "record_size", "store_size"} {
		v, ok := m[k]
		if !ok {
			t.Errorf("info -json has no %q field:\n%s", k, out)
		}
		if live && k != "device" && k != "range_base" && v != nil {
			t.Errorf("live info -json: %s = %v; the device cannot know it, want null", k, v)
		}
		delete(m, k)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sameStore checks that the simulator and QEMU left byte-identical
// backing files, and describes the first differences by what the store
// format keeps there.
func sameStore(t *testing.T, sim, qemu []byte) {
	t.Helper()
	if bytes.Equal(sim, qemu) {
		return
	}
	if len(sim) != len(qemu) {
		t.Errorf("backing files differ in size: simulator %d bytes, QEMU %d", len(sim), len(qemu))
	}
	var lines []string
	for off := 0; off < min(len(sim), len(qemu)) && len(lines) < 8; off++ {
		if sim[off] == qemu[off] {
			continue
		}
		end := off
		for end < min(len(sim), len(qemu)) && sim[end] != qemu[end] {
			end++
		}
		lines = append(lines, fmt.Sprintf("  at %#x, %d bytes (%s): simulator % x, QEMU % x",
			off, end-off, describeOffset(qemu, off), sim[off:min(end, off+16)], qemu[off:min(end, off+16)]))
		off = end
	}
	t.Errorf("backing files differ; the first differing runs, and what QEMU's file holds there:\n%s", strings.Join(lines, "\n"))
}

// describeOffset says what the QEMU store format keeps at off in im
// (erst/store's package comment).
func describeOffset(im []byte, off int) string {
	fields := []struct {
		end  int
		name string
	}{{8, "header magic"}, {12, "header record_size"}, {16, "header storage_offset"}, {18, "header version"}, {20, "header reserved"}, {24, "header record_count"}}
	for _, f := range fields {
		if off < f.end {
			return f.name
		}
	}
	h, err := store.DecodeHeader(im)
	if err != nil || h.RecordSize == 0 {
		return "beyond an unreadable header"
	}
	rs := int(h.RecordSize)
	slots := len(im) / rs
	if off < int(h.StorageOffset) {
		if off < store.MapOffset(slots) {
			return fmt.Sprintf("map entry of slot %d", (off-store.MapOffset(0))/8)
		}
		return "header slots after the map"
	}
	slot, in := off/rs, off%rs
	if slot >= slots {
		return "beyond the last whole slot"
	}
	id := binary.LittleEndian.Uint64(im[store.MapOffset(slot):])
	length := int(binary.LittleEndian.Uint32(im[slot*rs+cper.OffRecordLength:]))
	switch {
	case id == 0:
		return fmt.Sprintf("free slot %d, byte %#x", slot, in)
	case in < length:
		return fmt.Sprintf("slot %d, record %#x byte %#x (of %d)", slot, id, in, length)
	}
	return fmt.Sprintf("slot %d, record %#x's 0xFF padding at %#x", slot, id, in)
}

// sameFiles checks that each named file in dir holds the wanted bytes.
func sameFiles(t *testing.T, who, dir string, want map[string][]byte) {
	t.Helper()
	for name, w := range want {
		got, err := os.ReadFile(filepath.Join(dir, name))
		switch {
		case err != nil:
			t.Errorf("%s: %v", who, err)
		case !bytes.Equal(got, w):
			t.Errorf("%s: %s is not the record written: %d bytes, want %d, first difference at %d", who, name, len(got), len(w), firstDiff(got, w))
		}
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// lsIDs are the record ids in ls -json's output, sorted.
func lsIDs(t *testing.T, out []byte) []string {
	t.Helper()
	var ls struct {
		Records []struct{ ID string } `json:"records"`
	}
	if err := json.Unmarshal(out, &ls); err != nil {
		t.Fatalf("ls -json: %v\n%s", err, out)
	}
	ids := []string{}
	for _, r := range ls.Records {
		ids = append(ids, r.ID)
	}
	slices.Sort(ids)
	return ids
}

// checkScenario runs sc on both sides and checks the common expectations:
// the same answers, the same backing file, the wanted files in both
// working directories, and ls -json's ids at the last step.
func checkScenario(t *testing.T, tl tools, sc scenario, files map[string][]byte, ids []string) scenarioRun {
	t.Helper()
	last := len(sc.steps) - 1
	if last < 0 || !slices.Equal(sc.steps[last].args, []string{"ls", "-json"}) {
		t.Fatalf("the scenario must end with ls -json")
	}
	r := runScenario(t, tl, sc)
	sameAnswers(t, sc, r)
	sameStore(t, r.simStore, r.guestStore)
	sameFiles(t, "simulator", r.simDir, files)
	sameFiles(t, "QEMU "+sc.machine, r.guestDir, files)
	if got := lsIDs(t, r.guest[last].stdout); !reflect.DeepEqual(got, ids) {
		t.Errorf("QEMU %s: ls -json lists %q, want %q", sc.machine, got, ids)
	}
	return r
}

// testRecord is a test record: its file name in the working directory and
// its bytes.
type testRecord struct {
	file string
	b    []byte
}

func newRecord(file string, size int, id uint64) testRecord {
	return testRecord{file, pshedtest.NewRecord(size, id)}
}

func recordFiles(recs ...testRecord) map[string][]byte {
	m := map[string][]byte{}
	for _, r := range recs {
		m[r.file] = r.b
	}
	return m
}

// TestStoreAgainstSim runs a sequence of writes, clears and an overwrite
// from a missing backing file (each tool creating its default, 64 KiB,
// one) on q35 and on the simulator, with errors along the way; then, after
// the power-off, reads every record back on pc from the file QEMU wrote,
// again against the simulator on the same file (the host reading a store
// the real device wrote). The records range from the smallest with a
// section (200 bytes) to a full 8 KiB slot, which leaves no padding. The
// sequence runs again under UEFI firmware (OVMF), where the device's
// registers and error log range sit elsewhere: the answers and the
// backing file must be the same.
func TestStoreAgainstSim(t *testing.T) {
	t.Parallel()
	tl := newTools(t)
	a := newRecord("a.bin", 5000, 0xa)
	b := newRecord("b.bin", 300, 0xb)
	c := newRecord("c.bin", 4096, 0xc)
	d := newRecord("d.bin", 200, 0xd)
	a2 := newRecord("a2.bin", 1000, 0xa) // A again, shorter: the rest of its slot becomes 0xFF
	e := newRecord("e.bin", store.DefaultRecordSize, 0xe)
	f := newRecord("f.bin", 2345, 0xf)
	kept := map[string][]byte{"a.out": a2.b, "d.out": d.b, "e.out": e.b, "f.out": f.b}
	keptIDs := []string{"0xa", "0xd", "0xe", "0xf"}

	var written []byte // the store QEMU left at power-off
	sequence := func(t *testing.T, firmware string) []byte {
		sc := scenario{machine: "q35", firmware: firmware, inputs: recordFiles(a, b, c, d, a2, e, f), steps: []step{
			okStep("info", "-json"),
			okStep("ls", "-json"),
			failStep("read", "0xa"), // the store is empty
			okStep("write", a.file),
			okStep("write", b.file, c.file),
			okStep("clear", "0xb"),
			okStep("write", d.file), // into B's slot
			okStep("write", a2.file),
			okStep("write", "-json", e.file, f.file),
			okStep("read", "-o", "a.out", "0xa"),
			okStep("read", "0xd"), // to stdout
			okStep("read", "-o", "e.out", "0xe"),
			okStep("read", "-o", "f.out", "0xf"),
			okStep("read", "-o", "d.out", "0xd"),
			failStep("read", "0x99"),  // not found
			failStep("clear", "0x99"), // not found
			okStep("clear", "0xc"),    // its bytes stay in the slot
			okStep("info", "-json"),
			okStep("ls", "-json"),
		}}
		r := checkScenario(t, tl, sc, kept, keptIDs)
		if len(r.guestStore) != 64<<10 {
			t.Errorf("erstvm made a %d-byte store; want the 64 KiB erst -store makes", len(r.guestStore))
		}
		return r.guestStore
	}
	t.Run("sequence-q35", func(t *testing.T) { written = sequence(t, "") })
	t.Run("sequence-q35-ovmf", func(t *testing.T) {
		needOVMF(t)
		sequence(t, "ovmf")
	})

	t.Run("after-power-off-pc", func(t *testing.T) {
		if written == nil {
			t.Skip("the q35 boot left no store to read back")
		}
		sc := scenario{machine: "pc", start: written, steps: []step{
			okStep("info", "-json"),
			okStep("read", "-o", "a.out", "0xa"),
			okStep("read", "-o", "d.out", "0xd"),
			okStep("read", "-o", "e.out", "0xe"),
			okStep("read", "-o", "f.out", "0xf"),
			failStep("read", "0xc"), // cleared before the power-off
			okStep("ls", "-json"),
		}}
		r := checkScenario(t, tl, sc, kept, keptIDs)
		if !bytes.Equal(r.guestStore, written) {
			t.Error("a boot that only read changed the backing file")
		}
	})
}

// TestStoreFromSim boots QEMU (q35) on a store the simulator made, with
// 16 KiB slots where erstvm asks QEMU for its default 8 KiB record_size
// (an existing file's own record_size wins, in QEMU as in the simulator):
// the guest reads every record back, writes a full 16 KiB one, overwrites
// and clears; the simulator does the same on the same file, and the
// backing files must agree.
func TestStoreFromSim(t *testing.T) {
	t.Parallel()
	tl := newTools(t)
	const rs = 16 << 10
	r1 := newRecord("r1.bin", rs, 0x31)
	r2 := newRecord("r2.bin", 9000, 0x32)
	r3 := newRecord("r3.bin", 300, 0x33)
	r4 := newRecord("r4.bin", rs, 0x34)
	r2b := newRecord("r2b.bin", 4000, 0x32)

	dir := scenarioDir(t, scenario{inputs: recordFiles(r1, r2, r3)})
	made := runCommand(t, tl.erst, dir, "-store", storeFile, "-store-size", "128K", "-record-size", "16K", "write", r1.file, r2.file, r3.file)
	if made.code != 0 {
		t.Fatalf("erst -store write: exit %d\n%s", made.code, made.stderr)
	}
	sc := scenario{machine: "q35", start: mustRead(t, filepath.Join(dir, storeFile)), inputs: recordFiles(r4, r2b), steps: []step{
		okStep("info", "-json"),
		okStep("read", "-o", "1.out", "0x31"),
		okStep("read", "-o", "2.out", "0x32"),
		okStep("read", "-o", "3.out", "0x33"),
		okStep("write", r4.file),
		okStep("write", r2b.file),
		okStep("clear", "0x33"),
		failStep("read", "0x33"),
		okStep("read", "-o", "4.out", "0x34"),
		okStep("read", "-o", "2b.out", "0x32"),
		okStep("ls", "-json"),
	}}
	checkScenario(t, tl, sc, map[string][]byte{"1.out": r1.b, "2.out": r2.b, "3.out": r3.b, "4.out": r4.b, "2b.out": r2b.b},
		[]string{"0x31", "0x32", "0x34"})
}
