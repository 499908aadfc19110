// Package size parses byte counts for command-line flags: a number
// (decimal or 0x-hex) with an optional binary K, M or G suffix ("64K",
// "1MiB", "0x10000").
package size

import (
	"fmt"
	"strconv"
	"strings"
)

// Max is the largest size Parse accepts (1 TiB): far above any ERST store,
// low enough that no product overflows.
const Max = 1 << 40

// Parse parses v.
func Parse(v string) (uint64, error) {
	t := strings.ToUpper(strings.TrimSpace(v))
	t = strings.TrimSuffix(strings.TrimSuffix(t, "B"), "I")
	mult := uint64(1)
	switch {
	case strings.HasSuffix(t, "K"):
		mult, t = 1<<10, t[:len(t)-1]
	case strings.HasSuffix(t, "M"):
		mult, t = 1<<20, t[:len(t)-1]
	case strings.HasSuffix(t, "G"):
		mult, t = 1<<30, t[:len(t)-1]
	}
	n, err := strconv.ParseUint(t, 0, 64)
	if err != nil || n > Max/mult {
		return 0, fmt.Errorf("bad size %q: want a number of bytes up to 1 TiB with an optional K, M or G suffix", v)
	}
	return n * mult, nil
}

// Flag is a flag.Value holding a size.
type Flag uint64

// String implements flag.Value.
func (f *Flag) String() string { return strconv.FormatUint(uint64(*f), 10) }

// Set implements flag.Value.
func (f *Flag) Set(v string) error {
	n, err := Parse(v)
	if err != nil {
		return err
	}
	*f = Flag(n)
	return nil
}
