package output

import (
	"bufio"
	"strings"
	"unicode/utf8"

	"cloudwall/internal/model"
)

// ANSI styles for severities. Critical is bold so it stands out from high
// even on terminals that render both reds alike.
const (
	ansiReset   = "\x1b[0m"
	ansiBold    = "\x1b[1m"
	ansiBoldRed = "\x1b[1;31m"
	ansiRed     = "\x1b[31m"
	ansiYellow  = "\x1b[33m"
	ansiCyan    = "\x1b[36m"
	ansiDim     = "\x1b[2m"
)

// Table layout: two spaces between columns, and an ellipsis where a cell
// was cut to fit the terminal.
const (
	columnGap = "  "
	ellipsis  = "…"
)

// colorize wraps text in the ANSI style of severity s.
func colorize(s model.Severity, text string) string {
	var code string
	switch s {
	case model.Critical:
		code = ansiBoldRed
	case model.High:
		code = ansiRed
	case model.Medium:
		code = ansiYellow
	case model.Low:
		code = ansiCyan
	default:
		code = ansiDim
	}
	return code + text + ansiReset
}

// Table columns; the flexible ones give up width when the terminal is
// narrower than the table.
const (
	colSeverity = iota
	colTime
	colCloud
	colAccount
	colResource
	colFinding
	colActor
	colSource
	numColumns
)

// tableHeader names the columns in order.
func tableHeader() []string {
	return []string{"SEVERITY", "TIME (UTC)", "CLOUD", "ACCOUNT", "RESOURCE", "FINDING", "ACTOR", "SOURCE IP"}
}

// softMinWidth is the width a flexible column keeps while others can
// still give up space: enough for a whole AWS account id, an IPv4 address
// and a readable title. Fixed columns have none (0) and are never narrowed.
func softMinWidth(col int) int {
	switch col {
	case colAccount, colResource:
		return 12
	case colFinding:
		return 20
	case colActor:
		return 10
	case colSource:
		return 15
	}
	return 0
}

// squeezeOrder lists the flexible columns in the order they give up their
// remaining width when the soft minimums are still too wide, least useful
// first, with the hard minimum each keeps.
func squeezeOrder() []struct{ col, min int } {
	return []struct{ col, min int }{
		{colAccount, 7}, {colResource, 8}, {colActor, 6}, {colFinding, 10}, {colSource, 9},
	}
}

// writeTable prints one aligned line per finding in the caller's order,
// then a blank line and the summary. Alignment is computed on the plain
// text and colour is added afterwards, because escape codes have no width
// on screen but do have length.
func writeTable(w *bufio.Writer, findings []model.Finding, sum model.Summary, opts Options) error {
	if len(findings) == 0 {
		w.WriteString("No findings.\n\n")
		writeSummaryText(w, sum, opts)
		return nil
	}
	rows := make([][]string, 0, len(findings)+1)
	rows = append(rows, tableHeader())
	for _, f := range findings {
		rows = append(rows, []string{
			strings.ToUpper(f.Severity.String()),
			f.Time.UTC().Format(timeLayout),
			cleanText(orDash(string(f.Cloud))),
			cleanText(orDash(f.Account)),
			cleanText(orDash(resourceLabel(f.Resource))),
			cleanText(orDash(headline(f))),
			cleanText(orDash(actorLabel(f.Actor))),
			cleanText(orDash(f.SourceIP)),
		})
	}
	widths := fitWidths(columnWidths(rows), opts.Width)
	for i, row := range rows {
		var b strings.Builder
		for col, cell := range row {
			cell = truncate(cell, widths[col])
			pad := widths[col] - utf8.RuneCountInString(cell)
			if opts.Color {
				switch {
				case i == 0:
					cell = ansiBold + cell + ansiReset
				case col == colSeverity:
					cell = colorize(findings[i-1].Severity, cell)
				}
			}
			b.WriteString(cell)
			if col < len(row)-1 {
				b.WriteString(strings.Repeat(" ", pad))
				b.WriteString(columnGap)
			}
		}
		b.WriteByte('\n')
		w.WriteString(b.String())
	}
	w.WriteByte('\n')
	writeSummaryText(w, sum, opts)
	return nil
}

// columnWidths is the widest cell of each column, in runes.
func columnWidths(rows [][]string) []int {
	widths := make([]int, numColumns)
	for _, row := range rows {
		for col, cell := range row {
			widths[col] = max(widths[col], utf8.RuneCountInString(cell))
		}
	}
	return widths
}

// fitWidths narrows the flexible columns until the table fits in limit
// runes: first the widest column down to its soft minimum, repeatedly, so
// long cells lose most; then, column by column in squeezeOrder, down to
// the hard minimum. A table that still does not fit overflows. A limit of
// 0 or less leaves the widths alone.
func fitWidths(widths []int, limit int) []int {
	if limit <= 0 {
		return widths
	}
	total := len(columnGap) * (len(widths) - 1)
	for _, w := range widths {
		total += w
	}
	for total > limit {
		widest := -1
		for col, w := range widths {
			if m := softMinWidth(col); m > 0 && w > m && (widest < 0 || w > widths[widest]) {
				widest = col
			}
		}
		if widest < 0 {
			break
		}
		widths[widest]--
		total--
	}
	for _, s := range squeezeOrder() {
		if total <= limit {
			break
		}
		cut := min(widths[s.col]-s.min, total-limit)
		if cut > 0 {
			widths[s.col] -= cut
			total -= cut
		}
	}
	return widths
}

// truncate shortens s to n runes, marking the cut with an ellipsis.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	r := []rune(s)
	return string(r[:n-1]) + ellipsis
}
