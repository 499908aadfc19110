package cper

import "encoding/binary"

// The header facts the persistence layers share. The driver, the store,
// the PSHED layer and the command look at a record's id and length, and
// at whether its header is one they may store, without decoding it; they
// ask these functions rather than reading offsets themselves. Each layer
// then checks only what it alone knows (the driver: the record fits the
// error log address range and its id is not 0 or ~0; the store: the
// record fits a slot).

// RecordID returns the RecordID field (§N.2.1, offset 96) of the header at
// the start of b, and false when b is too short to hold it.
func RecordID(b []byte) (uint64, bool) {
	if len(b) < OffRecordID+8 {
		return 0, false
	}
	return binary.LittleEndian.Uint64(b[OffRecordID:]), true
}

// RecordLength returns the RecordLength field (§N.2.1, offset 20) of the
// header at the start of b, and false when b is too short to hold it.
func RecordLength(b []byte) (uint32, bool) {
	if len(b) < OffRecordLength+4 {
		return 0, false
	}
	return binary.LittleEndian.Uint32(b[OffRecordLength:]), true
}

// RecordOK reports whether b is a record a persistence layer may store,
// as [CheckRecord] checks it. It is small enough to inline, so a caller's
// hot path makes no call for a good record.
func RecordOK(b []byte) bool {
	return len(b) >= HeaderSize && string(b[OffSignatureStart:OffSignatureStart+4]) == Signature &&
		uint64(binary.LittleEndian.Uint32(b[OffRecordLength:])) == uint64(len(b))
}

// CheckRecord checks what every persistence layer asks of a record
// before storing it: b holds a whole header ([ErrTruncated]), SignatureStart
// is "CPER" ([ErrSignatureStart]; Linux erst_write checks it) and
// RecordLength is len(b) ([ErrRecordTruncated] or [ErrTrailingBytes], both
// [ErrLengthMismatch]; Linux erst-dbg and the PSHED RecordLength argument).
// It checks no more: SignatureEnd, sections and the rest are the
// producer's business ([Validate] checks them).
func CheckRecord(b []byte) error {
	if len(b) < HeaderSize {
		return formatErr(ErrTruncated, len(b), "%d bytes, shorter than the %d-byte CPER header", len(b), HeaderSize)
	}
	if s := b[OffSignatureStart : OffSignatureStart+4]; string(s) != Signature {
		return formatErr(ErrSignatureStart, OffSignatureStart, "signature %q, want %q", s, Signature)
	}
	switch rl := binary.LittleEndian.Uint32(b[OffRecordLength:]); {
	case uint64(rl) > uint64(len(b)):
		return formatErr(ErrRecordTruncated, OffRecordLength, "the record length field says %d bytes, the record has %d", rl, len(b))
	case uint64(rl) < uint64(len(b)):
		return formatErr(ErrTrailingBytes, OffRecordLength, "the record length field says %d bytes, the record has %d", rl, len(b))
	}
	return nil
}

// CheckHeader checks the header at the start of b as [Validate] and [Trim]
// do, without looking at the rest: b holds a whole header ([ErrTruncated]),
// both signatures ([ErrSignatureStart], [ErrSignatureEnd]) and a RecordLength
// of at least the header ([ErrRecordTooShort]). Use it on a header read
// ahead of its record's body.
func CheckHeader(b []byte) error { return checkHeader(b) }
