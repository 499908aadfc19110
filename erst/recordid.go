package erst

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ParseID parses a record id in decimal or 0x-hex (as the tools print
// ids). Its error says which of the two was wrong and wraps
// [strconv.ErrRange] (more than 64 bits) or [strconv.ErrSyntax]. It
// accepts the reserved ids: [CheckID] refuses those where an id is stored.
func ParseID(s string) (uint64, error) {
	base, t := 10, s
	if strings.HasPrefix(t, "0x") || strings.HasPrefix(t, "0X") {
		base, t = 16, t[2:]
	}
	n, err := strconv.ParseUint(t, base, 64)
	if errors.Is(err, strconv.ErrRange) {
		return 0, &idError{s, strconv.ErrRange}
	}
	if err != nil {
		return 0, &idError{s, strconv.ErrSyntax}
	}
	return n, nil
}

// idError is ParseID's error.
type idError struct {
	s   string
	err error // strconv.ErrRange or strconv.ErrSyntax
}

func (e *idError) Error() string {
	if e.err == strconv.ErrRange {
		return fmt.Sprintf("bad record id %q: larger than 64 bits (the largest is 0xffffffffffffffff)", e.s)
	}
	return fmt.Sprintf("bad record id %q: want decimal or 0x-hex", e.s)
}

func (e *idError) Unwrap() error { return e.err }

// CheckID refuses the ids no store keeps: 0 and ~0 ([InvalidID]; ACPI 6.5
// §18.5.2.2, and QEMU's acpi-erst refuses both). The error matches
// [ErrInvalidID] with errors.Is; its text names the id, not the sentinel.
func CheckID(id uint64) error {
	if id == 0 || id == InvalidID {
		return reservedIDError(id)
	}
	return nil
}

// reservedIDError is CheckID's error.
type reservedIDError uint64

func (e reservedIDError) Error() string {
	return fmt.Sprintf("record id %#x is reserved (0 and ~0 cannot be stored)", uint64(e))
}

func (e reservedIDError) Is(target error) bool { return target == ErrInvalidID }
