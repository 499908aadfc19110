package hw

import (
	"encoding/binary"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/goerst/erst/acpi"
)

// FakeClock is a [Clock] whose time moves only when Sleep is called (or
// Advance). It makes timeouts deterministic in tests.
type FakeClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewFakeClock returns a [FakeClock] starting at a fixed instant.
func NewFakeClock() *FakeClock {
	return &FakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
}

// Now returns the fake time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Sleep advances the fake time by d without blocking.
func (c *FakeClock) Sleep(d time.Duration) { c.Advance(d) }

// Advance moves the fake time forward by d.
func (c *FakeClock) Advance(d time.Duration) {
	if d <= 0 {
		return
	}
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Memory is plain RAM at fixed physical addresses: a [Bus] and a [Platform]
// Map over byte regions. It backs interpreter tests that need registers
// without a device behind them. Reads and writes are little-endian, as on
// x86. It is safe for concurrent use.
type Memory struct {
	mu      sync.Mutex
	regions []region // sorted by base
}

type region struct {
	base uint64
	buf  []byte
}

// AddRegion makes [base, base+size) addressable, zero-filled, and returns
// its bytes.
func (m *Memory) AddRegion(base, size uint64) []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := region{base: base, buf: make([]byte, size)}
	m.regions = append(m.regions, r)
	sort.Slice(m.regions, func(i, j int) bool { return m.regions[i].base < m.regions[j].base })
	return r.buf
}

// slice returns the n bytes at addr, or ErrUnmapped.
func (m *Memory) slice(addr, n uint64) ([]byte, error) {
	for _, r := range m.regions {
		if addr >= r.base && addr-r.base < uint64(len(r.buf)) && n <= uint64(len(r.buf))-(addr-r.base) {
			off := addr - r.base
			return r.buf[off : off+n], nil
		}
	}
	return nil, fmt.Errorf("%d bytes at %#x: %w", n, addr, ErrUnmapped)
}

func (m *Memory) read(addr, n uint64) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, err := m.slice(addr, n)
	if err != nil {
		return 0, err
	}
	var w [8]byte
	copy(w[:], b)
	return binary.LittleEndian.Uint64(w[:]), nil
}

func (m *Memory) write(addr, n, v uint64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, err := m.slice(addr, n)
	if err != nil {
		return err
	}
	var w [8]byte
	binary.LittleEndian.PutUint64(w[:], v)
	copy(b, w[:n])
	return nil
}

// Read8 implements [Bus].
func (m *Memory) Read8(a uint64) (uint8, error) { v, err := m.read(a, 1); return uint8(v), err }

// Read16 implements [Bus].
func (m *Memory) Read16(a uint64) (uint16, error) { v, err := m.read(a, 2); return uint16(v), err }

// Read32 implements [Bus].
func (m *Memory) Read32(a uint64) (uint32, error) { v, err := m.read(a, 4); return uint32(v), err }

// Read64 implements [Bus].
func (m *Memory) Read64(a uint64) (uint64, error) { return m.read(a, 8) }

// Write8 implements [Bus].
func (m *Memory) Write8(a uint64, v uint8) error { return m.write(a, 1, uint64(v)) }

// Write16 implements [Bus].
func (m *Memory) Write16(a uint64, v uint16) error { return m.write(a, 2, uint64(v)) }

// Write32 implements [Bus].
func (m *Memory) Write32(a uint64, v uint32) error { return m.write(a, 4, uint64(v)) }

// Write64 implements [Bus].
func (m *Memory) Write64(a uint64, v uint64) error { return m.write(a, 8, v) }

// Map implements [Platform.Map]: the bytes of an existing region.
func (m *Memory) Map(base, size uint64) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.slice(base, size)
}

// FakePlatform is a [Platform] over two [Memory] buses.
type FakePlatform struct {
	Mem *Memory // SystemMemory; also what Map maps
	IO  *Memory // SystemIO
}

// NewFakePlatform returns a [FakePlatform] with empty memory and I/O spaces.
func NewFakePlatform() *FakePlatform {
	return &FakePlatform{Mem: new(Memory), IO: new(Memory)}
}

// Bus implements [Platform].
func (p *FakePlatform) Bus(s acpi.AddressSpace) (Bus, error) {
	switch s {
	case acpi.SystemMemory:
		return p.Mem, nil
	case acpi.SystemIO:
		return p.IO, nil
	}
	return nil, fmt.Errorf("%v: %w", s, ErrSpace)
}

// Map implements [Platform].
func (p *FakePlatform) Map(base, size uint64) ([]byte, error) { return p.Mem.Map(base, size) }
