// Package cper decodes and encodes UEFI Common Platform Error Records
// (CPER, UEFI Specification Appendix N) and their Windows WHEA equivalent
// (WHEA_ERROR_RECORD, cper.h/ntddk.h), the records that ACPI ERST stores.
//
// The package has two layers, like acpi.
//
// The wire layer is the 128-byte record header (§N.2.1) and the 72-byte
// section descriptor (§N.2.2): Header, SectionDescriptor, DecodeHeader,
// DecodeSectionDescriptor and their AppendEncode methods. Fields are read at
// named offsets; every length is checked before it is used; reserved bytes
// are kept, so AppendEncode(Decode(b)) reproduces b exactly.
//
// On top sit Record (header plus sections with their bodies), Parse,
// Validate, Marshal, a Builder, NewPstoreRecord (the record Linux's pstore
// "erst" backend writes), Summary and a JSON view. Parse accepts exactly
// what Validate accepts, and for any such input Marshal(Parse(b)) == b.
//
// Records come from firmware, Windows, Linux and other operating systems
// sharing one ERST store, so the decoder is tolerant where real producers
// differ: it never rejects a record because of its revision (Linux writes
// 0x0100, edk2 0x0101, Windows 0x0210), severity, flags or reserved bytes, and
// it reads the timestamp either as UEFI BCD or, for records made by Linux
// pstore, as raw Unix seconds (Header.TimeEncoding).
//
// Errors from the decoders are *FormatError values carrying the byte offset
// of the offending field and wrapping one of the Err* sentinels: test them
// with errors.Is.
package cper
