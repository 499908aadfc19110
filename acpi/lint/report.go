package lint

import (
	"encoding/json"
	"fmt"
	"io"
)

// Report is the findings of one table as erst lint -json prints them:
// {"findings": [...]}, [] when there are none.
type Report struct {
	Findings []Finding
}

// MarshalJSON encodes r as {"findings": [...]}, never null.
func (r Report) MarshalJSON() ([]byte, error) {
	fs := r.Findings
	if fs == nil {
		fs = []Finding{}
	}
	return json.Marshal(struct {
		Findings []Finding `json:"findings"`
	}{fs})
}

// WriteText writes the findings one per line ([Finding.String]), then a
// count line for the table called name: "NAME: 1 error, 2 warnings, 0 info".
func WriteText(w io.Writer, name string, findings []Finding) error {
	var n [3]int
	for _, f := range findings {
		if _, err := fmt.Fprintln(w, f); err != nil {
			return err
		}
		if int(f.Severity) < len(n) {
			n[f.Severity]++
		}
	}
	plural := func(k int, what string) string {
		if k == 1 {
			return fmt.Sprintf("%d %s", k, what)
		}
		return fmt.Sprintf("%d %ss", k, what)
	}
	_, err := fmt.Fprintf(w, "%s: %s, %s, %d info\n", name,
		plural(n[Error], "error"), plural(n[Warning], "warning"), n[Info])
	return err
}
