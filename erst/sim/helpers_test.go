package sim_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/acpi/acpitest"
	"github.com/goerst/erst/erst/hw"
	"github.com/goerst/erst/erst/sim"
	"github.com/goerst/erst/erst/store"
	"github.com/goerst/erst/erst/store/storetest"
)

const (
	kib = 1024
	mib = 1024 * kib
)

// Linux's erst.c constants: each busy poll waits SPIN_UNIT, and the whole
// poll gives up after FIRMWARE_TIMEOUT.
const (
	spinUnit        = 100 * time.Nanosecond
	firmwareTimeout = time.Millisecond
)

var errTimeout = errors.New("firmware does not respond in time")

// rig drives a device at the register level the way Linux's erst.c does,
// through the device's own ERST table. The tiny interpreter here knows the
// four instructions QEMU's table uses, with Linux's semantics.
type rig struct {
	t     *testing.T
	d     *sim.Device
	st    *store.Store
	tab   *acpi.ERST
	bus   hw.Bus
	clock *hw.FakeClock
	path  string // backing file, when file-backed

	erange     uint64 // from GET_ERROR_LOG_ADDRESS_RANGE
	erangeSize uint64 // from GET_ERROR_LOG_ADDRESS_LENGTH
	buf        []byte // the mapped error log address range
}

// newRig makes a device over a new 64 KiB file with 8 KiB records, QEMU's
// documented example, and reads the error log address range as
// erst_get_erange does.
func newRig(t *testing.T, opts ...sim.Option) *rig {
	t.Helper()
	return newRigSize(t, 64*kib, 8192, opts...)
}

func newRigSize(t *testing.T, size int64, rs uint32, opts ...sim.Option) *rig {
	t.Helper()
	path := filepath.Join(t.TempDir(), "acpi-erst.backing")
	st, err := store.Create(path, size, rs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	r := rigOver(t, st, opts...)
	r.path = path
	return r
}

func rigOver(t *testing.T, st *store.Store, opts ...sim.Option) *rig {
	t.Helper()
	clock := hw.NewFakeClock()
	d, err := sim.New(st, append([]sim.Option{sim.WithClock(clock)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	bus, err := d.Bus(acpi.SystemMemory)
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, d: d, st: st, tab: d.Table(), bus: bus, clock: clock}
	r.erange = r.run(acpi.GetErrorLogAddressRange, 0)
	r.erangeSize = r.run(acpi.GetErrorLogAddressLength, 0)
	r.buf, err = d.Map(r.erange, r.erangeSize)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// run executes one action's instructions and returns the output value.
func (r *rig) run(a acpi.Action, input uint64) uint64 {
	r.t.Helper()
	v, err := r.runErr(a, input)
	if err != nil {
		r.t.Fatalf("%v: %v", a, err)
	}
	return v
}

func (r *rig) runErr(a acpi.Action, input uint64) (uint64, error) {
	entries := r.tab.Action(a)
	if len(entries) == 0 {
		return 0, errors.New("action not in the table")
	}
	return runEntries(r.bus, entries, input)
}

// runEntries runs an action's entries on bus with Linux's semantics for
// the four instructions QEMU's table uses, and returns the output value.
// It allocates nothing unless it fails.
func runEntries(bus hw.Bus, entries []acpi.Entry, val uint64) (uint64, error) {
	for _, e := range entries {
		reg := e.Register
		width := reg.AccessSize.Bits()
		switch e.Instruction {
		case acpi.ReadRegister, acpi.ReadRegisterValue:
			v, err := hw.Read(bus, width, reg.Address)
			if err != nil {
				return 0, err
			}
			v = v >> reg.BitOffset & e.Mask
			if e.Instruction == acpi.ReadRegisterValue {
				v = b2u(v == e.Value)
			}
			val = v
		case acpi.WriteRegisterValue:
			val = e.Value
			fallthrough
		case acpi.WriteRegister:
			if err := hw.Write(bus, width, reg.Address, (val&e.Mask)<<reg.BitOffset); err != nil {
				return 0, err
			}
		default:
			return 0, fmt.Errorf("instruction %v not in QEMU's table", e.Instruction)
		}
	}
	return val, nil
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// execute is Linux's EXECUTE_OPERATION, busy poll and GET_COMMAND_STATUS
// (__erst_write_to_storage and friends).
func (r *rig) execute() (acpi.CommandStatus, error) {
	r.t.Helper()
	r.run(acpi.ExecuteOperation, 0)
	if err := r.waitBusy(); err != nil {
		return 0, err
	}
	return acpi.CommandStatus(r.run(acpi.GetCommandStatus, 0)), nil
}

// waitBusy polls CHECK_BUSY_STATUS as Linux does: ndelay(SPIN_UNIT)
// between polls, FIRMWARE_TIMEOUT overall, on the fake clock.
func (r *rig) waitBusy() error {
	deadline := r.clock.Now().Add(firmwareTimeout)
	for r.run(acpi.CheckBusyStatus, 0) != 0 {
		if !r.clock.Now().Before(deadline) {
			return errTimeout
		}
		r.clock.Sleep(spinUnit)
	}
	return nil
}

// write is Linux's __erst_write_to_storage with the record already at
// offset in the error log address range.
func (r *rig) write(offset uint64) (acpi.CommandStatus, error) {
	r.t.Helper()
	r.run(acpi.BeginWriteOperation, 0)
	r.run(acpi.SetRecordOffset, offset)
	st, err := r.execute()
	r.run(acpi.EndOperation, 0)
	return st, err
}

// put copies rec to the start of the range and writes it.
func (r *rig) put(rec []byte) acpi.CommandStatus {
	r.t.Helper()
	copy(r.buf, rec)
	st, err := r.write(0)
	if err != nil {
		r.t.Fatal(err)
	}
	return st
}

// read is Linux's __erst_read_from_storage.
func (r *rig) read(id, offset uint64) (acpi.CommandStatus, error) {
	r.t.Helper()
	r.run(acpi.BeginReadOperation, 0)
	r.run(acpi.SetRecordOffset, offset)
	r.run(acpi.SetRecordIdentifier, id)
	st, err := r.execute()
	r.run(acpi.EndOperation, 0)
	return st, err
}

// get reads id at offset 0 and returns the status and, on success, the
// record_length bytes the device put in the range.
func (r *rig) get(id uint64) (acpi.CommandStatus, []byte) {
	r.t.Helper()
	st, err := r.read(id, 0)
	if err != nil {
		r.t.Fatal(err)
	}
	if st != acpi.StatusSuccess {
		return st, nil
	}
	n := binary.LittleEndian.Uint32(r.buf[20:])
	return st, append([]byte(nil), r.buf[:n]...)
}

// clear is Linux's __erst_clear_from_storage.
func (r *rig) clear(id uint64) acpi.CommandStatus {
	r.t.Helper()
	r.run(acpi.BeginClearOperation, 0)
	r.run(acpi.SetRecordIdentifier, id)
	st, err := r.execute()
	if err != nil {
		r.t.Fatal(err)
	}
	r.run(acpi.EndOperation, 0)
	return st
}

func (r *rig) nextID() uint64 { r.t.Helper(); return r.run(acpi.GetRecordIdentifier, 0) }
func (r *rig) count() uint64  { r.t.Helper(); return r.run(acpi.GetRecordCount, 0) }

// status reads GET_COMMAND_STATUS on its own.
func (r *rig) status() acpi.CommandStatus {
	r.t.Helper()
	return acpi.CommandStatus(r.run(acpi.GetCommandStatus, 0))
}

// file returns the backing file's bytes.
func (r *rig) file() []byte {
	r.t.Helper()
	b, err := os.ReadFile(r.path)
	if err != nil {
		r.t.Fatal(err)
	}
	return b
}

func (r *rig) checkFile(what string, want []byte) {
	r.t.Helper()
	if d := storetest.Diff(r.file(), want); d != "" {
		r.t.Fatalf("%s: backing file: %s", what, d)
	}
}

// unchanged runs f and checks that the backing file did not change.
func (r *rig) unchanged(what string, f func()) {
	r.t.Helper()
	before := r.file()
	f()
	r.checkFile(what+" (file must be unchanged)", before)
}

func (r *rig) wantStatus(what string, got, want acpi.CommandStatus) {
	r.t.Helper()
	if got != want {
		r.t.Errorf("%s: status %v, want %v", what, got, want)
	}
}

// corpusFile returns the path of an ERST corpus table (in the module's
// acpi/testdata), failing the test when it is missing.
func corpusFile(t *testing.T, name string) string {
	t.Helper()
	return acpitest.CorpusFile(t, name)
}
