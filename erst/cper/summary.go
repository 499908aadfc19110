package cper

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Summary returns a one-line description of r for a record listing:
//
//	id=0x5f3a2b1c00000001 sev=Fatal notify=MCE creator=LinuxPstore sections=DMESG len=1234 time=2024-05-01T12:00:00Z
//
// Names come from the GUID tables (unknown GUIDs print in full); time is
// present only when the record has a valid, decodable timestamp.
func Summary(r *Record) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "id=%#016x sev=%v notify=%v creator=%v sections=", r.RecordID, r.Severity, r.Notification, r.Creator)
	if len(r.Sections) == 0 {
		sb.WriteString("none")
	}
	for i, s := range r.Sections {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(s.Descriptor.Type.String())
	}
	fmt.Fprintf(&sb, " len=%d", r.RecordLength)
	if t, err := r.Time(); err == nil {
		sb.WriteString(" time=" + t.Format(time.RFC3339))
	}
	return sb.String()
}

// RecordJSON is the JSON view of a [Record]: GUIDs as canonical strings with
// their names alongside, 64-bit values as "0x..." hex strings (JSON numbers
// lose precision past 2^53), enumerations and bit sets by name, section
// bodies as base64. It is for display and tooling; it is not a round-trip
// format.
type RecordJSON struct {
	RecordID         string          `json:"record_id"`
	Revision         string          `json:"revision"`
	Severity         string          `json:"severity"`
	ValidationBits   string          `json:"validation_bits"`
	Length           uint32          `json:"length"`
	Timestamp        TimestampJSON   `json:"timestamp"`
	PlatformID       string          `json:"platform_id"`
	PartitionID      string          `json:"partition_id"`
	Creator          string          `json:"creator"`
	CreatorName      string          `json:"creator_name,omitempty"`
	Notification     string          `json:"notification"`
	NotificationName string          `json:"notification_name,omitempty"`
	Flags            string          `json:"flags"`
	Persistence      PersistenceJSON `json:"persistence"`
	Reserved         string          `json:"reserved,omitempty"` // hex, only when non-zero
	Sections         []SectionJSON   `json:"sections"`
}

// TimestampJSON is the timestamp in [RecordJSON]: the raw field, the
// encoding [Header.TimeEncoding] chose, and the decoded time (RFC 3339) or
// why it did not decode.
type TimestampJSON struct {
	Raw      string `json:"raw"`
	Valid    bool   `json:"valid"` // the ValidTimestamp bit
	Encoding string `json:"encoding"`
	Precise  bool   `json:"precise,omitempty"` // BCD only
	Time     string `json:"time,omitempty"`
	Error    string `json:"error,omitempty"`
}

// PersistenceJSON is [PersistenceInfo] in [RecordJSON].
type PersistenceJSON struct {
	Raw        string `json:"raw"`
	Signature  string `json:"signature"` // "ER", or hex when something else
	Length     uint32 `json:"length"`
	Identifier uint16 `json:"identifier"`
	Attributes uint8  `json:"attributes"`
	DoNotLog   bool   `json:"do_not_log"`
}

// SectionJSON is one section in [RecordJSON].
type SectionJSON struct {
	Offset         uint32 `json:"offset"`
	Length         uint32 `json:"length"`
	Revision       string `json:"revision"`
	ValidationBits string `json:"validation_bits"`
	Flags          string `json:"flags"`
	Type           string `json:"type"`
	TypeName       string `json:"type_name"` // "unknown" for a GUID not in the tables
	FRUID          string `json:"fru_id"`
	FRUText        string `json:"fru_text,omitempty"`
	Severity       string `json:"severity"`
	Body           []byte `json:"body"` // base64, in full
	// Dmesg is a Linux pstore section (DMESG, DMESG_Z) read as text.
	Dmesg *DmesgJSON `json:"dmesg,omitempty"`
	// Decoded is a standard section decoded field by field: the JSON of
	// a SectionDecode, {"name", "fields", "error"}; absent for section
	// types DecodeSection does not know.
	Decoded json.RawMessage `json:"decoded,omitempty"`
}

// DmesgJSON is a [Dmesg] in [SectionJSON], or why the section did not decode.
type DmesgJSON struct {
	Compressed bool   `json:"compressed"`
	Reason     string `json:"reason,omitempty"`
	Count      int    `json:"count,omitempty"`
	Part       int    `json:"part,omitempty"`
	Text       string `json:"text,omitempty"`
	Error      string `json:"error,omitempty"`
}

func hex64(v uint64) string { return fmt.Sprintf("%#016x", v) }

// JSON returns the JSON view of r.
func (r *Record) JSON() RecordJSON {
	h := &r.Header
	v := RecordJSON{
		RecordID:       hex64(h.RecordID),
		Revision:       h.Revision.String(),
		Severity:       h.Severity.String(),
		ValidationBits: h.ValidationBits.String(),
		Length:         h.RecordLength,
		PlatformID:     h.PlatformID.String(),
		PartitionID:    h.PartitionID.String(),
		Creator:        GUID(h.Creator).String(),
		Notification:   GUID(h.Notification).String(),
		Flags:          h.Flags.String(),
		Sections:       make([]SectionJSON, len(r.Sections)),
	}
	if h.Creator.Known() {
		v.CreatorName = h.Creator.String()
	}
	if h.Notification.Known() {
		v.NotificationName = h.Notification.String()
	}
	if h.Reserved != [12]byte{} {
		v.Reserved = hex.EncodeToString(h.Reserved[:])
	}

	enc := h.TimeEncoding()
	v.Timestamp = TimestampJSON{
		Raw:      hex64(uint64(h.Timestamp)),
		Valid:    h.ValidationBits&ValidTimestamp != 0,
		Encoding: enc.String(),
		Precise:  enc == TimeBCD && h.Timestamp.Precise(),
	}
	if v.Timestamp.Valid {
		if t, err := h.Time(); err == nil {
			v.Timestamp.Time = t.Format(time.RFC3339)
		} else {
			v.Timestamp.Error = err.Error()
		}
	}

	pf := h.Persistence.Fields()
	v.Persistence = PersistenceJSON{
		Raw:        hex64(uint64(h.Persistence)),
		Signature:  fmt.Sprintf("%#04x", pf.Signature),
		Length:     pf.Length,
		Identifier: pf.Identifier,
		Attributes: pf.Attributes,
		DoNotLog:   pf.DoNotLog,
	}
	if h.Persistence.HasSignature() {
		v.Persistence.Signature = "ER"
	}

	for i := range r.Sections {
		d := &r.Sections[i].Descriptor
		s := SectionJSON{
			Offset:         d.Offset,
			Length:         d.Length,
			Revision:       d.Revision.String(),
			ValidationBits: d.ValidationBits.String(),
			Flags:          d.Flags.String(),
			Type:           GUID(d.Type).String(),
			FRUID:          d.FRUID.String(),
			FRUText:        d.FRU(),
			Severity:       d.Severity.String(),
			Body:           r.Sections[i].Body,
		}
		s.TypeName = "unknown"
		if d.Type.Known() {
			s.TypeName = d.Type.String()
		}
		if d.Type == SectionTypeDmesg || d.Type == SectionTypeDmesgZ {
			m, err := DecodeDmesg(&r.Sections[i])
			s.Dmesg = &DmesgJSON{Compressed: d.Type == SectionTypeDmesgZ, Reason: m.Reason, Count: m.Count, Part: m.Part, Text: string(m.Text)}
			if err != nil {
				s.Dmesg.Error = err.Error()
			}
		}
		if dec := DecodeSection(&r.Sections[i]); dec != nil {
			s.Decoded, _ = json.Marshal(dec) // Fields always encode
		}
		v.Sections[i] = s
	}
	return v
}

// MarshalJSON encodes the JSON view of r (see [RecordJSON]). It has a value
// receiver so that both [Record] and *Record encode the same way.
func (r Record) MarshalJSON() ([]byte, error) { return json.Marshal(r.JSON()) }
