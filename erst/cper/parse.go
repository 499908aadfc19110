package cper

import (
	"fmt"
	"strconv"
	"strings"
)

// lookupName finds s (case-insensitive) among the names of m, or parses
// it as a GUID.
func lookupName[K ~[16]byte](m map[K]string, what, s string) (K, error) {
	for k, n := range m {
		if strings.EqualFold(n, s) {
			return k, nil
		}
	}
	g, err := ParseGUID(s)
	if err != nil {
		names := make([]string, 0, len(m))
		for _, n := range m {
			names = append(names, n)
		}
		return K{}, fmt.Errorf("unknown %s %q: want a GUID or one of %s", what, s, strings.Join(sortStrings(names), ", "))
	}
	return K(g), nil
}

func sortStrings(s []string) []string {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && strings.ToLower(s[j]) < strings.ToLower(s[j-1]); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s
}

// ParseNotificationType accepts a short name ("MCE", any case) or a GUID.
func ParseNotificationType(s string) (NotificationType, error) {
	return lookupName(notificationNames, "notification type", s)
}

// ParseCreatorID accepts a short name ("LinuxPstore", any case) or a GUID.
func ParseCreatorID(s string) (CreatorID, error) {
	return lookupName(creatorNames, "creator", s)
}

// ParseSectionType accepts a short name ("DMESG", any case) or a GUID.
func ParseSectionType(s string) (SectionType, error) {
	return lookupName(sectionNames, "section type", s)
}

// ParseSeverity accepts a severity name (any case; "info" and "fatal"
// style short forms too) or a number.
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(s) {
	case "recoverable", "uncorrected":
		return SeverityRecoverable, nil
	case "fatal":
		return SeverityFatal, nil
	case "corrected":
		return SeverityCorrected, nil
	case "informational", "info":
		return SeverityInformational, nil
	}
	n, err := strconv.ParseUint(s, 0, 32)
	if err != nil {
		return 0, fmt.Errorf("unknown severity %q: want fatal, recoverable, corrected, informational or a number", s)
	}
	return Severity(n), nil
}
