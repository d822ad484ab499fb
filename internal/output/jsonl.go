package output

import (
	"bufio"

	"cloudwall/internal/model"
)

// jsonlFinding is one jsonl line: the schema version and tool first, so
// that each line describes itself, then model.Finding's own fields.
type jsonlFinding struct {
	SchemaVersion string `json:"schema_version"`
	Tool          Tool   `json:"tool"`
	*model.Finding
}

// writeJSONL writes each finding as one compact JSON object per line, so
// the stream can be piped into jq or a log shipper line by line. The
// summary is left to the CLI, which prints it on stderr.
func writeJSONL(w *bufio.Writer, findings []model.Finding, _ model.Summary, opts Options) error {
	enc := newJSONEncoder(w)
	tool := toolOf(opts)
	for i := range findings {
		if err := enc.Encode(jsonlFinding{SchemaVersion: SchemaVersion, Tool: tool, Finding: &findings[i]}); err != nil {
			return err
		}
	}
	return nil
}
