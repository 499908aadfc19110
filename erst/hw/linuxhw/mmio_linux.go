//go:build linux

package linuxhw

import (
	"sync/atomic"
	"unsafe"
)

// One load or store per register access, of exactly the register's width.
//
// Loads of 32 and 64 bits use sync/atomic, which the compiler may neither
// split, merge nor drop. There are no 8- and 16-bit atomics, and an atomic
// store is a locked XCHG on x86, a read-modify-write the device would see
// as an extra read. So the other accesses are plain loads and stores
// through an unsafe.Pointer, each in a function the compiler may not
// inline: a call is opaque, so two writes of the same register in a row
// stay two writes and a read is never reused. Each body compiles to a
// single MOV of its width on amd64 (check with
// `go build -gcflags=-S ./erst/hw/linuxhw`), as u-root's pkg/memio does.

//go:noinline
func load8(p unsafe.Pointer) uint8 { return *(*uint8)(p) }

//go:noinline
func load16(p unsafe.Pointer) uint16 { return *(*uint16)(p) }

func load32(p unsafe.Pointer) uint32 { return atomic.LoadUint32((*uint32)(p)) }

func load64(p unsafe.Pointer) uint64 { return atomic.LoadUint64((*uint64)(p)) }

//go:noinline
func store8(p unsafe.Pointer, v uint8) { *(*uint8)(p) = v }

//go:noinline
func store16(p unsafe.Pointer, v uint16) { *(*uint16)(p) = v }

//go:noinline
func store32(p unsafe.Pointer, v uint32) { *(*uint32)(p) = v }

//go:noinline
func store64(p unsafe.Pointer, v uint64) { *(*uint64)(p) = v }
