package target

import (
	"os"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst/sim"
)

// ReadTable reads the ERST table in file (binary or acpidump text), or
// the live one ([acpi.ReadLiveTable]) when file is empty. name is file,
// or the live table's path under [acpi.SysfsTables]. An error is
// [ErrInput].
func ReadTable(file string) (raw []byte, name string, err error) {
	if file == "" {
		raw, err = acpi.ReadLiveTable(acpi.SignatureERST)
		name = acpi.SysfsTables + "/ERST"
	} else {
		name = file
		raw, err = acpi.ReadTableFile(name, acpi.SignatureERST)
	}
	if err != nil {
		return nil, name, input(err)
	}
	return raw, name, nil
}

// DecodeTable is [ReadTable] and [acpi.DecodeERST]; a table that does not
// decode is an error naming it ([ErrInput]).
func DecodeTable(file string) (*acpi.ERST, []byte, string, error) {
	raw, name, err := ReadTable(file)
	if err != nil {
		return nil, nil, name, err
	}
	t, err := acpi.DecodeERST(raw)
	if err != nil {
		return nil, raw, name, inputf("%s: %w", name, err)
	}
	return t, raw, name, nil
}

// SimulatedTableName is the Name of QEMU's table in a [Table].
const SimulatedTableName = "simulated device (QEMU's table)"

// Table is the ERST table a tool shows ([Options.SelectTable]).
type Table struct {
	ERST *acpi.ERST // nil when it could not be read or decoded
	Raw  []byte     // its bytes; nil when it could not be read
	Name string     // the file, the live table's sysfs path, or SimulatedTableName
	// Tables is the number of ERST tables in the file's acpidump text,
	// of which ERST is the first; 0 or 1 for a file with one table.
	Tables int
}

// SelectTable reads the table a tool shows (erst table, erst lint): file
// when not empty, else o.TableFile, else with o.Store the table of the
// simulated device (QEMU's, the one [Open] runs), else the live table;
// and decodes it with decode (QEMU's table is built, not decoded). An
// error is [ErrInput]; with one, the Table says what was read.
func (o Options) SelectTable(file string, decode func([]byte) (*acpi.ERST, error)) (Table, error) {
	switch {
	case file == "" && o.TableFile != "":
		file = o.TableFile
	case file == "" && o.Store != "":
		t := sim.BuildTable(sim.Q35Bar0)
		return Table{ERST: t, Raw: t.Encode(), Name: SimulatedTableName}, nil
	}
	raw, name, err := ReadTable(file)
	tb := Table{Raw: raw, Name: name}
	if err != nil {
		return tb, err
	}
	if b, err := os.ReadFile(name); err == nil {
		tb.Tables = acpi.CountAcpidump(b, acpi.SignatureERST)
	}
	t, err := decode(raw)
	if err != nil {
		return tb, inputf("%s: %w", name, err)
	}
	tb.ERST = t
	return tb, nil
}
