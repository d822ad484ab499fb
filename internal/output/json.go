package output

import (
	"bufio"

	"cloudwall/internal/model"
)

// SchemaVersion is the version of the finding schema the JSON formats
// follow (docs/schema/finding.schema.json). The minor version rises when
// a field is added; fields are not removed or changed within a major one.
const SchemaVersion = "1.5"

// Tool names the program that wrote the output, and its build.
type Tool struct {
	Name     string `json:"name"`
	Version  string `json:"version"`
	Revision string `json:"revision,omitempty"`
}

func toolOf(opts Options) Tool {
	v := opts.Version
	if v == "" {
		v = "(devel)"
	}
	return Tool{Name: "cloudwall", Version: v, Revision: opts.Revision}
}

// jsonReport is the json format's single document.
type jsonReport struct {
	SchemaVersion string          `json:"schema_version"`
	Tool          Tool            `json:"tool"`
	Findings      []model.Finding `json:"findings"`
	Summary       model.Summary   `json:"summary"`
}

// writeJSON writes one indented document holding the schema version, the
// tool, the findings and the summary. Findings are always an array and the
// summary always counts every severity, so consumers need no null checks.
func writeJSON(w *bufio.Writer, findings []model.Finding, sum model.Summary, opts Options) error {
	if findings == nil {
		findings = []model.Finding{}
	}
	enc := newJSONEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(jsonReport{
		SchemaVersion: SchemaVersion,
		Tool:          toolOf(opts),
		Findings:      findings,
		Summary:       completeCounts(sum),
	})
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
