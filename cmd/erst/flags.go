package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/goerst/erst/erst"
)

// parseID parses a record id in decimal or 0x-hex.
func parseID(s string) (uint64, error) {
	base := 10
	t := s
	if strings.HasPrefix(t, "0x") || strings.HasPrefix(t, "0X") {
		base, t = 16, t[2:]
	}
	n, err := strconv.ParseUint(t, base, 64)
	if errors.Is(err, strconv.ErrRange) {
		return 0, fmt.Errorf("bad record id %q: larger than 64 bits (the largest is 0xffffffffffffffff)", s)
	}
	if err != nil {
		return 0, fmt.Errorf("bad record id %q: want decimal or 0x-hex", s)
	}
	return n, nil
}

// reservedID refuses the ids no store keeps: 0 and ~0 (ACPI 6.5 §18.5.2.2;
// QEMU's acpi-erst refuses both).
func reservedID(id uint64) error {
	if id == 0 || id == erst.InvalidID {
		return usagef("record id %#x is reserved (0 and ~0 cannot be stored)", id)
	}
	return nil
}
