// Package live opens the driver over a machine's real ERST registers the
// one way every erst program does: under the lock file that serialises
// erst processes (so that two cannot interleave their action sequences on
// the registers, as Linux's erst_lock keeps its own callers apart), then
// the table, the registers mapped through erst/hw/linuxhw (Linux only, as
// root), and [erst.Open].
package live

import (
	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/hw/linuxhw"
)

// LockPath is the lock file erst programs take before they touch the live
// registers.
const LockPath = "/run/erst.lock"

// Device is the driver over the live registers; Close releases the
// registers and then the lock.
type Device struct {
	*erst.Device
	Table *acpi.ERST // the table the driver runs
	plat  *linuxhw.Platform
	lock  *erst.FileLock
}

// Close unmaps the registers and releases the lock.
func (d *Device) Close() error {
	d.plat.Close()
	return d.lock.Close()
}

// Option is an optional knob of [Open].
type Option func(*config)

type config struct {
	lockPath string
	driver   []erst.Option
}

// WithLockPath takes the lock at path instead of [LockPath].
func WithLockPath(path string) Option { return func(c *config) { c.lockPath = path } }

// WithDriver passes options to [erst.Open] (trace, timeout); [Open] adds the
// lock.
func WithDriver(opts ...erst.Option) Option {
	return func(c *config) { c.driver = append(c.driver, opts...) }
}

// TableError is [Open]'s error when table fails; its message is Err's.
type TableError struct{ Err error }

func (e *TableError) Error() string { return e.Err.Error() }
func (e *TableError) Unwrap() error { return e.Err }

// Open takes the lock first (without it, no device), then the table from
// table (the live one, [acpi.ReadLiveTable], or a file's), maps the
// registers it names and opens the driver over them. Whatever Open took
// is released again when it fails.
func Open(table func() (*acpi.ERST, error), opts ...Option) (*Device, error) {
	c := config{lockPath: LockPath}
	for _, o := range opts {
		o(&c)
	}
	lock, err := erst.NewFileLock(c.lockPath)
	if err != nil {
		return nil, err
	}
	t, err := table()
	if err != nil {
		lock.Close()
		return nil, &TableError{err}
	}
	p, err := linuxhw.Open(t)
	if err != nil {
		lock.Close()
		return nil, err
	}
	d, err := erst.Open(t, p, append(c.driver, erst.WithLock(lock))...)
	if err != nil {
		p.Close()
		lock.Close()
		return nil, err
	}
	return &Device{Device: d, Table: t, plat: p, lock: lock}, nil
}
