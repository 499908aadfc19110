#include "textflag.h"

// The I/O instructions for 16- and 32-bit port accesses; the caller has
// been granted the port with ioperm(2).

// func inw(port uint16) uint16
TEXT ·inw(SB), NOSPLIT, $0-10
	MOVW port+0(FP), DX
	BYTE $0x66; BYTE $0xED // INW DX, AX
	MOVW AX, ret+8(FP)
	RET

// func inl(port uint16) uint32
TEXT ·inl(SB), NOSPLIT, $0-12
	MOVW port+0(FP), DX
	BYTE $0xED // INL DX, EAX
	MOVL AX, ret+8(FP)
	RET

// func outw(port uint16, v uint16)
TEXT ·outw(SB), NOSPLIT, $0-4
	MOVW port+0(FP), DX
	MOVW v+2(FP), AX
	BYTE $0x66; BYTE $0xEF // OUTW AX, DX
	RET

// func outl(port uint16, v uint32)
TEXT ·outl(SB), NOSPLIT, $0-8
	MOVW port+0(FP), DX
	MOVL v+4(FP), AX
	BYTE $0xEF // OUTL EAX, DX
	RET
