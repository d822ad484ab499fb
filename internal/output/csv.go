package output

import (
	"bufio"
	"encoding/csv"
	"strconv"
	"strings"
	"time"

	"cloudwall/internal/model"
)

// csvHeader names the csv columns. Lists inside a cell are joined with
// "; ".
func csvHeader() []string {
	return []string{
		"id", "time", "severity", "rule", "cloud", "account", "region",
		"resource_type", "resource_id", "resource_name", "operation", "outcome", "error_code",
		"actor_type", "actor_id", "actor_name", "source_ip", "user_agent",
		"exposure", "changes", "reasons", "tags", "title",
		"file", "index", "event_id",
	}
}

// writeCSV writes a header and one row per finding for spreadsheets and
// SQL loaders.
func writeCSV(w *bufio.Writer, findings []model.Finding, _ model.Summary, _ Options) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader()); err != nil {
		return err
	}
	return writeCSVRows(cw, findings)
}

// writeCSVRows writes one row per finding.
func writeCSVRows(cw *csv.Writer, findings []model.Finding) error {
	for _, f := range findings {
		row := []string{
			f.ID,
			csvTime(f.Time),
			f.Severity.String(),
			f.Rule,
			string(f.Cloud),
			f.Account,
			f.Region,
			f.Resource.Type,
			f.Resource.ID,
			f.Resource.Name,
			f.Operation,
			string(f.Outcome),
			f.ErrorCode,
			f.Actor.Type,
			f.Actor.ID,
			f.Actor.Name,
			f.SourceIP,
			f.UserAgent,
			strings.Join(f.Exposure, "; "),
			strings.Join(describeChanges(f.Changes), "; "),
			strings.Join(f.Reasons, "; "),
			strings.Join(f.Tags, "; "),
			f.Title,
			f.Event.File,
			strconv.FormatInt(f.Event.Index, 10),
			f.Event.EventID,
		}
		for i, cell := range row {
			row[i] = defuseFormula(csvText(cell))
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvText writes control characters (an escape sequence in a group id)
// as \x1b, as every other format does: CSV has no escape of its own, and
// a terminal would run them. Line feeds and tabs stay: a quoted cell may
// hold them, and they move no cursor back.
func csvText(s string) string { return escapeText(s, "\n\t") }

// defuseFormula stops a spreadsheet from evaluating a cell as a formula
// (CSV injection): attackers choose user agents and resource names, and
// "=HYPERLINK(...)" or "=cmd|..." in a cell runs when an analyst opens the
// file. A leading apostrophe makes the cell text; the value stays readable.
func defuseFormula(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// csvTime is the finding time in full precision, empty when not known.
func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}
