package output

import (
	"bufio"
	"encoding/json"

	"cloudwall/internal/model"
)

// jsonReport is the json format's single document.
type jsonReport struct {
	Findings []model.Finding `json:"findings"`
	Summary  model.Summary   `json:"summary"`
}

// writeJSON writes one indented document holding the findings and the
// summary. Findings are always an array and the summary always counts
// every severity, so consumers need no null checks.
func writeJSON(w *bufio.Writer, findings []model.Finding, sum model.Summary, _ Options) error {
	if findings == nil {
		findings = []model.Finding{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	// HTML escaping only makes "<" and "&" in names unreadable; the output
	// is not embedded in HTML.
	enc.SetEscapeHTML(false)
	return enc.Encode(jsonReport{Findings: findings, Summary: completeCounts(sum)})
}

// completeCounts returns sum with a zero count for every severity the
// scan found none of. The caller's map is not modified.
func completeCounts(sum model.Summary) model.Summary {
	counts := make(map[string]int64, len(sum.Findings)+5)
	for k, v := range sum.Findings {
		counts[k] = v
	}
	for _, s := range severities() {
		if _, ok := counts[s.String()]; !ok {
			counts[s.String()] = 0
		}
	}
	sum.Findings = counts
	return sum
}
