// Package enum names the values of the wire formats' enumerations (ACPI
// actions, instructions and command statuses, NTSTATUS codes, ...) the
// same way everywhere: a defined value prints as its specification name,
// any other as its kind and value in hex, "RESERVED_ACTION(0x13)", so that
// an unexpected value from firmware is still visible in a message (at
// least two hex digits, as iasl prints them).
package enum

import "fmt"

// Unsigned is the underlying type of an enumeration.
type Unsigned interface {
	~uint8 | ~uint16 | ~uint32 | ~uint64
}

// Name returns names[v], or Unknown(unknown, v) when v is past the end of
// names or its name is "" (a reserved code inside the range).
func Name[T Unsigned](names []string, v T, unknown string) string {
	if uint64(v) < uint64(len(names)) && names[v] != "" {
		return names[v]
	}
	return Unknown(unknown, v)
}

// NameMap is Name for a sparse enumeration.
func NameMap[T Unsigned](names map[T]string, v T, unknown string) string {
	if n, ok := names[v]; ok {
		return n
	}
	return Unknown(unknown, v)
}

// Unknown formats a value without a name: "unknown(0x0c)", "unknown(0x113)".
func Unknown[T Unsigned](unknown string, v T) string {
	return fmt.Sprintf("%s(%#02x)", unknown, uint64(v))
}

// UnknownWide is Unknown with the value in upper-case hex padded to
// digits, as Windows prints an NTSTATUS: "NTSTATUS(0xC0001234)".
func UnknownWide[T Unsigned](unknown string, v T, digits int) string {
	return fmt.Sprintf("%s(0x%0*X)", unknown, digits, uint64(v))
}
