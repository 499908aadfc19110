// Package livecheck is the ERST check of the bootable image (make image):
// on a real machine, boot 1 reads and lints the live table, runs the
// conformance checks and writes a few seeded records; the platform is
// reset; boot 2 verifies those records and clears them, and writes the
// report. The notes that carry the run across the reset, and the report,
// live in the \erst directory of a FAT file system (the image's EFI
// system partition, the "stick").
//
// Run is the whole check for one boot, given the stick's directory and
// the machine (Env); images/erstlive is the init program that finds the
// stick, calls Run and resets or powers off. The check touches no record
// in the store but those it writes: conform uses only pshedtest's
// reserved identifiers, the seeded records are torture records of a seed
// derived from the boot.
package livecheck

import (
	"time"

	"github.com/goerst/erst/acpi/lint"
)

// SchemaVersion is Report.Schema; it changes when a field changes
// meaning or goes away.
const SchemaVersion = 1

// Verdicts: Report.Verdict.
const (
	// VerdictPass: the table has no lint errors, every conform check
	// passed or was skipped with a reason, every seeded record read back
	// intact after the reset and was cleared, and the store holds
	// exactly the records it held before the check.
	VerdictPass = "pass"
	// VerdictFail: the check ran and something failed; Failed says what.
	VerdictFail = "fail"
	// VerdictNoERST: the firmware publishes no ERST table.
	VerdictNoERST = "no-erst"
	// VerdictTableRefused: the table could not be decoded, or lint found
	// errors (what Linux's erst_check_table or the spec refuses); the
	// device was not used.
	VerdictTableRefused = "table-refused"
	// VerdictDeviceRefused: the table is fine but the device could not
	// be opened (its registers or error log range are not reachable, or
	// the range query failed).
	VerdictDeviceRefused = "device-refused"
	// VerdictReportOnly: the report-only switch was given; the table and
	// the device's range were read, nothing was written to the store.
	VerdictReportOnly = "report-only"
	// VerdictIncomplete: boot 1 is done and the platform is being reset;
	// boot 2 replaces this report. A report that stays incomplete means
	// boot 2 never ran (the machine did not boot the stick again).
	VerdictIncomplete = "incomplete"
)

// Report is \erst\report.json: everything one run of the check found.
// Times are UTC as the machine's clock had them.
type Report struct {
	// Schema is SchemaVersion.
	Schema int `json:"schema"`
	// Verdict is one of the Verdict constants.
	Verdict string `json:"verdict"`
	// Failed names what failed: conform checks ("conform/NAME"), lint
	// errors ("lint/CODE"), "persistence", "store-unchanged", or a step
	// that could not run ("boot1", "boot2"). Empty unless the verdict is
	// fail, table-refused or device-refused.
	Failed []string `json:"failed"`
	// ReportOnly is true when the report-only switch was given.
	ReportOnly bool `json:"report_only"`
	// Machine is where the check ran.
	Machine Machine `json:"machine"`
	// Boot1 and Boot2 are when each boot's check started and ended; Boot2
	// is null until boot 2 ran.
	Boot1 *Span `json:"boot1"`
	Boot2 *Span `json:"boot2"`
	// Table is the ERST table; null when there is none or it could not
	// be decoded (Errors says why).
	Table *Table `json:"table"`
	// Lint are the table's findings (package acpi/lint), [] for none.
	Lint []lint.Finding `json:"lint"`
	// Device is what the device said about its error log range; null
	// when it was not opened.
	Device *Device `json:"device"`
	// Conform is the conformance run (package erst/conform); null when it
	// did not run.
	Conform *Conform `json:"conform"`
	// Persistence is the seeded records' journey across the reset; null
	// when they were not written.
	Persistence *Persistence `json:"persistence"`
	// Store counts the records in the store around the check.
	Store Store `json:"store"`
	// Errors are steps that could not be done, one line each.
	Errors []string `json:"errors"`

	notes *Notes // boot 1's notes for boot 2, when it wrote records
}

// Machine identifies the machine and its firmware, from
// /sys/class/dmi/id, and the kernel the check ran under.
type Machine struct {
	Vendor          string `json:"vendor"`           // sys_vendor
	Product         string `json:"product"`          // product_name
	BoardVendor     string `json:"board_vendor"`     // board_vendor
	BoardName       string `json:"board_name"`       // board_name
	FirmwareVendor  string `json:"firmware_vendor"`  // bios_vendor
	FirmwareVersion string `json:"firmware_version"` // bios_version
	FirmwareDate    string `json:"firmware_date"`    // bios_date
	Kernel          string `json:"kernel"`           // uname -r
	Cmdline         string `json:"cmdline"`          // /proc/cmdline
}

// Span is when a boot's check started and ended.
type Span struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Table is the ERST table's header and its size.
type Table struct {
	OEMID       string `json:"oem_id"`
	OEMTableID  string `json:"oem_table_id"`
	OEMRevision uint32 `json:"oem_revision"`
	CreatorID   string `json:"creator_id"`
	Revision    uint8  `json:"revision"`
	Length      uint32 `json:"length"`
	Entries     int    `json:"entries"` // serialization instruction entries
	// Disassembly is the table as erst table prints it.
	Disassembly string `json:"disassembly"`
}

// Device is the error log address range as the device reports it (ACPI
// 6.5 §18.5.2.1), as erst info shows it, and the records it held.
type Device struct {
	RangeBase   string `json:"range_base"` // 0x...
	RangeLength uint64 `json:"range_length"`
	Attributes  string `json:"attributes"` // 0x...
	NVRAM       bool   `json:"nvram"`
	// Timings is GET_EXECUTE_OPERATION_TIMINGS as 0x..., "" when the
	// table has no such action.
	Timings string `json:"timings"`
	// RecordCount is GET_RECORD_COUNT before the check.
	RecordCount uint64 `json:"record_count"`
}

// Conform is a conformance run: one entry per check, in order.
type Conform struct {
	RecordLength int     `json:"record_length"` // the longest record the checks wrote
	Room         int     `json:"room"`          // records of record_length the store had room for; 0 unknown
	Foreign      int     `json:"foreign_records"`
	Passed       bool    `json:"passed"`
	Checks       []Check `json:"checks"`
}

// Check is one conform check.
type Check struct {
	Name   string `json:"name"`
	Result string `json:"result"` // pass, fail, skip
	Reason string `json:"reason"`
}

// Persistence is the seeded records written in boot 1 and checked in
// boot 2.
type Persistence struct {
	// Seed derives the records (package erst/torture), as 0x...; erst
	// verify -seed SEED on the same store checks them too.
	Seed string `json:"seed"`
	// IDs are the records written, as 0x... strings.
	IDs []string `json:"ids"`
	// Sizes are their lengths in bytes, in the order of IDs.
	Sizes []int `json:"sizes"`
	// Result is pass (every record intact after the reset and cleared),
	// fail, or pending (boot 2 has not run).
	Result string `json:"result"`
	// Intact, Missing and Damaged count the records as boot 2 found them.
	Intact  int `json:"intact"`
	Missing int `json:"missing"`
	Damaged int `json:"damaged"`
	// Faults describe each missing or damaged record.
	Faults []string `json:"faults"`
	// Cleared counts the seeded records boot 2 cleared.
	Cleared int `json:"cleared"`
}

// Store counts the records in the store.
type Store struct {
	// Before is how many records the store held when boot 1 started.
	Before int `json:"before"`
	// After is how many it held when the check ended; -1 before boot 2.
	After int `json:"after"`
	// Unchanged is true when the store ended holding exactly the records
	// (identifiers) it held before the check.
	Unchanged bool `json:"unchanged"`
}
