package acpi

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCommandStatusNames(t *testing.T) {
	for s, want := range map[CommandStatus]string{
		StatusSuccess:          "SUCCESS",
		StatusRecordStoreEmpty: "RECORD_STORE_EMPTY",
		StatusRecordNotFound:   "RECORD_NOT_FOUND",
		6:                      "RESERVED_STATUS(0x06)",
		0x13:                   "RESERVED_STATUS(0x13)",
	} {
		if got := s.String(); got != want {
			t.Errorf("CommandStatus(%d) = %q, want %q", uint8(s), got, want)
		}
	}
}

// The command status (ACPI 6.5 Table 18.30) is defined once, here: no
// other package of the module spells out its names.
func TestCommandStatusDefinedOnce(t *testing.T) {
	root := ".."
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && path != root) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		if filepath.ToSlash(path) == "../acpi/erst.go" {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(b), `"RECORD_STORE_EMPTY"`) {
			t.Errorf("%s defines the command status names again; use acpi.CommandStatus", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
