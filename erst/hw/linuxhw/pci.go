package linuxhw

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// BAR is a memory Base Address Register of a PCI device as sysfs shows it:
// the range the device decodes and the resourceN file that maps it.
type BAR struct {
	Device     string // PCI address, "0000:00:02.0"
	Index      int    // BAR number, 0-5
	Start, End uint64 // inclusive physical range
	Path       string // .../0000:00:02.0/resource0
}

// Contains reports whether [start, end] (inclusive) lies inside b.
func (b BAR) Contains(start, end uint64) bool { return b.Start <= start && end <= b.End }

// Flag bits of a sysfs resource line (linux/ioport.h).
const (
	ioresourceMem = 0x200 // IORESOURCE_MEM
)

// numBARs is the number of Base Address Registers of a type 0 header; the
// sysfs resource file lists the ROM and bridge windows after them.
const numBARs = 6

// ReadBARs lists the memory BARs of every PCI device under dir (normally
// /sys/bus/pci/devices): each device directory's "resource" file has one
// "start end flags" line per resource, in hex. BARs without a resourceN
// file, unassigned BARs and I/O BARs are left out. A missing dir gives no
// BARs and no error.
func ReadBARs(dir string) ([]BAR, error) {
	if dir == "" {
		return nil, nil
	}
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var bars []BAR
	for _, e := range ents {
		devDir := filepath.Join(dir, e.Name())
		res, err := os.ReadFile(filepath.Join(devDir, "resource"))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		lines, err := parseResource(string(res))
		if err != nil {
			return nil, fmt.Errorf("%s/resource: %w", devDir, err)
		}
		for i, l := range lines {
			if i >= numBARs {
				break
			}
			if l.flags&ioresourceMem == 0 || l.end <= l.start {
				continue
			}
			path := filepath.Join(devDir, "resource"+strconv.Itoa(i))
			if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
				continue
			} else if err != nil {
				return nil, err
			}
			bars = append(bars, BAR{Device: e.Name(), Index: i, Start: l.start, End: l.end, Path: path})
		}
	}
	sort.Slice(bars, func(i, j int) bool { return bars[i].Start < bars[j].Start })
	return bars, nil
}

type resourceLine struct{ start, end, flags uint64 }

// parseResource parses a sysfs PCI resource file:
// "0x00000000febd7000 0x00000000febd700f 0x0000000000040200" per line.
func parseResource(s string) ([]resourceLine, error) {
	var out []resourceLine
	sc := bufio.NewScanner(strings.NewReader(s))
	for n := 1; sc.Scan(); n++ {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		if len(f) != 3 {
			return nil, fmt.Errorf("line %d: %q: want \"start end flags\"", n, sc.Text())
		}
		var v [3]uint64
		for i, s := range f {
			x, err := strconv.ParseUint(s, 0, 64)
			if err != nil {
				return nil, fmt.Errorf("line %d: %q: %v", n, sc.Text(), err)
			}
			v[i] = x
		}
		out = append(out, resourceLine{v[0], v[1], v[2]})
	}
	return out, sc.Err()
}
