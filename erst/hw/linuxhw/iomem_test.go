package linuxhw

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// guestIOMem is /proc/iomem of a q35 guest with an acpi-erst device at
// 00:02.0 (BAR0 registers, BAR1 exchange buffer), shortened.
const guestIOMem = `00000000-00000fff : Reserved
00001000-0009fbff : System RAM
000a0000-000bffff : PCI Bus 0000:00
000f0000-000fffff : Reserved
  000f0000-000fffff : System ROM
00100000-1ffdbfff : System RAM
  0a000000-0ae01fff : Kernel code
  0b000000-0b5fbfff : Kernel rodata
1ffdc000-1fffffff : Reserved
b0000000-bfffffff : PCI MMCONFIG 0000 [bus 00-ff]
c0000000-febfffff : PCI Bus 0000:00
  fd000000-fdffffff : 0000:00:01.0
  febd0000-febd1fff : 0000:00:02.0
  febd2000-febd2fff : 0000:00:01.0
  febd3000-febd300f : 0000:00:02.0
fed1c000-fed1ffff : Reserved
  fed1f410-fed1f414 : iTCO_wdt.0.auto
fee00000-fee00fff : Local APIC
`

func TestParseIOMem(t *testing.T) {
	m, err := ParseIOMem(strings.NewReader(guestIOMem))
	if err != nil {
		t.Fatal(err)
	}
	if len(m) != 18 {
		t.Fatalf("got %d resources, want 18", len(m))
	}
	for _, tc := range []struct {
		i    int
		want Resource
	}{
		{1, Resource{Start: 0x1000, End: 0x9fbff, Name: "System RAM", Depth: 0}},
		{6, Resource{Start: 0xa000000, End: 0xae01fff, Name: "Kernel code", Depth: 1}},
		{9, Resource{Start: 0xb0000000, End: 0xbfffffff, Name: "PCI MMCONFIG 0000 [bus 00-ff]", Depth: 0}},
		{14, Resource{Start: 0xfebd3000, End: 0xfebd300f, Name: "0000:00:02.0", Depth: 1}},
		{15, Resource{Start: 0xfed1c000, End: 0xfed1ffff, Name: "Reserved", Depth: 0}},
	} {
		if !reflect.DeepEqual(m[tc.i], tc.want) {
			t.Errorf("resource %d = %+v, want %+v", tc.i, m[tc.i], tc.want)
		}
	}
	if m.Redacted() {
		t.Error("Redacted() = true for a root's iomem")
	}
	if r, ok := m.Find(SystemRAM, 0x1ffdbfff, 0x1ffdc003); !ok || r.Start != 0x100000 {
		t.Errorf("Find(System RAM) over the end of RAM = %v, %v; want the RAM at 0x100000", r, ok)
	}
	if r, ok := m.Find(SystemRAM, 0x1ffdc000, 0x1ffdc003); ok {
		t.Errorf("Find(System RAM) just past RAM = %v, want none", r)
	}
}

func TestParseIOMemErrors(t *testing.T) {
	for _, text := range []string{
		"00000000-00000fff Reserved\n",   // no " : "
		"00000000 : Reserved\n",          // no end
		"0000zz00-00000fff : Reserved\n", // not hex
		"00002000-00000fff : Reserved\n", // end before start
	} {
		if _, err := ParseIOMem(strings.NewReader(text)); err == nil {
			t.Errorf("ParseIOMem(%q) succeeded, want an error", text)
		}
	}
}

// An unprivileged reader sees every address as zero: ReadIOMem says "not
// root" instead of returning a map in which nothing is RAM.
func TestReadIOMemUnprivileged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "iomem")
	text := "00000000-00000000 : Reserved\n00000000-00000000 : System RAM\n  00000000-00000000 : Kernel code\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadIOMem(path)
	if !errors.Is(err, ErrNotRoot) {
		t.Fatalf("ReadIOMem of a redacted iomem: %v, want ErrNotRoot", err)
	}
}

func TestParseResource(t *testing.T) {
	text := "0x00000000febd3000 0x00000000febd300f 0x0000000000040200\n" +
		"0x00000000febd0000 0x00000000febd1fff 0x0000000000040200\n" +
		"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
	got, err := parseResource(text)
	if err != nil {
		t.Fatal(err)
	}
	want := []resourceLine{
		{0xfebd3000, 0xfebd300f, 0x40200},
		{0xfebd0000, 0xfebd1fff, 0x40200},
		{0, 0, 0},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parseResource = %x, want %x", got, want)
	}
	if _, err := parseResource("0x1 0x2\n"); err == nil {
		t.Error("parseResource of a two-field line succeeded")
	}
}

func FuzzParseIOMem(f *testing.F) {
	f.Add(guestIOMem)
	f.Add("00000000-00000000 : System RAM\n")
	f.Fuzz(func(t *testing.T, text string) {
		m, err := ParseIOMem(strings.NewReader(text))
		if err != nil {
			return
		}
		for _, r := range m {
			if r.End < r.Start || r.Depth < 0 {
				t.Errorf("bad resource %+v", r)
			}
		}
	})
}
