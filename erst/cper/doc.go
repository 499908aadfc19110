// Package cper decodes and encodes UEFI Common Platform Error Records
// (CPER, UEFI Specification Appendix N) and their Windows WHEA equivalent
// (WHEA_ERROR_RECORD, cper.h/ntddk.h), the records that ACPI ERST stores.
//
// The package has two layers, like acpi.
//
// The wire layer is the 128-byte record header (§N.2.1) and the 72-byte
// section descriptor (§N.2.2): Header, [SectionDescriptor], [DecodeHeader],
// [DecodeSectionDescriptor] and their AppendEncode methods. Fields are read at
// named offsets; every length is checked before it is used; reserved bytes
// are kept, so AppendEncode(Decode(b)) reproduces b exactly.
//
// On top sit [Record] (header plus sections with their bodies), [Parse],
// [Validate], Marshal, a [Builder], [NewPstoreRecord] (the record Linux's pstore
// "erst" backend writes), [Summary] and a JSON view. Parse accepts exactly
// what Validate accepts, and for any such input Marshal(Parse(b)) == b.
//
// Records come from firmware, Windows, Linux and other operating systems
// sharing one ERST store, so the decoder is tolerant where real producers
// differ: it never rejects a record because of its revision (Linux writes
// 0x0100, edk2 0x0101, Windows 0x0210), severity, flags or reserved bytes, and
// it reads the timestamp either as UEFI BCD or, for records made by Linux
// pstore, as raw Unix seconds ([Header.TimeEncoding]).
//
// Section bodies: DecodeSection decodes every standard section of UEFI
// 2.10 Appendix N (processor generic, IA32/X64 and ARM with their error
// information and context structures, platform memory 1 and 2, PCI Express
// with its capability and AER structures, PCI/PCI-X bus and component,
// firmware error record reference, DMAr generic, VT-d and IOMMU, CCIX PER,
// CXL protocol and component events) and Linux's MCE section (struct mce,
// by its size). Each structure is a table of fields (section_*.go): name,
// offset, size, bit range, validation bit and value names; the same
// table gives [WriteText]'s lines and the JSON. A field whose validation bit
// is clear is reported as not valid, a body shorter than its structure as
// [ErrSectionShort] with the fields that fit; other types stay opaque.
// DecodeDmesg reads Linux pstore's DMESG and DMESG_Z sections, inflating
// the latter (raw deflate, the kernel's default) and reading pstore's
// "Panic#1 Part1" header. WriteText prints a record for a person, as erst
// dump and erst decode do.
//
// Errors from the decoders are *[FormatError] values carrying the byte offset
// of the offending field and wrapping one of the Err* sentinels: test them
// with errors.Is.
package cper
