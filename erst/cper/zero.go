package cper

// fixedSections are the section types whose body is one structure of a
// fixed size, with validation bits saying which fields hold data.
var fixedSections = map[SectionType]*layout{
	SectionTypeProcessorGeneric: procGeneric,     // §N.2.4.1
	SectionTypePlatformMemory:   platformMemory,  // §N.2.5
	SectionTypePlatformMemory2:  platformMemory2, // edk2
	SectionTypePCIe:             pcieSection,     // §N.2.7
	SectionTypePCIXBus:          pciBus,          // §N.2.8
}

// ZeroBody returns the body of a section of type t with every byte zero,
// validation bits included, so that no field claims to hold data: a
// valid structure that says nothing. ok is false for a type whose body is
// not one fixed-size structure (text, lists, vendor formats).
func ZeroBody(t SectionType) (body []byte, ok bool) {
	l := fixedSections[t]
	if l == nil {
		return nil, false
	}
	return make([]byte, l.size), true
}
