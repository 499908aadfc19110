package erst

import (
	"errors"

	"github.com/goerst/erst/acpi"
)

// Sentinel errors. The first six map one-to-one to command statuses
// ([StatusErr], [StatusOf]); the rest are the driver's own. Errors returned by
// this package wrap them: test with errors.Is.
var (
	ErrNotEnoughSpace       = errors.New("not enough space in the record store")       // status 1
	ErrHardwareNotAvailable = errors.New("hardware not available")                     // status 2
	ErrFailed               = errors.New("operation failed")                           // status 3
	ErrStoreEmpty           = errors.New("record store empty")                         // status 4
	ErrRecordNotFound       = errors.New("record not found")                           // status 5
	ErrReservedStatus       = errors.New("reserved command status")                    // status >= 6
	ErrTimeout              = errors.New("firmware did not respond in time")           // busy poll or STALL_WHILE_TRUE ran out
	ErrStepBudget           = errors.New("instruction step budget exhausted")          // a GOTO cycle
	ErrMissingAction        = errors.New("action not implemented by the table")        // a mandatory action has no entries
	ErrInvalidTable         = errors.New("invalid ERST table")                         // table fails the Linux checks
	ErrInvalidGAS           = errors.New("invalid register (GAS)")                     // fails apei_check_gar
	ErrBadRecord            = errors.New("invalid error record")                       // not CPER, wrong length
	ErrBufferTooSmall       = errors.New("buffer too small for the record")            // read into a short buffer
	ErrOutOfRange           = errors.New("access outside the error log address range") // MOVE_DATA or offset
	ErrBusy                 = errors.New("another ERST operation is in progress")
	ErrInvalidID            = errors.New("invalid record identifier")                   // 0 or ~0 where an id is required
	ErrTooManyRecords       = errors.New("more record ids than the enumeration allows") // WithMaxRecords
)

// StatusErr returns the sentinel for a command status (ACPI 6.5 Table
// 18.30); nil for success.
func StatusErr(s acpi.CommandStatus) error {
	switch s {
	case acpi.StatusSuccess:
		return nil
	case acpi.StatusNotEnoughSpace:
		return ErrNotEnoughSpace
	case acpi.StatusHardwareNotAvailable:
		return ErrHardwareNotAvailable
	case acpi.StatusFailed:
		return ErrFailed
	case acpi.StatusRecordStoreEmpty:
		return ErrStoreEmpty
	case acpi.StatusRecordNotFound:
		return ErrRecordNotFound
	}
	return ErrReservedStatus
}

// StatusOf returns the command status an error stands for, and false when
// err is not one of the six status sentinels.
func StatusOf(err error) (acpi.CommandStatus, bool) {
	switch {
	case err == nil:
		return acpi.StatusSuccess, true
	case errors.Is(err, ErrNotEnoughSpace):
		return acpi.StatusNotEnoughSpace, true
	case errors.Is(err, ErrHardwareNotAvailable):
		return acpi.StatusHardwareNotAvailable, true
	case errors.Is(err, ErrFailed):
		return acpi.StatusFailed, true
	case errors.Is(err, ErrStoreEmpty):
		return acpi.StatusRecordStoreEmpty, true
	case errors.Is(err, ErrRecordNotFound):
		return acpi.StatusRecordNotFound, true
	}
	return 0, false
}

// InvalidID is the record identifier that means "none" or "end of
// iteration" (Linux APEI_ERST_INVALID_RECORD_ID; QEMU ERST_UNSPECIFIED_RECORD_ID
// is 0, meaning "the first record" on read).
const InvalidID = ^uint64(0)
