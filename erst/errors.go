package erst

import (
	"errors"
	"fmt"
)

// Status is the value GET_COMMAND_STATUS returns (ACPI 6.5 §18.5.2.2,
// Table 18.30; Linux ERST_STATUS_*; QEMU STATUS_*).
type Status uint8

// Command status codes.
const (
	StatusSuccess              Status = 0
	StatusNotEnoughSpace       Status = 1
	StatusHardwareNotAvailable Status = 2
	StatusFailed               Status = 3
	StatusRecordStoreEmpty     Status = 4
	StatusRecordNotFound       Status = 5
)

var statusNames = [...]string{
	"SUCCESS",
	"NOT_ENOUGH_SPACE",
	"HARDWARE_NOT_AVAILABLE",
	"FAILED",
	"RECORD_STORE_EMPTY",
	"RECORD_NOT_FOUND",
}

// String returns the spec name of s, or "RESERVED_STATUS(n)".
func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("RESERVED_STATUS(%d)", uint8(s))
}

// Sentinel errors. The first six map one-to-one to command statuses
// (Status.Err, StatusOf); the rest are the driver's own. Errors returned by
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
	ErrNVRAMUnsupported     = errors.New("NVRAM mode not supported by this operation")
	ErrBusy                 = errors.New("another ERST operation is in progress")
	ErrInvalidID            = errors.New("invalid record identifier")                   // 0 or ~0 where an id is required
	ErrTooManyRecords       = errors.New("more record ids than the enumeration allows") // Config.MaxRecords
)

// Err returns the sentinel for a command status; nil for success.
func (s Status) Err() error {
	switch s {
	case StatusSuccess:
		return nil
	case StatusNotEnoughSpace:
		return ErrNotEnoughSpace
	case StatusHardwareNotAvailable:
		return ErrHardwareNotAvailable
	case StatusFailed:
		return ErrFailed
	case StatusRecordStoreEmpty:
		return ErrStoreEmpty
	case StatusRecordNotFound:
		return ErrRecordNotFound
	}
	return ErrReservedStatus
}

// StatusOf returns the command status an error stands for, and false when
// err is not one of the six status sentinels.
func StatusOf(err error) (Status, bool) {
	switch {
	case err == nil:
		return StatusSuccess, true
	case errors.Is(err, ErrNotEnoughSpace):
		return StatusNotEnoughSpace, true
	case errors.Is(err, ErrHardwareNotAvailable):
		return StatusHardwareNotAvailable, true
	case errors.Is(err, ErrFailed):
		return StatusFailed, true
	case errors.Is(err, ErrStoreEmpty):
		return StatusRecordStoreEmpty, true
	case errors.Is(err, ErrRecordNotFound):
		return StatusRecordNotFound, true
	}
	return 0, false
}

// InvalidID is the record identifier that means "none" or "end of
// iteration" (Linux APEI_ERST_INVALID_RECORD_ID; QEMU ERST_UNSPECIFIED_RECORD_ID
// is 0, meaning "the first record" on read).
const InvalidID = ^uint64(0)
