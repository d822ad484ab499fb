package output

import (
	"bufio"
	"encoding/json"

	"cloudwall/internal/model"
)

// writeJSONL writes each finding as one compact JSON object per line, in
// model.Finding's own JSON form and nothing else, so the stream can be
// piped into jq or a log shipper line by line. The summary is left to the
// CLI, which prints it on stderr.
func writeJSONL(w *bufio.Writer, findings []model.Finding, _ model.Summary, _ Options) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for i := range findings {
		if err := enc.Encode(&findings[i]); err != nil {
			return err
		}
	}
	return nil
}
