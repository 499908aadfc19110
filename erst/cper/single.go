package cper

import (
	"errors"
	"fmt"
)

var (
	// ErrNoDefaultBody: a [Single] without a Body has a section type that
	// has no default body ([ZeroBody]).
	ErrNoDefaultBody = errors.New("cper: no default body for this section type")
	// ErrCompressType: a [Single] asks to compress a section other than
	// DMESG; only DMESG deflates into DMESG_Z.
	ErrCompressType = errors.New("cper: only a DMESG section compresses (into DMESG_Z)")
)

// Single describes a record of one primary section, the shape of what
// Linux's pstore writes and of `erst new`'s records. [Single.Builder]
// turns it into a [Builder].
type Single struct {
	ID           uint64   // ERST cannot store 0 or ^0; Builder does not check
	Severity     Severity // of the record and of its section
	Notification NotificationType
	// Creator; CreatorLinuxPstore also sets the header fields Linux's
	// erst_writer sets ([Builder.SetLinuxPstore]).
	Creator CreatorID
	Type    SectionType
	// Body is the section body. Nil means Type's [ZeroBody]: a structure
	// with no field valid, never text read as validation bits; a type
	// without one is [ErrNoDefaultBody].
	Body []byte
	// Compress deflates Body into a DMESG_Z section ([DeflateDmesg]), as
	// Linux's pstore does by default; Type must be DMESG
	// ([ErrCompressType]).
	Compress bool
}

// ParseNames sets Severity, Notification, Creator and Type from their
// names or GUIDs ([ParseSeverity], [ParseNotificationType],
// [ParseCreatorID], [ParseSectionType]), in that order, and returns the
// first one's error unchanged.
func (s *Single) ParseNames(severity, notification, creator, sectionType string) error {
	var err error
	if s.Severity, err = ParseSeverity(severity); err != nil {
		return err
	}
	if s.Notification, err = ParseNotificationType(notification); err != nil {
		return err
	}
	if s.Creator, err = ParseCreatorID(creator); err != nil {
		return err
	}
	s.Type, err = ParseSectionType(sectionType)
	return err
}

// Builder returns the builder of the record s describes, its
// PersistenceInfo carrying the "ER" signature Linux and Windows stamp.
// Errors: [ErrNoDefaultBody], [ErrCompressType].
func (s Single) Builder() (*Builder, error) {
	b := &Builder{RecordID: s.ID, Severity: s.Severity, Notification: s.Notification, Creator: s.Creator}
	if s.Creator == CreatorLinuxPstore {
		b.SetLinuxPstore()
	}
	t, body := s.Type, s.Body
	if body == nil {
		var ok bool
		if body, ok = ZeroBody(t); !ok {
			return nil, fmt.Errorf("section type %v: %w", t, ErrNoDefaultBody)
		}
	}
	if s.Compress {
		if t != SectionTypeDmesg {
			return nil, fmt.Errorf("section type %v: %w", t, ErrCompressType)
		}
		t, body = SectionTypeDmesgZ, DeflateDmesg(body)
	}
	b.Sections = []SectionSpec{{Type: t, Severity: s.Severity, Flags: SectionPrimary, Body: body}}
	b.Persistence = PersistenceInfo(PersistenceSignature)
	return b, nil
}

// Bytes returns the encoded record: [Single.Builder], then
// [Builder.Bytes]. Its errors are theirs.
func (s Single) Bytes() ([]byte, error) {
	b, err := s.Builder()
	if err != nil {
		return nil, err
	}
	return b.Bytes()
}
