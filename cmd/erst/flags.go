package main

import (
	"fmt"
	"strconv"
	"strings"
)

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
