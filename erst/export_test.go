package erst

// WithoutPlans makes d run every operation action by action (Run), as
// it does on a table whose actions do not all compile: the reference the
// plans are tested against.
func WithoutPlans(d *Device) { d.m.plans = [256]*plan{} }

// HasPlan reports whether operations beginning with begin run as a plan.
func HasPlan(d *Device, begin uint8) bool { return d.m.plans[begin] != nil }

// RecordOK is d.recordOK, Write's inlined check.
func RecordOK(d *Device, rec []byte) bool { return d.recordOK(rec) }
