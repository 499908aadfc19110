package cper

import (
	"encoding/base64"
	"fmt"
	"time"
)

// Redfish: a record as a BMC publishes CPER, a LogEntry of the DMTF
// Redfish schema LogEntry v1.15.0 (DSP8010 2023.2, "#LogEntry.v1_15_0"),
// the first version with DiagnosticData and the CPER object. Property
// names are the schema's.

// RedfishLogEntryType is the @odata.type of a [RedfishLogEntry].
const RedfishLogEntryType = "#LogEntry.v1_15_0.LogEntry"

// RedfishEntriesPath is the collection [RedfishLogEntry] puts its
// @odata.id under: where a BMC publishing this store's records would list
// them. The schema requires an @odata.id; a service rewrites it.
const RedfishEntriesPath = "/redfish/v1/Systems/system/LogServices/ERST/Entries/"

// RedfishLogEntry is one record as a Redfish LogEntry: DiagnosticDataType
// "CPER" and the whole record, base64, in DiagnosticData, which decodes
// back to the record byte for byte.
type RedfishLogEntry struct {
	ODataType          string      `json:"@odata.type"`
	ODataID            string      `json:"@odata.id"`
	ID                 string      `json:"Id"`
	Name               string      `json:"Name"`
	EntryType          string      `json:"EntryType"` // "Event"
	Severity           string      `json:"Severity"`  // "OK", "Warning" or "Critical"
	Created            string      `json:"Created,omitempty"`
	Message            string      `json:"Message"`
	DiagnosticDataType string      `json:"DiagnosticDataType"` // "CPER": a whole record
	DiagnosticData     string      `json:"DiagnosticData"`
	CPER               RedfishCPER `json:"CPER"`
}

// RedfishCPER is the LogEntry's CPER object: the record's notification
// type and the type of its primary section (the first section flagged
// Primary, else the first), as GUIDs.
type RedfishCPER struct {
	NotificationType string `json:"NotificationType"`
	SectionType      string `json:"SectionType,omitempty"`
}

// RedfishSeverity maps a CPER severity to the schema's EventSeverity:
// Fatal is Critical, Recoverable and Corrected are Warning (an error did
// happen), Informational is OK. Values the spec does not define are
// Warning.
func RedfishSeverity(s Severity) string {
	switch s {
	case SeverityFatal:
		return "Critical"
	case SeverityInformational:
		return "OK"
	}
	return "Warning"
}

// NewRedfishLogEntry returns r as a LogEntry; raw is the record's bytes as
// read (DiagnosticData carries exactly them).
func NewRedfishLogEntry(r *Record, raw []byte) RedfishLogEntry {
	id := fmt.Sprintf("%d", r.RecordID)
	e := RedfishLogEntry{
		ODataType:          RedfishLogEntryType,
		ODataID:            RedfishEntriesPath + id,
		ID:                 id,
		Name:               "CPER record " + hex64(r.RecordID),
		EntryType:          "Event",
		Severity:           RedfishSeverity(r.Severity),
		Message:            Summary(r),
		DiagnosticDataType: "CPER",
		DiagnosticData:     base64.StdEncoding.EncodeToString(raw),
		CPER:               RedfishCPER{NotificationType: GUID(r.Notification).String()},
	}
	if t, err := r.Time(); err == nil {
		e.Created = t.Format(time.RFC3339)
	}
	for i := range r.Sections {
		if r.Sections[i].Descriptor.Flags&SectionPrimary != 0 {
			e.CPER.SectionType = GUID(r.Sections[i].Descriptor.Type).String()
			break
		}
	}
	if e.CPER.SectionType == "" && len(r.Sections) > 0 {
		e.CPER.SectionType = GUID(r.Sections[0].Descriptor.Type).String()
	}
	return e
}
