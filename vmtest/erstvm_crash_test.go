//go:build vmtest

package vmtest

import (
	"strings"
	"testing"
)

// TestErstvmCrash runs erstvm -linux-erst -crash mce=...: the kernel dies
// of the machine check (exit status 0, its panic line on stdout), and
// erst -store on the host then decodes what Linux wrote into the store:
// the machine check as given (its address masked below MCi_MISC's least
// significant valid bit, 12 here) and the panic log holding the panic
// line. erst export then writes that log out whole (checkExport).
func TestErstvmCrash(t *testing.T) {
	t.Parallel()
	tl := newTools(t)
	dir := t.TempDir()
	r := tl.erstvm(dir, "-store", "erst.backing", "-store-size", "1M", "-linux-erst", "-crash", "mce=7:0xbe0000000000abcd:0x123456789:0x8c")
	const panicLine = "Kernel panic - not syncing: "
	out := string(r.stdout)
	if r.code != 0 || !strings.HasPrefix(out, panicLine) || !strings.Contains(out, "machine check") {
		t.Fatalf("exit %d, stdout %q; want 0 and the kernel's panic line for a machine check\n%s", r.code, out, r.stderr)
	}
	d := runCommand(t, tl.erst, dir, "-store", "erst.backing", "dump")
	if d.code != 0 {
		t.Fatalf("erst -store dump: exit %d\n%s", d.code, d.stderr)
	}
	dump := string(d.stdout)
	for _, want := range []string{
		"section 0: MCE", "Linux struct mce", "status: 0xbe0000000000abcd", "misc: 0x8c", "addr: 0x123456000", "bank: 7",
		"pstore dump: reason Panic", strings.TrimSpace(out),
	} {
		if !strings.Contains(dump, want) {
			t.Errorf("erst -store dump lacks %q:\n%s", want, dump)
		}
	}
	checkExport(t, tl, dir, "erst.backing", strings.TrimSpace(out))
}
