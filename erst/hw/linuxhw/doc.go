// Package linuxhw reaches an ERST device's registers and its Error Log
// Address Range on a running Linux system: it implements hw.Platform over
// /dev/mem, the PCI sysfs resourceN files and /dev/port.
//
// The platform is built from the decoded ERST table (ACPI 6.5 §18.5) and
// touches nothing the table does not name: each register access must hit
// an address a serialization instruction names, with a width that entry
// allows, and Map accepts the one error log range the driver got from
// GET_ERROR_LOG_ADDRESS_RANGE (§18.5.2.1). Registers and the range are
// checked against /proc/iomem: anything in System RAM is refused with
// hw.ErrRefused, so a broken or hostile table cannot make the tool write
// over the kernel's memory.
//
// Memory mappings are made once and held: Open maps every register page,
// Map maps the range, and Close unmaps them. A register that lies in a PCI
// device's BAR (per /sys/bus/pci/devices/*/resource) is mapped through that
// BAR's resourceN file, anything else through /dev/mem. Every Bus method is
// exactly one load or store of its width.
//
// SystemIO registers: 8-bit accesses go through /dev/port (the kernel does
// one inb/outb for a one-byte pread/pwrite). /dev/port splits wider
// accesses into bytes, so 16- and 32-bit port accesses use the in/out
// instructions directly after ioperm(2) has opened exactly the ports the
// table names, on every thread of the process (amd64 only; elsewhere they
// fail with hw.ErrWidth). x86 has no 64-bit port accesses.
//
// Everything here needs root. When the Linux kernel's own ERST driver holds
// the device (it claims the registers as "APEI ERST" in /proc/iomem, and
// with CONFIG_IO_STRICT_DEVMEM user space may then not map them), Open
// fails with ErrKernelDriver: boot with erst_disable.
//
// On other operating systems Open returns an error wrapping
// acpi.ErrNotSupported.
package linuxhw
