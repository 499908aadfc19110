package linuxhw

import "errors"

// Errors from Open and Map besides the hw sentinels (hw.ErrRefused,
// hw.ErrUnmapped, hw.ErrWidth, hw.ErrSpace). Test them with errors.Is.
var (
	// ErrNotRoot: the process may not read physical addresses in
	// /proc/iomem or open /dev/mem, /dev/port or the PCI resource files.
	ErrNotRoot = errors.New("not root: ERST register access needs root (CAP_SYS_RAWIO)")
	// ErrKernelDriver: the Linux kernel's ERST driver holds the device, so
	// user space may not map its registers. Booting with erst_disable
	// leaves the device alone.
	ErrKernelDriver = errors.New("the Linux kernel's ERST driver holds the device (boot with erst_disable)")
	// ErrClosed: the platform was closed.
	ErrClosed = errors.New("platform closed")
)
