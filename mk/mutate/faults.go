package main

// fault is one deliberate bug: Old, which must occur exactly once in
// File, becomes New, and go test -run Run Pkg must then fail.
type fault struct {
	Name     string
	File     string
	Old, New string
	Pkg, Run string
}

// faults are the faults a mutation audit found no test catching (issue
// 22), and those of later fixes, each with the tests that catch it now.
var faults = []fault{
	// conform: NothingLeft, the sweeps' findings and the final look.
	{
		Name: "conform/NothingLeft-ignores-sweeps",
		File: "erst/conform/conform.go",
		Old:  "\tfor _, f := range r.left {\n",
		New:  "\tfor _, f := range r.left[:0] {\n",
		Pkg:  "./erst/conform", Run: "TestBrokenDevices",
	},
	{
		Name: "conform/NothingLeft-loops-over-no-id",
		File: "erst/conform/conform.go",
		Old:  "\tfor _, id := range ids {\n\t\tif pshedtest.Reserved(id) {\n\t\t\tt.Errorf(\"record %#x, written by the run, is still in the store\", id)",
		New:  "\tfor _, id := range ids[:0] {\n\t\tif pshedtest.Reserved(id) {\n\t\t\tt.Errorf(\"record %#x, written by the run, is still in the store\", id)",
		Pkg:  "./erst/conform", Run: "TestBrokenDevices",
	},
	{
		Name: "conform/sweep-clear-failure-unnoted",
		File: "erst/conform/conform.go",
		Old:  "\t\t\tr.left = append(r.left, fmt.Sprintf(\"the sweep after %s could not clear record %#x: %v\", after, id, err))",
		New:  "\t\t\t_ = fmt.Sprintf(\"the sweep after %s could not clear record %#x: %v\", after, id, err)",
		Pkg:  "./erst/conform", Run: "TestBrokenDevices",
	},
	{
		Name: "conform/ForeignUntouched-no-byte-compare",
		File: "erst/conform/conform.go",
		Old:  "if got, err := r.d.Read(id); err != nil || !bytes.Equal(got, want) {\n\t\t\tt.Errorf(\"record %#x, in the store before the run, does not read back the same",
		New:  "if got, err := r.d.Read(id); err != nil || len(got) != len(want) {\n\t\t\tt.Errorf(\"record %#x, in the store before the run, does not read back the same",
		Pkg:  "./erst/conform", Run: "TestBrokenDevices",
	},
	{
		Name: "conform/Timings-ignores-median",
		File: "erst/conform/conform.go",
		Old:  "\tif median > max {\n",
		New:  "\tif median > max && false {\n",
		Pkg:  "./erst/conform", Run: "TestBrokenDevices",
	},
	{
		Name: "conform/Table-ignores-maximum-0",
		File: "erst/conform/conform.go",
		Old:  "\tif rg.HasTimings && rg.Timings.Max() == 0 {\n",
		New:  "\tif rg.HasTimings && rg.Timings.Max() == 0 && false {\n",
		Pkg:  "./erst/conform", Run: "TestBrokenDevices",
	},
	{
		Name: "conform/Overwrite-ignores-count",
		File: "erst/conform/conform.go",
		Old:  "err != nil || n2 != n1 {",
		New:  "err != nil || (n2 != n1 && false) {",
		Pkg:  "./erst/conform", Run: "TestBrokenDevices",
	},
	{
		Name: "conform/DummyWrite-ignores-count",
		File: "erst/conform/conform.go",
		Old:  "err != nil || n != before {\n\t\tt.Errorf(\"GET_RECORD_COUNT after a dummy write",
		New:  "err != nil || (n != before && false) {\n\t\tt.Errorf(\"GET_RECORD_COUNT after a dummy write",
		Pkg:  "./erst/conform", Run: "TestBrokenDevices",
	},
	{
		Name: "conform/PersistenceSignature-passes",
		File: "erst/conform/conform.go",
		Old:  "func (r *run) checkPersistenceSignature(t pshedtest.TB, _ pshedtest.Target) {\n",
		New:  "func (r *run) checkPersistenceSignature(t pshedtest.TB, _ pshedtest.Target) {\n\tif true {\n\t\treturn\n\t}\n",
		Pkg:  "./erst/conform", Run: "TestBrokenDevices",
	},
	// conform on a full store: zero is no room, not "unknown" (issue 23).
	{
		Name: "conform/full-store-is-unknown-room",
		File: "erst/conform/conform.go",
		Old:  "\tif o.FreeKnown && o.Free < pshedtest.Room {\n",
		New:  "\tif o.FreeKnown && o.Free > 0 && o.Free < pshedtest.Room {\n",
		Pkg:  "./erst/conform", Run: "TestCannotRun",
	},
	{
		Name: "cmd-erst/conform-full-store-is-unknown-room",
		File: "cmd/erst/conform.go",
		Old:  "o.Free, o.FreeKnown = d.Store.FreeSlots(), true",
		New:  "o.Free, o.FreeKnown = d.Store.FreeSlots(), d.Store.FreeSlots() > 0",
		Pkg:  "./cmd/erst", Run: "TestConformFullStoreRefuses",
	},
	{
		Name: "pshedtest/StoreFull-skips-known-0",
		File: "erst/pshed/pshedtest/pshedtest.go",
		Old:  "\tif !tg.CapacityKnown {\n\t\tt.Skipf(",
		New:  "\tif !tg.CapacityKnown || tg.Capacity == 0 {\n\t\tt.Skipf(",
		Pkg:  "./erst/pshed/pshedtest", Run: "TestRunReportsOutcomes",
	},
	// torture.
	{
		Name: "torture/Check-ignores-length",
		File: "erst/torture/record.go",
		Old:  "\tif len(rec) != len(want) {\n",
		New:  "\tif len(rec) != len(want) && false {\n",
		Pkg:  "./erst/torture", Run: "TestCheckFindsLengthAlone",
	},
	// guest pass markers.
	{
		Name: "guesttest/RecordPass-marks-skipped",
		File: "internal/guesttest/guesttest.go",
		Old:  "\t\tif t.Failed() || t.Skipped() {\n",
		New:  "\t\tif t.Failed() {\n",
		Pkg:  "./internal/guesttest", Run: "TestRecordPass",
	},
	// Replay.
	{
		Name: "erst/Replay-ignores-input",
		File: "erst/floor.go",
		Old:  "\tcopy(d.buf, in)\n",
		New:  "\t_ = in\n",
		Pkg:  "./erst", Run: "TestRecordReplay|TestReplayUsesItsRecords",
	},
	// The list of erst tests run on QEMU.
	{
		Name: "vmtest/liveTests-misses-forEachDevice",
		File: "vmtest/livetests_test.go",
		Old:  "each = each || f.Name == \"forEachDevice\"",
		New:  "each = each || f.Name == \"forEachDeviceX\"",
		Pkg:  "./vmtest", Run: "TestLiveTestsFromErstSources",
	},
	// CPER field layouts (issue 22 item 6).
	{
		Name: "cper/memory-rank-number-offset",
		File: "erst/cper/section_platform.go",
		Old:  "f(\"Rank Number\", 74, 2).v(15),",
		New:  "f(\"Rank Number\", 75, 2).v(15),",
		Pkg:  "./erst/cper", Run: ".",
	},
	{
		Name: "cper/memory-card-handle-validation-bit",
		File: "erst/cper/section_platform.go",
		Old:  "f(\"Card Handle\", 76, 2).v(16).hex(),",
		New:  "f(\"Card Handle\", 76, 2).v(17).hex(),",
		Pkg:  "./erst/cper", Run: ".",
	},
	{
		Name: "cper/mce-cpu-offset",
		File: "erst/cper/section_mce.go",
		Old:  "f(\"cpu\", 66, 1),",
		New:  "f(\"cpu\", 67, 1),",
		Pkg:  "./erst/cper", Run: ".",
	},
}
