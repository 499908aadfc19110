package target_test

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/acpi/acpitest"
	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/sim"
	"github.com/goerst/erst/erst/store"
	"github.com/goerst/erst/erst/store/storetest"
	"github.com/goerst/erst/erst/target"
)

// open opens o for m and closes the device when the test ends.
func open(t *testing.T, o target.Options, m target.Mode) (*target.Device, error) {
	t.Helper()
	d, err := target.Open(o, m)
	if err == nil {
		t.Cleanup(func() { d.Close() })
	}
	return d, err
}

func writeFile(t *testing.T, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "erst.backing")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func fileBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCreate: Create makes a missing or empty file a store of the
// geometry asked (the defaults when none is), formats a zero-filled one
// at its own size, and opens a formatted one as it is.
func TestCreate(t *testing.T) {
	dir := t.TempDir()
	zeros := func(n int) string { return writeFile(t, make([]byte, n)) }
	for _, tc := range []struct {
		name     string
		path     string
		o        target.Options
		size, rs int
	}{
		{"missing, defaults", filepath.Join(dir, "new"), target.Options{}, store.DefaultSize, store.DefaultRecordSize},
		{"missing, asked", filepath.Join(dir, "new2"), target.Options{StoreSize: 32 << 10, RecordSize: 4096, StoreSizeSet: true, RecordSizeSet: true}, 32 << 10, 4096},
		{"empty", writeFile(t, nil), target.Options{StoreSize: 16 << 10, RecordSize: 4096}, 16 << 10, 4096},
		{"zero-filled", zeros(40 << 10), target.Options{RecordSize: 4096}, 40 << 10, 4096},
		{"zero-filled, size asked equal", zeros(24 << 10), target.Options{StoreSize: 24 << 10, StoreSizeSet: true, RecordSize: 8192}, 24 << 10, 8192},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.o.Store = tc.path
			d, err := open(t, tc.o, target.Create)
			if err != nil {
				t.Fatal(err)
			}
			if d.Store.Size() != tc.size || d.Store.RecordSize() != tc.rs || d.Where != "simulated store "+tc.path {
				t.Errorf("store of %d bytes, record size %d, %q; want %d, %d, \"simulated store %s\"", d.Store.Size(), d.Store.RecordSize(), d.Where, tc.size, tc.rs, tc.path)
			}
			if err := tc.o.CheckStore(d.Store); err != nil {
				t.Errorf("CheckStore of the store just made: %v", err)
			}
		})
	}

	// A formatted store keeps its geometry, whatever is asked: CheckStore
	// says what differs.
	path := filepath.Join(dir, "new")
	o := target.Options{Store: path, StoreSize: 128 << 10, RecordSize: 4096, StoreSizeSet: true, RecordSizeSet: true}
	d, err := open(t, o, target.Create)
	if err != nil {
		t.Fatal(err)
	}
	if d.Store.Size() != store.DefaultSize {
		t.Errorf("an existing store opened with another size asked: %d bytes, want its own %d", d.Store.Size(), store.DefaultSize)
	}
	err = o.CheckStore(d.Store)
	want := fmt.Sprintf("store %s exists with %d bytes, not -store-size %d and record size %d, not -record-size 4096: an existing store keeps its geometry (remove it to make a new one)", path, store.DefaultSize, 128<<10, store.DefaultRecordSize)
	if !errors.Is(err, target.ErrGeometry) || errors.Is(err, target.ErrInput) || err.Error() != want {
		t.Errorf("CheckStore: %v\nwant %s (ErrGeometry, not ErrInput)", err, want)
	}
}

// TestCreateRefuses: what Create refuses leaves the file as it was.
func TestCreateRefuses(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "new")
	o := target.Options{Store: missing, StoreSize: 10000, StoreSizeSet: true}
	_, err := open(t, o, target.Create)
	want := fmt.Sprintf("-store-size 10000 -record-size %d: ", store.DefaultRecordSize)
	if !errors.Is(err, target.ErrInput) || !errors.Is(err, store.ErrStorageSize) || !strings.HasPrefix(fmt.Sprint(err), want) {
		t.Errorf("a size not a whole number of records: %v, want ErrInput starting %q", err, want)
	}
	if _, serr := os.Stat(missing); !errors.Is(serr, fs.ErrNotExist) {
		t.Errorf("a refused store was created: %v", serr)
	}
	if err := o.CheckGeometry(); !errors.Is(err, target.ErrInput) || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("CheckGeometry: %v, want ErrInput starting %q", err, want)
	}

	// A zero-filled file is formatted at its own size, never resized.
	zeros := writeFile(t, make([]byte, 40<<10))
	_, err = open(t, target.Options{Store: zeros, StoreSize: 64 << 10, StoreSizeSet: true}, target.Create)
	want = fmt.Sprintf("store %s is an unformatted 40960-byte file, not -store-size 65536: it is formatted at its own size (truncate it, or leave out -store-size)", zeros)
	if !errors.Is(err, target.ErrGeometry) || errors.Is(err, target.ErrInput) || fmt.Sprint(err) != want {
		t.Errorf("a zero-filled file of another size: %v\nwant %s (ErrGeometry, not ErrInput)", err, want)
	}
	_, err = open(t, target.Options{Store: zeros, RecordSize: 16384, RecordSizeSet: true}, target.Create)
	want = fmt.Sprintf("store %s: an unformatted 40960-byte file with -record-size 16384: ", zeros)
	if !errors.Is(err, target.ErrInput) || !errors.Is(err, store.ErrStorageSize) || !strings.HasPrefix(fmt.Sprint(err), want) {
		t.Errorf("a zero-filled file that is no whole number of records: %v, want ErrInput starting %q", err, want)
	}
	if !bytes.Equal(fileBytes(t, zeros), make([]byte, 40<<10)) {
		t.Error("a refused zero-filled file changed")
	}
}

// TestOpenExisting: ReadOnly and ReadWrite open only a formatted store,
// never create or format one, and say why.
func TestOpenExisting(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing")
	noDir := filepath.Join(dir, "no-such-dir", "s")
	zeros := writeFile(t, make([]byte, 64<<10))
	junk := writeFile(t, bytes.Repeat([]byte("junk"), 1024))
	for _, m := range []target.Mode{target.ReadOnly, target.ReadWrite} {
		for _, tc := range []struct {
			path, msg string
			is        error
		}{
			{missing, "store " + missing + " does not exist", target.ErrNoStore},
			{noDir, "store " + noDir + ": directory " + filepath.Dir(noDir) + " does not exist (check the -store path)", fs.ErrNotExist},
			{zeros, "store " + zeros + " is not formatted (magic 0, as in a new zero-filled file)", store.ErrUnformatted},
			{junk, junk, store.ErrNotStore},
		} {
			_, err := open(t, target.Options{Store: tc.path}, m)
			if !errors.Is(err, target.ErrInput) || !errors.Is(err, tc.is) || !strings.HasPrefix(fmt.Sprint(err), tc.msg) {
				t.Errorf("mode %d on %s: %v, want ErrInput and %v starting %q", m, tc.path, err, tc.is, tc.msg)
			}
			if tc.path == noDir && errors.Is(err, target.ErrNoStore) {
				t.Errorf("mode %d, a missing directory: ErrNoStore, which only a missing file is", m)
			}
		}
		if _, err := os.Stat(missing); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("mode %d created a store", m)
		}
		if !bytes.Equal(fileBytes(t, zeros), make([]byte, 64<<10)) {
			t.Fatalf("mode %d formatted a zero-filled file", m)
		}
	}

	path := filepath.Join(dir, "s")
	d, err := target.Open(target.Options{Store: path}, target.Create)
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	for m, ro := range map[target.Mode]bool{target.ReadOnly: true, target.ReadWrite: false} {
		d, err := target.Open(target.Options{Store: path}, m)
		if err != nil {
			t.Fatal(err)
		}
		if d.Store.ReadOnly() != ro {
			t.Errorf("mode %d: read-only %v, want %v", m, d.Store.ReadOnly(), ro)
		}
		if err := d.Close(); err != nil {
			t.Error(err)
		}
	}
}

// TestStoreError: which failures are bad input.
func TestStoreError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s")
	for _, tc := range []struct {
		err   error
		input bool
		msg   string
	}{
		{fmt.Errorf("%s: %w", path, store.ErrLocked), false, path + ": " + store.ErrLocked.Error()},
		{fmt.Errorf("%s: %w", path, store.ErrIO), false, path + ": " + store.ErrIO.Error()},
		{fmt.Errorf("%s: %w", path, store.ErrHeader), true, path + ": " + store.ErrHeader.Error()},
		{store.ErrRecordSize, true, "store " + path + ": " + store.ErrRecordSize.Error()},
		{&fs.PathError{Op: "open", Path: path, Err: fs.ErrPermission}, true, "store " + path + ": permission denied"},
		{errors.New("something else"), false, "store " + path + ": something else"},
	} {
		err := target.StoreError(path, tc.err)
		if errors.Is(err, target.ErrInput) != tc.input || err.Error() != tc.msg || !errors.Is(err, tc.err) {
			t.Errorf("StoreError(%v) = %v (ErrInput %v), want %q (ErrInput %v), wrapping the cause", tc.err, err, errors.Is(err, target.ErrInput), tc.msg, tc.input)
		}
	}
}

// TestOpenSimulated: the driver runs over the store, with the faults,
// trace and table file given.
func TestOpenSimulated(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s")
	traced := 0
	var faults sim.Faults
	if err := faults.Set("status=3"); err != nil {
		t.Fatal(err)
	}
	o := target.Options{Store: path, Faults: faults, Trace: func(erst.TraceEvent) { traced++ }}
	d, err := open(t, o, target.Create)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Write(storetest.CPER(0x42, 300, 1)); !errors.Is(err, erst.ErrFailed) || traced == 0 {
		t.Errorf("write with status=3 injected: %v, %d accesses traced; want ErrFailed, traced", err, traced)
	}
	if err := d.Fault(erst.ErrFailed); err != erst.ErrFailed {
		t.Errorf("Fault on a sound store file: %v, want the error unchanged", err)
	}
	d.Close()

	bad := writeFile(t, []byte("not a table"))
	_, err = open(t, target.Options{Store: path, TableFile: bad}, target.ReadOnly)
	if !errors.Is(err, target.ErrInput) {
		t.Errorf("a table file that does not decode: %v, want ErrInput", err)
	}
	// The store was closed again: a writer gets it at once.
	d, err = open(t, target.Options{Store: path}, target.ReadWrite)
	if err != nil {
		t.Fatalf("after a failed Open: %v", err)
	}
	if err := d.Write(storetest.CPER(0x42, 300, 1)); err != nil {
		t.Fatal(err)
	}
	if d.Findings() != nil {
		t.Errorf("Findings on a consistent store: %v", d.Findings())
	}
}

// TestFindings: an inconsistent store is a *FindingsError naming the
// first finding; the live device and a nil Device have none.
func TestFindings(t *testing.T) {
	g := storetest.NewGolden(64<<10, 8192)
	g.Header(8192, 8192, 1) // a count of one over an empty map
	path := writeFile(t, g.Bytes())
	d, err := open(t, target.Options{Store: path}, target.ReadOnly)
	if err != nil {
		t.Fatal(err)
	}
	err = d.Findings()
	var fe *target.FindingsError
	if !errors.As(err, &fe) || len(fe.Findings) == 0 || !strings.HasPrefix(err.Error(), fmt.Sprintf("the store is inconsistent (%d finding(s); first: %s)", len(fe.Findings), fe.Findings[0])) {
		t.Errorf("Findings: %v, want a *FindingsError", err)
	}
	var none *target.Device
	if none.Findings() != nil || none.Fault(erst.ErrFailed) != erst.ErrFailed {
		t.Error("a nil Device has findings or a fault")
	}
}

// TestOpenLive: faults need a store; the live device's lock is taken
// first.
func TestOpenLive(t *testing.T) {
	var faults sim.Faults
	if err := faults.Set("busy"); err != nil {
		t.Fatal(err)
	}
	if _, err := target.Open(target.Options{Faults: faults}, target.ReadOnly); !errors.Is(err, target.ErrInput) || !strings.HasPrefix(err.Error(), "-fault busy needs -store") {
		t.Errorf("faults without a store: %v, want ErrInput", err)
	}
	lock := filepath.Join(t.TempDir(), "no-such-dir", "erst.lock")
	_, err := target.Open(target.Options{LockPath: lock}, target.ReadOnly)
	switch {
	case runtime.GOOS != "linux":
		if !errors.Is(err, target.ErrInput) {
			t.Errorf("live device on %s: %v, want ErrInput", runtime.GOOS, err)
		}
	case err == nil || errors.Is(err, target.ErrInput) || !strings.HasPrefix(err.Error(), "live device: "):
		t.Errorf("live device with a lock file that cannot be made: %v, want a device error, not ErrInput", err)
	}
}

// TestSelectTable: FILE, else the table file, else QEMU's table with a
// store, else the live table.
func TestSelectTable(t *testing.T) {
	qemu := sim.BuildTable(sim.Q35Bar0).Encode()
	file := writeFile(t, qemu)
	other := writeFile(t, append(acpitest.Acpidump("ERST", 0x1000, qemu), acpitest.Acpidump("ERST", 0x2000, qemu)...))
	decodes := 0
	decode := func(b []byte) (*acpi.ERST, error) { decodes++; return acpi.DecodeERST(b) }

	tb, err := target.Options{Store: "s", TableFile: other}.SelectTable(file, decode)
	if err != nil || tb.Name != file || !bytes.Equal(tb.Raw, qemu) || tb.ERST == nil || tb.Tables > 1 || decodes != 1 {
		t.Errorf("FILE: %+v, %v; want %s decoded", tb, err, file)
	}
	tb, err = target.Options{Store: "s", TableFile: other}.SelectTable("", decode)
	if err != nil || tb.Name != other || tb.Tables != 2 || decodes != 2 {
		t.Errorf("-table: %+v, %v; want %s, 2 tables", tb, err, other)
	}
	tb, err = target.Options{Store: "s"}.SelectTable("", decode)
	if err != nil || tb.Name != target.SimulatedTableName || !bytes.Equal(tb.Raw, qemu) || decodes != 2 {
		t.Errorf("-store: %+v, %v; want QEMU's table, built, not decoded", tb, err)
	}
	tb, err = target.Options{}.SelectTable("", decode)
	if tb.Name != acpi.SysfsTables+"/ERST" || (err != nil && !errors.Is(err, target.ErrInput)) {
		t.Errorf("no table named: %+v, %v; want the live table", tb, err)
	}

	bad := writeFile(t, []byte("not a table"))
	tb, err = target.Options{}.SelectTable(bad, decode)
	if !errors.Is(err, target.ErrInput) || tb.ERST != nil || !strings.HasPrefix(err.Error(), bad) {
		t.Errorf("a file that is no table: %+v, %v; want ErrInput naming it", tb, err)
	}
	tb, err = target.Options{}.SelectTable(file, func([]byte) (*acpi.ERST, error) { return nil, errors.New("lint says no") })
	if !errors.Is(err, target.ErrInput) || tb.Raw == nil || tb.ERST != nil || err.Error() != file+": lint says no" {
		t.Errorf("a table decode refuses: %+v, %v; want ErrInput naming the file, the bytes read", tb, err)
	}
}

// Info adds where the device is and the store's geometry to the
// driver's Info.
func TestInfo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s")
	d, err := open(t, target.Options{Store: path, StoreSize: 64 << 10, RecordSize: 8192}, target.Create)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Write(storetest.CPER(0x42, 300, 1)); err != nil {
		t.Fatal(err)
	}
	info, err := d.Info()
	if err != nil {
		t.Fatal(err)
	}
	want := erst.StoreGeometry{Capacity: 7, RecordSize: 8192, Size: 64 << 10}
	if info.Device != "simulated store "+path || info.Store == nil || *info.Store != want || info.RecordCount != 1 {
		t.Errorf("Info() = %+v (store %+v), want device %q, store %+v, 1 record", info, info.Store, "simulated store "+path, want)
	}
}
