package erst_test

import (
	"testing"

	"github.com/goerst/erst/acpi"
	"github.com/goerst/erst/erst"
)

// A trace line keeps its columns: erst -trace prints one per access.
func TestTraceEventString(t *testing.T) {
	for _, c := range []struct {
		ev   erst.TraceEvent
		want string
	}{
		{erst.TraceEvent{Action: acpi.ExecuteOperation, Index: 0, Entry: 19, Instruction: acpi.WriteRegisterValue, Write: true,
			Register: acpi.GAS{Space: acpi.SystemMemory, Address: 0xfebd7000}, Width: 32, Raw: 0xd},
			"EXECUTE_OPERATION                      [0] entry 19 WRITE_REGISTER_VALUE   write32 SystemMemory[0xfebd7000] = 0xd"},
		{erst.TraceEvent{Action: acpi.CheckBusyStatus, Index: 1, Entry: 3, Instruction: acpi.ReadRegister,
			Register: acpi.GAS{Space: acpi.SystemIO, Address: 0xb2}, Width: 8, Raw: 0},
			"CHECK_BUSY_STATUS                      [1] entry 3  READ_REGISTER          read 8  SystemIO[0xb2] = 0x0"},
	} {
		if got := c.ev.String(); got != c.want {
			t.Errorf("got  %q\nwant %q", got, c.want)
		}
	}
}
