// Package pshed is the Windows PSHED plug-in error-record-persistence
// contract in Go, and an implementation of it over an ACPI ERST driver.
//
// On Windows, the Platform-Specific Hardware Error Driver (PSHED) persists
// error records across a restart either itself (over ACPI ERST on x86/x64)
// or through a plug-in that registers three callbacks. This package models
// those callbacks ([Persistence]), the registration that installs them
// ([PluginRegistrationPacket], [Register]), the NTSTATUS codes they return
// (NTSTATUS, with sentinel errors and a mapping from the erst driver's
// errors), and an [Adapter] that implements them over any [Store], such as the
// erst driver or the in-memory [MemStore].
//
// Microsoft documentation (learn.microsoft.com/windows-hardware/drivers/):
//   - ddi/ntddk/nc-ntddk-pshed_pi_write_error_record (PSHED_PI_WRITE_ERROR_RECORD)
//   - ddi/ntddk/nc-ntddk-pshed_pi_read_error_record (PSHED_PI_READ_ERROR_RECORD)
//   - ddi/ntddk/nc-ntddk-pshed_pi_clear_error_record (PSHED_PI_CLEAR_ERROR_RECORD)
//   - ddi/ntddk/ns-ntddk-_whea_pshed_plugin_registration_packet (WHEA_PSHED_PLUGIN_REGISTRATION_PACKET_V2)
//   - ddi/ntddk/ns-ntddk-_whea_pshed_plugin_callbacks (WHEA_PSHED_PLUGIN_CALLBACKS)
//   - ddi/ntddk/nf-ntddk-pshedregisterplugin (PshedRegisterPlugin)
//   - whea/participating-in-error-record-persistence (the sample plug-in)
//   - whea/error-record-persistence-mechanism
//
// The conformance suite for Persistence implementations is in
// package pshedtest.
package pshed

// WriteFlagDummy is WHEA_WRITE_FLAG_DUMMY (ntddk.h): the write is a dummy
// write and nothing may be written to the persistent store.
const WriteFlagDummy uint32 = 0x00000001

// Persistence is the error-record-persistence part of a PSHED plug-in:
// the WriteErrorRecord, ReadErrorRecord and ClearErrorRecord members of
// WHEA_PSHED_PLUGIN_CALLBACKS. The C PluginContext argument is the
// receiver. Records are whole WHEA_ERROR_RECORDs, that is, UEFI CPER
// records: a 128-byte header with the length at offset 20 and the record
// identifier at offset 96.
//
// Implementations return STATUS_SUCCESS or a status for which
// [NTSTATUS.IsSuccess] is false; the PSHED documents only the codes named
// below for each callback.
type Persistence interface {
	// WriteErrorRecord is PSHED_PI_WRITE_ERROR_RECORD:
	//
	//	NTSTATUS WriteErrorRecord(PVOID PluginContext, ULONG Flags,
	//	                          ULONG RecordLength, PWHEA_ERROR_RECORD ErrorRecord);
	//
	// RecordLength is len(record). With Flags&WriteFlagDummy nothing is
	// written and the result is STATUS_SUCCESS (Microsoft's sample
	// returns it unconditionally; the Adapter reports a dummy write that
	// finds the hardware failed). Otherwise the record is stored under
	// the identifier in its header, replacing a stored record with the
	// same identifier: the PSHED pages do not say, this is what QEMU's
	// acpi-erst device does. Documented results: STATUS_SUCCESS,
	// STATUS_UNSUCCESSFUL.
	WriteErrorRecord(flags uint32, record []byte) NTSTATUS

	// ReadErrorRecord is PSHED_PI_READ_ERROR_RECORD:
	//
	//	NTSTATUS ReadErrorRecord(PVOID PluginContext, ULONG Flags,
	//	                         ULONGLONG ErrorRecordId, PULONGLONG NextErrorRecordId,
	//	                         PULONG RecordLength, PWHEA_ERROR_RECORD ErrorRecord);
	//
	// The buffer size (*RecordLength on input) is len(buf); the output
	// *RecordLength and *NextErrorRecordId are the results length and
	// next. No flags are defined.
	//
	//   - id 0 reads the first stored record. Windows does not document
	//     the identifier its first call passes; 0 is the ERST convention
	//     (QEMU reads the first record for 0, and 0 is never a stored id).
	//   - No stored record with that id (~0 included): STATUS_NOT_FOUND,
	//     0xC0000225 (StatusObjectNotFound: the code Microsoft's page
	//     names by a constant no ntstatus.h defines; see there).
	//   - len(buf) smaller than the record: STATUS_BUFFER_TOO_SMALL,
	//     length = the record's size, buf untouched.
	//   - Success: STATUS_SUCCESS, the record in buf[:length].
	//   - next is the identifier of the stored record after the one read;
	//     when it is the last, next is the id of the record read (so
	//     next == that id ends an iteration; with id 0, compare with the
	//     identifier in the returned header). next is meaningful on
	//     success; the Adapter also sets it with STATUS_BUFFER_TOO_SMALL.
	//   - Any other failure: STATUS_UNSUCCESSFUL (or, from an Adapter
	//     WithDetailedStatus, a more specific failure status).
	ReadErrorRecord(flags uint32, id uint64, buf []byte) (next uint64, length uint32, status NTSTATUS)

	// ClearErrorRecord is PSHED_PI_CLEAR_ERROR_RECORD:
	//
	//	NTSTATUS ClearErrorRecord(PVOID PluginContext, ULONG Flags,
	//	                          ULONGLONG ErrorRecordId);
	//
	// It removes the record whose header identifier is id. No flags are
	// defined. Documented results: STATUS_SUCCESS, STATUS_UNSUCCESSFUL
	// (also for an id that is not stored).
	ClearErrorRecord(flags uint32, id uint64) NTSTATUS
}
