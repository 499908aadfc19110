package pshedtest_test

import (
	"fmt"

	"github.com/goerst/erst/erst/pshed"
	"github.com/goerst/erst/erst/pshed/pshedtest"
)

// Run gives each check's verdict without a testing.T, as a command run
// on a platform needs; under go test, TestPersistence runs the same
// checks as subtests.
func ExampleRun() {
	for _, c := range pshedtest.Checks()[:3] {
		r := pshedtest.Run(c, pshedtest.Target{
			Persistence:   pshed.NewAdapter(pshed.NewMemStore(7, 8192)),
			RangeLength:   8192,
			Capacity:      7,
			CapacityKnown: true,
		})
		fmt.Println(r.Name, r.Outcome)
	}
	// A store that forgets what it was given fails, with the reason.
	lossy := pshedtest.Target{Persistence: forgetful{}, RangeLength: 8192}
	r := pshedtest.Run(pshedtest.Checks()[1], lossy)
	fmt.Println(r.Name, r.Outcome, "-", r.Reason())
	// Output:
	// Empty pass
	// RoundTrip pass
	// Sizes pass
	// RoundTrip fail - ReadErrorRecord(0x7073686564000001) = STATUS_NOT_FOUND, want STATUS_SUCCESS (expected record 0x7073686564000001 (1024 bytes))
}

// forgetful accepts every write and never has a record.
type forgetful struct{}

func (forgetful) WriteErrorRecord(uint32, []byte) pshed.NTSTATUS { return pshed.StatusSuccess }
func (forgetful) ReadErrorRecord(uint32, uint64, []byte) (uint64, uint32, pshed.NTSTATUS) {
	return 0, 0, pshed.StatusObjectNotFound
}
func (forgetful) ClearErrorRecord(uint32, uint64) pshed.NTSTATUS { return pshed.StatusUnsuccessful }
