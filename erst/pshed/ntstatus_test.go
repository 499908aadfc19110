package pshed_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst"
	"github.com/goerst/erst/erst/pshed"
)

// The values as written in Wine's include/ntstatus.h, so a typo in a
// constant cannot hide behind the same typo in a test table built from
// the constants.
func TestNTSTATUSValues(t *testing.T) {
	for _, tc := range []struct {
		got  pshed.NTSTATUS
		want uint32
		name string
	}{
		{pshed.StatusSuccess, 0x00000000, "STATUS_SUCCESS"},
		{pshed.StatusDeviceBusy, 0x80000011, "STATUS_DEVICE_BUSY"},
		{pshed.StatusUnsuccessful, 0xC0000001, "STATUS_UNSUCCESSFUL"},
		{pshed.StatusInvalidParameter, 0xC000000D, "STATUS_INVALID_PARAMETER"},
		{pshed.StatusInvalidDeviceRequest, 0xC0000010, "STATUS_INVALID_DEVICE_REQUEST"},
		{pshed.StatusNoMemory, 0xC0000017, "STATUS_NO_MEMORY"},
		{pshed.StatusBufferTooSmall, 0xC0000023, "STATUS_BUFFER_TOO_SMALL"},
		{pshed.StatusDiskFull, 0xC000007F, "STATUS_DISK_FULL"},
		{pshed.StatusDeviceNotReady, 0xC00000A3, "STATUS_DEVICE_NOT_READY"},
		{pshed.StatusIOTimeout, 0xC00000B5, "STATUS_IO_TIMEOUT"},
		{pshed.StatusNotSupported, 0xC00000BB, "STATUS_NOT_SUPPORTED"},
		{pshed.StatusNotFound, 0xC0000225, "STATUS_NOT_FOUND"},
		// The alias: STATUS_OBJECT_NOT_FOUND is STATUS_NOT_FOUND here.
		{pshed.StatusObjectNotFound, 0xC0000225, "STATUS_NOT_FOUND"},
	} {
		if uint32(tc.got) != tc.want {
			t.Errorf("%s = %#08x, want %#08x", tc.name, uint32(tc.got), tc.want)
		}
		if s := tc.got.String(); s != tc.name {
			t.Errorf("NTSTATUS(%#08x).String() = %q, want %q", tc.want, s, tc.name)
		}
	}
}

func TestNTSTATUSStringUnknown(t *testing.T) {
	for _, tc := range []struct {
		s    pshed.NTSTATUS
		want string
	}{
		{0xC0001234, "NTSTATUS(0xC0001234)"},
		{0x00000102, "NTSTATUS(0x00000102)"}, // STATUS_TIMEOUT, not named here
		{0xC000022D, "NTSTATUS(0xC000022D)"}, // STATUS_RETRY, not an alias of anything
	} {
		if got := tc.s.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
}

func TestNTSTATUSFields(t *testing.T) {
	for _, tc := range []struct {
		s                                    pshed.NTSTATUS
		sev                                  pshed.Severity
		facility, code                       uint16
		success, information, warning, error bool
	}{
		{pshed.StatusSuccess, pshed.SeveritySuccess, 0, 0, true, false, false, false},
		{0x00000102, pshed.SeveritySuccess, 0, 0x102, true, false, false, false},      // STATUS_TIMEOUT
		{0x40000000, pshed.SeverityInformational, 0, 0, true, true, false, false},     // STATUS_OBJECT_NAME_EXISTS
		{0x400A0004, pshed.SeverityInformational, 0x00A, 4, true, true, false, false}, // STATUS_CTX_CDM_CONNECT
		{pshed.StatusDeviceBusy, pshed.SeverityWarning, 0, 0x11, false, false, true, false},
		{pshed.StatusNotFound, pshed.SeverityError, 0, 0x225, false, false, false, true},
		{0xC0130001, pshed.SeverityError, 0x013, 1, false, false, false, true},
	} {
		name := tc.s.String()
		if got := tc.s.Severity(); got != tc.sev {
			t.Errorf("%s.Severity() = %v, want %v", name, got, tc.sev)
		}
		if got := tc.s.Facility(); got != tc.facility {
			t.Errorf("%s.Facility() = %#x, want %#x", name, got, tc.facility)
		}
		if got := tc.s.Code(); got != tc.code {
			t.Errorf("%s.Code() = %#x, want %#x", name, got, tc.code)
		}
		if got := tc.s.IsSuccess(); got != tc.success {
			t.Errorf("%s.IsSuccess() = %v, want %v", name, got, tc.success)
		}
		if got := tc.s.IsInformation(); got != tc.information {
			t.Errorf("%s.IsInformation() = %v, want %v", name, got, tc.information)
		}
		if got := tc.s.IsWarning(); got != tc.warning {
			t.Errorf("%s.IsWarning() = %v, want %v", name, got, tc.warning)
		}
		if got := tc.s.IsError(); got != tc.error {
			t.Errorf("%s.IsError() = %v, want %v", name, got, tc.error)
		}
	}
}

func TestSeverityString(t *testing.T) {
	for s, want := range map[pshed.Severity]string{
		pshed.SeveritySuccess:       "SUCCESS",
		pshed.SeverityInformational: "INFORMATIONAL",
		pshed.SeverityWarning:       "WARNING",
		pshed.SeverityError:         "ERROR",
		7:                           "Severity(0x07)",
	} {
		if got := s.String(); got != want {
			t.Errorf("Severity(%d).String() = %q, want %q", uint8(s), got, want)
		}
	}
}

// sentinels lists every NTSTATUS sentinel with the erst sentinel it
// unwraps to (nil for none).
var sentinels = []struct {
	status pshed.NTSTATUS
	err    error
	erst   error
}{
	{pshed.StatusUnsuccessful, pshed.ErrUnsuccessful, erst.ErrFailed},
	{pshed.StatusInvalidParameter, pshed.ErrInvalidParameter, erst.ErrBadRecord},
	{pshed.StatusInvalidDeviceRequest, pshed.ErrInvalidDeviceRequest, erst.ErrInvalidTable},
	{pshed.StatusNoMemory, pshed.ErrNoMemory, nil},
	{pshed.StatusBufferTooSmall, pshed.ErrBufferTooSmall, erst.ErrBufferTooSmall},
	{pshed.StatusDiskFull, pshed.ErrDiskFull, erst.ErrNotEnoughSpace},
	{pshed.StatusDeviceNotReady, pshed.ErrDeviceNotReady, erst.ErrHardwareNotAvailable},
	{pshed.StatusIOTimeout, pshed.ErrIOTimeout, erst.ErrTimeout},
	{pshed.StatusNotSupported, pshed.ErrNotSupported, erst.ErrMissingAction},
	{pshed.StatusObjectNotFound, pshed.ErrObjectNotFound, erst.ErrRecordNotFound},
	{pshed.StatusDeviceBusy, pshed.ErrDeviceBusy, erst.ErrBusy},
}

func TestErrOneToOne(t *testing.T) {
	seen := make(map[error]pshed.NTSTATUS)
	for _, tc := range sentinels {
		err := tc.status.Err()
		if err != tc.err {
			t.Errorf("%v.Err() = %v, want its sentinel %v", tc.status, err, tc.err)
		}
		if prev, dup := seen[err]; dup {
			t.Errorf("%v and %v share the sentinel %v", prev, tc.status, err)
		}
		seen[err] = tc.status
		if got := pshed.FromError(tc.err); got != tc.status {
			t.Errorf("FromError(%v) = %v, want %v", tc.err, got, tc.status)
		}
		wrapped := fmt.Errorf("driver: write: %w", tc.err)
		if got := pshed.FromError(wrapped); got != tc.status {
			t.Errorf("FromError(wrapped %v) = %v, want %v", tc.err, got, tc.status)
		}
		if !errors.Is(wrapped, tc.err) {
			t.Errorf("errors.Is(wrapped %v, itself) = false", tc.err)
		}
		if tc.erst != nil && !errors.Is(tc.err, tc.erst) {
			t.Errorf("errors.Is(%v, %v) = false, want true", tc.err, tc.erst)
		}
		if !strings.Contains(tc.err.Error(), tc.status.String()) {
			t.Errorf("%v.Error() = %q does not name %v", tc.status, tc.err.Error(), tc.status)
		}
		for _, other := range sentinels {
			if other.err != tc.err && errors.Is(tc.err, other.err) {
				t.Errorf("errors.Is(%v, %v) = true, want false", tc.err, other.err)
			}
		}
	}
}

func TestErrSuccessIsNil(t *testing.T) {
	for _, s := range []pshed.NTSTATUS{pshed.StatusSuccess, 0x00000102, 0x40000000} {
		if err := s.Err(); err != nil {
			t.Errorf("%v.Err() = %v, want nil (NT_SUCCESS)", s, err)
		}
	}
}

func TestErrUnknownStatus(t *testing.T) {
	const s pshed.NTSTATUS = 0xC0001234
	err := s.Err()
	if err == nil {
		t.Fatalf("%v.Err() = nil, want an error", s)
	}
	for _, tc := range sentinels {
		if errors.Is(err, tc.err) {
			t.Errorf("errors.Is(%v.Err(), %v) = true, want false", s, tc.err)
		}
	}
	if got := pshed.FromError(fmt.Errorf("remote: %w", err)); got != s {
		t.Errorf("FromError(%v.Err()) = %v, want the status back", s, got)
	}
	if !strings.Contains(err.Error(), "0xC0001234") {
		t.Errorf("Error() = %q, want the code in it", err.Error())
	}
	// A warning is not a success either.
	if pshed.NTSTATUS(0x80001234).Err() == nil {
		t.Errorf("warning status: Err() = nil, want an error")
	}
}

func TestFromErrorErstSentinels(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want pshed.NTSTATUS
	}{
		{nil, pshed.StatusSuccess},
		{erst.ErrNotEnoughSpace, pshed.StatusDiskFull},
		{erst.ErrHardwareNotAvailable, pshed.StatusDeviceNotReady},
		{erst.ErrFailed, pshed.StatusUnsuccessful},
		{erst.ErrStoreEmpty, pshed.StatusObjectNotFound},
		{erst.ErrRecordNotFound, pshed.StatusObjectNotFound},
		{erst.ErrReservedStatus, pshed.StatusUnsuccessful},
		{erst.ErrTimeout, pshed.StatusIOTimeout},
		{erst.ErrStepBudget, pshed.StatusIOTimeout},
		{erst.ErrMissingAction, pshed.StatusNotSupported},
		{erst.ErrInvalidTable, pshed.StatusInvalidDeviceRequest},
		{erst.ErrBadRecord, pshed.StatusInvalidParameter},
		{erst.ErrBufferTooSmall, pshed.StatusBufferTooSmall},
		{erst.ErrOutOfRange, pshed.StatusInvalidParameter},
		{erst.ErrBusy, pshed.StatusDeviceBusy},
		{erst.ErrInvalidID, pshed.StatusInvalidParameter},
		{errors.New("something else"), pshed.StatusUnsuccessful},
	} {
		if got := pshed.FromError(tc.err); got != tc.want {
			t.Errorf("FromError(%v) = %v, want %v", tc.err, got, tc.want)
		}
		if tc.err == nil {
			continue
		}
		wrapped := fmt.Errorf("erst: read 0x1: %w", tc.err)
		if got := pshed.FromError(wrapped); got != tc.want {
			t.Errorf("FromError(wrapped %v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

// Every erst command status survives erst → NTSTATUS → error as the
// same erst sentinel, except the two "not found" statuses, which PSHED
// does not tell apart.
func TestErstStatusRoundTrip(t *testing.T) {
	for st := acpi.StatusNotEnoughSpace; st <= acpi.StatusRecordNotFound; st++ {
		want := erst.StatusErr(st)
		if st == acpi.StatusRecordStoreEmpty {
			want = erst.ErrRecordNotFound
		}
		back := pshed.FromError(erst.StatusErr(st)).Err()
		if !errors.Is(back, want) {
			t.Errorf("erst %v → %v → %v, want it to match %v", st, pshed.FromError(erst.StatusErr(st)), back, want)
		}
	}
}
