package normalize

import (
	"fmt"
	"strings"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
)

// The Log Analytics query API (and az rest, Logic Apps and scripts that
// save its answer) returns a query result column by column:
//
//	{"tables":[{"name":"PrimaryResult",
//	            "columns":[{"name":"TimeGenerated","type":"datetime"}, ...],
//	            "rows":[["2026-03-17T09:42:13.66Z", ...], ...]}]}
//
// (Azure Data Explorer's v1 REST answer is the same with TableName,
// Columns[].ColumnName and Rows.) Each row is turned into the object a
// KQL export would hold, keyed by column name, and parsed as a record of
// its own: an AzureActivity row becomes an Activity Log event. The whole
// answer is one record of the stream, so it is bounded by
// --max-record-size like any other.

// maxRowProblems bounds how many bad rows one answer names.
const maxRowProblems = 5

// isTables recognises a query answer: a "tables" array whose first table
// has columns and rows.
func isTables(rec map[string]any) bool {
	tables := jv.Objs(rec, "tables")
	if len(tables) == 0 {
		return false
	}
	return jv.Has(tables[0], "columns") && jv.Has(tables[0], "rows")
}

// dispatchTables parses every row of every table of a query answer.
func dispatchTables(rec map[string]any, src model.SourceRef, depth int) Result {
	var (
		events               []model.Event
		rows, parsed         int
		skipped, unknown     int
		problems, unreadable []string
		keys                 string
	)
	for ti, table := range jv.Objs(rec, "tables") {
		name := firstOf(jv.Str(table, "name"), jv.Str(table, "TableName"), fmt.Sprintf("table %d", ti))
		cols, err := columnNames(table)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", name, err))
			continue
		}
		for ri, r := range jv.Arr(table, "rows") {
			rows++
			vals, ok := r.([]any)
			if !ok || len(vals) != len(cols) {
				unreadable = append(unreadable, fmt.Sprintf("%s row %d: %d values for %d columns", name, ri, len(vals), len(cols)))
				continue
			}
			row := make(map[string]any, len(cols))
			for i, c := range cols {
				if vals[i] != nil {
					row[c] = vals[i]
				}
			}
			res := dispatch(row, src, depth+1)
			switch res.Kind {
			case Parsed:
				parsed++
				events = append(events, res.Events...)
				if res.Reason != "" {
					problems = append(problems, fmt.Sprintf("%s row %d: %s", name, ri, res.Reason))
				}
			case Skipped:
				skipped++
			case Unrecognised:
				unknown++
				keys = strings.Join(cols, ", ")
			default:
				unreadable = append(unreadable, fmt.Sprintf("%s row %d: %s", name, ri, res.Reason))
			}
		}
	}
	problems = append(problems, unreadable...)
	reason := rowProblems(problems)
	switch {
	case parsed > 0:
		return Result{Kind: Parsed, Events: events, Reason: reason}
	case len(unreadable) > 0 || (rows == 0 && len(problems) > 0):
		return Result{Kind: Unreadable, Reason: "query answer: " + reason}
	case unknown > 0:
		return Result{Kind: Unrecognised, Reason: fmt.Sprintf("query answer rows of no known audit-log shape (columns: %s)", excerptKeys(keys))}
	case skipped > 0:
		return Result{Kind: Skipped, Reason: "query answer rows are not API calls"}
	}
	return Result{Kind: Skipped, Reason: "query answer with no rows"}
}

// columnNames reads a table's column names, in order.
func columnNames(table map[string]any) ([]string, error) {
	cols := jv.Arr(table, "columns")
	out := make([]string, 0, len(cols))
	for i, c := range cols {
		name := firstOf(jv.Str(c, "name"), jv.Str(c, "ColumnName"))
		if name == "" {
			return nil, fmt.Errorf("column %d has no name", i)
		}
		out = append(out, name)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no columns")
	}
	return out, nil
}

func rowProblems(p []string) string {
	if len(p) <= maxRowProblems {
		return strings.Join(p, "; ")
	}
	return strings.Join(p[:maxRowProblems], "; ") + fmt.Sprintf("; and %d more", len(p)-maxRowProblems)
}

func excerptKeys(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

// firstOf returns the first non-empty string.
func firstOf(s ...string) string {
	for _, x := range s {
		if strings.TrimSpace(x) != "" {
			return strings.TrimSpace(x)
		}
	}
	return ""
}
