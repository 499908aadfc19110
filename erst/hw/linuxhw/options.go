package linuxhw

// Default paths of the files the platform reads and maps.
const (
	DefaultIOMem      = "/proc/iomem"
	DefaultDevMem     = "/dev/mem"
	DefaultDevPort    = "/dev/port"
	DefaultPCIDevices = "/sys/bus/pci/devices"
)

// MaxMapSize bounds the error log range Map accepts. Real ranges are a few
// KiB to a few MiB (NVRAM mode maps the whole store); a size beyond this
// comes from a broken device or table.
const MaxMapSize = 256 << 20

// config is what the Options set. Tests point the paths at fakes: text
// standing in for /proc/iomem, a temporary file standing in for /dev/mem.
type config struct {
	iomem      string
	devMem     string
	devPort    string
	pciDevices string
}

func defaultConfig() config {
	return config{
		iomem:      DefaultIOMem,
		devMem:     DefaultDevMem,
		devPort:    DefaultDevPort,
		pciDevices: DefaultPCIDevices,
	}
}

// Option changes where Open looks for the system's files.
type Option func(*config)

// WithIOMem reads the physical memory map from path instead of /proc/iomem.
func WithIOMem(path string) Option { return func(c *config) { c.iomem = path } }

// WithDevMem maps physical memory outside PCI BARs from path instead of
// /dev/mem. The file offset is the physical address.
func WithDevMem(path string) Option { return func(c *config) { c.devMem = path } }

// WithDevPort does 8-bit SystemIO accesses on path instead of /dev/port.
// The file offset is the port number.
func WithDevPort(path string) Option { return func(c *config) { c.devPort = path } }

// WithPCIDevices looks for PCI devices (each a directory holding a
// "resource" file and resourceN files) in dir instead of
// /sys/bus/pci/devices. An empty dir disables the BAR lookup, so that all
// memory goes through /dev/mem.
func WithPCIDevices(dir string) Option { return func(c *config) { c.pciDevices = dir } }
