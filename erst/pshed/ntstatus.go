package pshed

import (
	"errors"

	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/internal/enum"
)

// NTSTATUS is a Windows status code, as returned by the PSHED plug-in
// callbacks (PSHED_PI_WRITE_ERROR_RECORD, PSHED_PI_READ_ERROR_RECORD,
// PSHED_PI_CLEAR_ERROR_RECORD) and by PshedRegisterPlugin.
//
// Layout (MS-ERREF §2.3): bits 31-30 severity, bit 29 customer, bit 28
// reserved, bits 27-16 facility, bits 15-0 code. NT_SUCCESS is "the value,
// read as a signed 32-bit integer, is not negative", so warnings
// (severity 2) are not successes either.
type NTSTATUS uint32

// The status codes this package uses. Every value was checked against
// Wine's include/ntstatus.h (wine-mirror/wine); STATUS_NOT_FOUND also
// against a copy of the WDK's ntstatus.h that keeps Microsoft's message
// texts (toddsharpe/MetalOS, MetalOS.Kernel.kdcom/ntstatus.h).
const (
	StatusSuccess              NTSTATUS = 0x00000000 // STATUS_SUCCESS
	StatusDeviceBusy           NTSTATUS = 0x80000011 // STATUS_DEVICE_BUSY (a warning, not an error)
	StatusUnsuccessful         NTSTATUS = 0xC0000001 // STATUS_UNSUCCESSFUL
	StatusInvalidParameter     NTSTATUS = 0xC000000D // STATUS_INVALID_PARAMETER
	StatusInvalidDeviceRequest NTSTATUS = 0xC0000010 // STATUS_INVALID_DEVICE_REQUEST
	StatusNoMemory             NTSTATUS = 0xC0000017 // STATUS_NO_MEMORY
	StatusBufferTooSmall       NTSTATUS = 0xC0000023 // STATUS_BUFFER_TOO_SMALL
	StatusDiskFull             NTSTATUS = 0xC000007F // STATUS_DISK_FULL
	StatusDeviceNotReady       NTSTATUS = 0xC00000A3 // STATUS_DEVICE_NOT_READY
	StatusIOTimeout            NTSTATUS = 0xC00000B5 // STATUS_IO_TIMEOUT
	StatusNotSupported         NTSTATUS = 0xC00000BB // STATUS_NOT_SUPPORTED
	StatusNotFound             NTSTATUS = 0xC0000225 // STATUS_NOT_FOUND

	// StatusObjectNotFound is the status PSHED_PI_READ_ERROR_RECORD
	// documents for "no stored record has that identifier". Wine's
	// ntstatus.h has no STATUS_OBJECT_NOT_FOUND, nor does any ntstatus.h
	// copy in the public code we searched, and the code that defines it
	// for itself disagrees: 0xC0000034 (which is
	// STATUS_OBJECT_NAME_NOT_FOUND), 0xC000022D (which is STATUS_RETRY,
	// so "not found" would read as "try again") and 0xC0000225. We alias
	// STATUS_NOT_FOUND, 0xC0000225, because Microsoft's ntstatus.h gives
	// it the message "The object was not found.", it is an error-severity
	// code that NT_SUCCESS rejects, and it means nothing else. It prints
	// as STATUS_NOT_FOUND.
	StatusObjectNotFound = StatusNotFound
)

// Note: STATUS_TIMEOUT (0x00000102) is a success code (a wait timed out);
// firmware that does not answer is StatusIOTimeout.

var statusNames = map[NTSTATUS]string{
	StatusSuccess:              "STATUS_SUCCESS",
	StatusDeviceBusy:           "STATUS_DEVICE_BUSY",
	StatusUnsuccessful:         "STATUS_UNSUCCESSFUL",
	StatusInvalidParameter:     "STATUS_INVALID_PARAMETER",
	StatusInvalidDeviceRequest: "STATUS_INVALID_DEVICE_REQUEST",
	StatusNoMemory:             "STATUS_NO_MEMORY",
	StatusBufferTooSmall:       "STATUS_BUFFER_TOO_SMALL",
	StatusDiskFull:             "STATUS_DISK_FULL",
	StatusDeviceNotReady:       "STATUS_DEVICE_NOT_READY",
	StatusIOTimeout:            "STATUS_IO_TIMEOUT",
	StatusNotSupported:         "STATUS_NOT_SUPPORTED",
	StatusNotFound:             "STATUS_NOT_FOUND",
}

// String returns the ntstatus.h name of s, or "NTSTATUS(0xC0001234)" for a
// code this package does not name.
func (s NTSTATUS) String() string {
	if n, ok := statusNames[s]; ok {
		return n
	}
	return enum.UnknownWide("NTSTATUS", s, 8)
}

// Severity is the top two bits of an NTSTATUS.
type Severity uint8

// Severities (ntstatus.h STATUS_SEVERITY_*).
const (
	SeveritySuccess       Severity = 0
	SeverityInformational Severity = 1
	SeverityWarning       Severity = 2
	SeverityError         Severity = 3
)

var severityNames = []string{"SUCCESS", "INFORMATIONAL", "WARNING", "ERROR"}

// String returns "SUCCESS", "INFORMATIONAL", "WARNING" or "ERROR".
func (v Severity) String() string { return enum.Name(severityNames, v, "Severity") }

// Severity returns bits 31-30 of s.
func (s NTSTATUS) Severity() Severity { return Severity(s >> 30) }

// Facility returns bits 27-16 of s.
func (s NTSTATUS) Facility() uint16 { return uint16(s>>16) & 0x0FFF }

// Code returns bits 15-0 of s.
func (s NTSTATUS) Code() uint16 { return uint16(s) }

// IsSuccess reports NT_SUCCESS(s): severity success or informational.
func (s NTSTATUS) IsSuccess() bool { return int32(s) >= 0 }

// IsInformation reports NT_INFORMATION(s).
func (s NTSTATUS) IsInformation() bool { return s.Severity() == SeverityInformational }

// IsWarning reports NT_WARNING(s).
func (s NTSTATUS) IsWarning() bool { return s.Severity() == SeverityWarning }

// IsError reports NT_ERROR(s).
func (s NTSTATUS) IsError() bool { return s.Severity() == SeverityError }

// statusError is the error for one NTSTATUS. It unwraps to the erst
// sentinel the status stands for, if any, so that errors.Is(err,
// erst.ErrNotEnoughSpace) holds for ErrDiskFull.
type statusError struct {
	status NTSTATUS
	msg    string
	erst   error
}

func (e *statusError) Error() string {
	if e.msg == "" {
		return "pshed: " + e.status.String()
	}
	return "pshed: " + e.msg + " (" + e.status.String() + ")"
}

func (e *statusError) Unwrap() error { return e.erst }

// Sentinel errors, one per NTSTATUS code above ([NTSTATUS.Err]). Each
// unwraps to the erst sentinel its code stands for (the last field of
// its literal; none for [ErrNoMemory]), so errors.Is works against both
// packages: errors.Is([ErrDiskFull], [erst.ErrNotEnoughSpace]) holds.
var (
	ErrUnsuccessful         error = &statusError{StatusUnsuccessful, "operation failed", erst.ErrFailed}
	ErrInvalidParameter     error = &statusError{StatusInvalidParameter, "invalid parameter", erst.ErrBadRecord}
	ErrInvalidDeviceRequest error = &statusError{StatusInvalidDeviceRequest, "request not valid for the device", erst.ErrInvalidTable}
	ErrNoMemory             error = &statusError{StatusNoMemory, "out of memory", nil}
	ErrBufferTooSmall       error = &statusError{StatusBufferTooSmall, "buffer too small", erst.ErrBufferTooSmall}
	ErrDiskFull             error = &statusError{StatusDiskFull, "persistent store full", erst.ErrNotEnoughSpace}
	ErrDeviceNotReady       error = &statusError{StatusDeviceNotReady, "device not ready", erst.ErrHardwareNotAvailable}
	ErrIOTimeout            error = &statusError{StatusIOTimeout, "device timed out", erst.ErrTimeout}
	ErrNotSupported         error = &statusError{StatusNotSupported, "not supported", erst.ErrMissingAction}
	ErrObjectNotFound       error = &statusError{StatusObjectNotFound, "error record not found", erst.ErrRecordNotFound}
	ErrDeviceBusy           error = &statusError{StatusDeviceBusy, "device busy", erst.ErrBusy}
)

var statusErrs = map[NTSTATUS]error{
	StatusUnsuccessful:         ErrUnsuccessful,
	StatusInvalidParameter:     ErrInvalidParameter,
	StatusInvalidDeviceRequest: ErrInvalidDeviceRequest,
	StatusNoMemory:             ErrNoMemory,
	StatusBufferTooSmall:       ErrBufferTooSmall,
	StatusDiskFull:             ErrDiskFull,
	StatusDeviceNotReady:       ErrDeviceNotReady,
	StatusIOTimeout:            ErrIOTimeout,
	StatusNotSupported:         ErrNotSupported,
	StatusObjectNotFound:       ErrObjectNotFound,
	StatusDeviceBusy:           ErrDeviceBusy,
}

// Err returns nil when s.IsSuccess(), the sentinel for a code this
// package names, and otherwise an error that carries s ([FromError] gives
// it back) but matches no sentinel.
func (s NTSTATUS) Err() error {
	if s.IsSuccess() {
		return nil
	}
	if err, ok := statusErrs[s]; ok {
		return err
	}
	return &statusError{status: s}
}

// erstStatus maps the erst driver's sentinels to NTSTATUS, in the order
// FromError tests them.
var erstStatus = []struct {
	err    error
	status NTSTATUS
}{
	{erst.ErrNotEnoughSpace, StatusDiskFull},
	{erst.ErrHardwareNotAvailable, StatusDeviceNotReady},
	{erst.ErrFailed, StatusUnsuccessful},
	{erst.ErrStoreEmpty, StatusObjectNotFound}, // no record matches any id
	{erst.ErrRecordNotFound, StatusObjectNotFound},
	{erst.ErrReservedStatus, StatusUnsuccessful}, // firmware answered outside the spec
	{erst.ErrTimeout, StatusIOTimeout},
	{erst.ErrStepBudget, StatusIOTimeout}, // the action never finished
	{erst.ErrMissingAction, StatusNotSupported},
	{erst.ErrInvalidTable, StatusInvalidDeviceRequest},
	{erst.ErrBadRecord, StatusInvalidParameter},
	{erst.ErrOutOfRange, StatusInvalidParameter}, // record longer than the range
	{erst.ErrInvalidID, StatusInvalidParameter},
	{erst.ErrBufferTooSmall, StatusBufferTooSmall},
	{erst.ErrBusy, StatusDeviceBusy},
}

// FromError returns the NTSTATUS for err: StatusSuccess for nil; the
// status carried by an error from [NTSTATUS.Err] (wrapped or not); the
// status of the first erst sentinel err wraps (ErrNotEnoughSpace →
// STATUS_DISK_FULL, ErrStoreEmpty and ErrRecordNotFound →
// STATUS_NOT_FOUND, ErrTimeout → STATUS_IO_TIMEOUT, ...); and
// [StatusUnsuccessful] for anything else.
func FromError(err error) NTSTATUS {
	if err == nil {
		return StatusSuccess
	}
	if se, ok := errors.AsType[*statusError](err); ok {
		return se.status
	}
	for _, m := range erstStatus {
		if errors.Is(err, m.err) {
			return m.status
		}
	}
	return StatusUnsuccessful
}
