package main

import (
	"fmt"
	"strconv"
	"strings"
)

// sizeFlag is a byte count with an optional K, M or G (binary) suffix.
type sizeFlag uint64

func (s *sizeFlag) String() string { return strconv.FormatUint(uint64(*s), 10) }

func (s *sizeFlag) Set(v string) error {
	n, err := parseSize(v)
	if err != nil {
		return err
	}
	*s = sizeFlag(n)
	return nil
}

func parseSize(v string) (uint64, error) {
	mult := uint64(1)
	t := strings.ToUpper(strings.TrimSpace(v))
	t = strings.TrimSuffix(t, "IB")
	t = strings.TrimSuffix(t, "B")
	switch {
	case strings.HasSuffix(t, "K"):
		mult, t = 1<<10, t[:len(t)-1]
	case strings.HasSuffix(t, "M"):
		mult, t = 1<<20, t[:len(t)-1]
	case strings.HasSuffix(t, "G"):
		mult, t = 1<<30, t[:len(t)-1]
	}
	n, err := strconv.ParseUint(t, 0, 64)
	if err != nil || n > (1<<63)/mult {
		return 0, fmt.Errorf("bad size %q: want a number of bytes with an optional K, M or G suffix", v)
	}
	return n * mult, nil
}

// parseID parses a record id in decimal or 0x-hex.
func parseID(s string) (uint64, error) {
	base := 10
	t := s
	if strings.HasPrefix(t, "0x") || strings.HasPrefix(t, "0X") {
		base, t = 16, t[2:]
	}
	n, err := strconv.ParseUint(t, base, 64)
	if err != nil {
		return 0, fmt.Errorf("bad record id %q: want decimal or 0x-hex", s)
	}
	return n, nil
}
