package acpi

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/goerst/erst/acpi/acpitest"
)

// facp is the start of some other table, to surround ERST in a dump.
var facp = append([]byte("FACP\x14\x00\x00\x00\x06\x00"), make([]byte, 10)...)

func TestTableFromBytes(t *testing.T) {
	erstOnly := acpitest.Acpidump("ERST", 0xbf6b7000, fixture)
	several := bytes.Join([][]byte{
		[]byte("Some tool's banner\n\n"),
		acpitest.Acpidump("FACP", 0x1000, facp),
		acpitest.Acpidump("ERST", 0xbf6b7000, fixture),
		acpitest.Acpidump("SSDT", 0x2000, facp),
	}, nil)
	// acpidump may print more bytes than Length: the result is cut.
	padded := acpitest.Acpidump("ERST", 0xbf6b7000, append(bytes.Clone(fixture), 0xde, 0xad))

	for _, tc := range []struct {
		name string
		in   []byte
		want []byte
	}{
		{"binary", fixture, fixture},
		{"acpidump of ERST alone", erstOnly, fixture}, // starts with "ERST": not binary
		{"acpidump of several tables", several, fixture},
		{"acpidump with bytes past Length", padded, fixture},
	} {
		got, err := TableFromBytes(tc.in, SignatureERST)
		if err != nil || !bytes.Equal(got, tc.want) {
			t.Errorf("%s: TableFromBytes = % x, %v; want the fixture", tc.name, got, err)
		}
	}

	for _, tc := range []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrTruncated},
		{"another table", facp, ErrSignature},
		{"random bytes", []byte{0x7f, 'E', 'L', 'F', 2, 1, 1}, ErrSignature},
		{"text", []byte("hello, world\n"), ErrSignature},
		{"acpidump without ERST", acpitest.Acpidump("FACP", 0x1000, facp), ErrNotFound},
		{"acpidump ERST without bytes", []byte("ERST @ 0x0000000000001000\n\nFACP @ 0x0\n"), ErrBadAcpidump},
		{"acpidump with a gap", bytes.Replace(erstOnly, []byte("    0010:"), []byte("    0020:"), 1), ErrBadAcpidump},
		{"acpidump with garbage", []byte("ERST @ 0x0000000000001000\n    zz\n"), ErrBadAcpidump},
	} {
		_, err := TableFromBytes(tc.in, SignatureERST)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: TableFromBytes error %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestReadTableFile(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "erst.dat")
	txt := filepath.Join(dir, "acpidump.out")
	if err := os.WriteFile(bin, fixture, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(txt, acpitest.Acpidump("ERST", 0x1000, fixture), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{bin, txt} {
		got, err := ReadTableFile(p, SignatureERST)
		if err != nil || !bytes.Equal(got, fixture) {
			t.Errorf("ReadTableFile(%s) = % x, %v", p, got, err)
		}
	}
	if _, err := ReadTableFile(filepath.Join(dir, "missing"), SignatureERST); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ReadTableFile(missing) error %v, want ErrNotExist", err)
	}
}
