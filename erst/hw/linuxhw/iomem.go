package linuxhw

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Resource is one line of /proc/iomem: a physical address range and the
// name of what claims it. Ranges nest: a child (Depth+1, listed after its
// parent) lies inside its parent.
type Resource struct {
	Start, End uint64 // inclusive, as /proc/iomem prints them
	Name       string // "System RAM", "Reserved", "0000:00:02.0", "APEI ERST", ...
	Depth      int    // nesting level: 0 at the top, 1 for two spaces of indent, ...
}

// Overlaps reports whether r shares a byte with [start, end] (inclusive).
func (r Resource) Overlaps(start, end uint64) bool { return r.Start <= end && start <= r.End }

func (r Resource) String() string {
	return fmt.Sprintf("%08x-%08x : %s", r.Start, r.End, r.Name)
}

// Names of /proc/iomem resources the platform looks for.
const (
	// SystemRAM is memory the kernel manages: never a register or an
	// error log range.
	SystemRAM = "System RAM"
	// APEIERST is what the kernel's ERST driver calls the regions it
	// claims (request_mem_region in drivers/acpi/apei).
	APEIERST = "APEI ERST"
)

// IOMem is a parsed /proc/iomem, in file order.
type IOMem []Resource

// maxIOMemSize bounds how much of /proc/iomem is read. A large server's is
// tens of KiB.
const maxIOMemSize = 4 << 20

// ParseIOMem parses the text of /proc/iomem:
//
//	00100000-3ffdffff : System RAM
//	  01000000-01e01fff : Kernel code
//
// Each level of nesting is indented by two more spaces.
func ParseIOMem(r io.Reader) (IOMem, error) {
	sc := bufio.NewScanner(io.LimitReader(r, maxIOMemSize))
	var m IOMem
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			continue
		}
		body := strings.TrimLeft(line, " ")
		indent := len(line) - len(body)
		rng, name, ok := strings.Cut(body, " : ")
		if !ok {
			return nil, fmt.Errorf("iomem line %d: %q: want \"start-end : name\"", n, line)
		}
		lo, hi, ok := strings.Cut(rng, "-")
		if !ok {
			return nil, fmt.Errorf("iomem line %d: %q: want \"start-end : name\"", n, line)
		}
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil || end < start {
			return nil, fmt.Errorf("iomem line %d: %q: bad address range", n, line)
		}
		m = append(m, Resource{Start: start, End: end, Name: name, Depth: indent / 2})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("iomem line %d: %w", n+1, err)
	}
	return m, nil
}

// ReadIOMem reads and parses the iomem file at path (normally /proc/iomem).
// When the file shows no addresses (Linux prints zeros to readers without
// CAP_SYS_ADMIN), it fails with ErrNotRoot.
func ReadIOMem(path string) (IOMem, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := ParseIOMem(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if m.Redacted() {
		return nil, fmt.Errorf("%s shows no addresses: %w", path, ErrNotRoot)
	}
	return m, nil
}

// Redacted reports whether every range is 0-0, as /proc/iomem shows it to
// an unprivileged reader.
func (m IOMem) Redacted() bool {
	for _, r := range m {
		if r.Start != 0 || r.End != 0 {
			return false
		}
	}
	return len(m) > 0
}

// Find returns the first resource named name that overlaps [start, end]
// (inclusive), at any depth.
func (m IOMem) Find(name string, start, end uint64) (Resource, bool) {
	for _, r := range m {
		if r.Name == name && r.Overlaps(start, end) {
			return r, true
		}
	}
	return Resource{}, false
}
