package output

import (
	"bufio"
	"slices"
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

// Table columns, in the order they are shown.
const (
	colID = iota
	colSeverity
	colTime
	colCloud
	colAccount
	colFinding
	colActor
	colSource
	numColumns
)

var tableHeader = [numColumns]string{"ID", "SEVERITY", "TIME (UTC)", "CLOUD", "ACCOUNT", "FINDING", "ACTOR", "SOURCE IP"}

// Column limits when the table is fitted to a terminal.
const (
	// findingWanted bounds the width the finding text is given before
	// any optional column is shown: the width three findings in four fit
	// in on one line, at most this.
	findingWanted = 75
	// findingMin is the narrowest the finding column gets; below it the
	// table overflows rather than wrap a title into single words.
	findingMin = 20
	// capActor, capAccount and capSource bound those columns once the
	// table does not fit at full width: long e-mails and Azure
	// subscription GUIDs give way to the finding.
	capActor = 20
	// capActorNarrow is the actor's bound in the narrowest layout.
	capActorNarrow = 16
	capAccount     = 14
	capSource      = 15
	minActor       = 10
)

// shortTimeLayout is the time column once it has to shrink: the year and
// seconds go (the summary and --show carry the full time). The year stays
// when the findings span more than one (shortTimeYears): a 2020 row and a
// 2024 row must not read as the same day.
const (
	shortTimeLayout = "01-02 15:04"
	shortTimeYears  = "2006-01-02 15:04"
)

// shortLayout returns the short time layout that tells the findings'
// times apart.
func shortLayout(findings []model.Finding) string {
	year := 0
	for _, f := range findings {
		if f.Time.IsZero() {
			continue
		}
		switch y := f.Time.UTC().Year(); {
		case year == 0:
			year = y
		case y != year:
			return shortTimeYears
		}
	}
	return shortTimeLayout
}

// tableLayout says which columns are shown and how wide each may be. A
// width of 0 leaves the column out.
type tableLayout struct {
	width     [numColumns]int
	shortTime bool
	shortSev  bool
}

// layouts are tried from the widest to the narrowest; the first one that
// leaves the finding its wanted width is used. Columns give way by
// priority: the time shrinks, then the account, source IP, cloud and time
// go, and the finding text is wrapped (never cut) in what remains.
var layoutDrops = []struct {
	shortTime, shortSev bool
	drop                []int
}{
	{false, false, nil},
	{true, false, nil},
	{true, false, []int{colAccount}},
	{true, false, []int{colAccount, colSource}},
	{true, false, []int{colAccount, colSource, colCloud}},
	{true, false, []int{colAccount, colSource, colCloud, colTime}},
	{true, true, []int{colAccount, colSource, colCloud, colTime}},
}

// shortSeverity is the severity column's narrow form.
var shortSeverity = map[model.Severity]string{
	model.Critical: "CRIT", model.High: "HIGH", model.Medium: "MED", model.Low: "LOW", model.Info: "INFO",
}

// writeTable prints the findings in the caller's order, one row each,
// then a blank line and the summary. Each row leads with the finding's
// short id, which `scan --show ID` expands. Alignment is computed on the
// plain text and colour is added afterwards, because escape codes have no
// width on screen but do have length.
func writeTable(w *bufio.Writer, findings []model.Finding, sum model.Summary, opts Options) error {
	if len(findings) == 0 {
		w.WriteString("No findings.\n\n")
		writeSummaryText(w, sum, opts)
		return nil
	}
	if opts.Verbose {
		writeDetails(w, findings, opts)
		writeSummaryText(w, sum, opts)
		return nil
	}
	ids := ShortIDs(findings)
	full := make([][numColumns]string, len(findings))
	for i, f := range findings {
		full[i] = [numColumns]string{
			ids[i],
			strings.ToUpper(f.Severity.String()),
			showTime(f.Time, timeLayout),
			cleanText(orDash(string(f.Cloud))),
			cleanText(orDash(f.Account)),
			cleanText(orDash(tableTitle(f))),
			cleanText(orDash(actorLabel(f.Actor))),
			cleanText(orDash(f.SourceIP)),
		}
	}
	short := shortLayout(findings)
	lay := fitTable(full, opts.Width, len(short))
	rows := make([][numColumns]string, 0, len(findings)+1)
	header := tableHeader
	if lay.shortSev {
		header[colSeverity] = "SEV"
	}
	rows = append(rows, header)
	for i, r := range full {
		if lay.shortTime {
			r[colTime] = showTime(findings[i].Time, short)
		}
		if lay.shortSev {
			r[colSeverity] = shortSeverity[findings[i].Severity]
		}
		rows = append(rows, r)
	}
	for i, row := range rows {
		var lines [][numColumns]string
		for col, cell := range row {
			if lay.width[col] == 0 {
				continue
			}
			var parts []string
			if col == colFinding {
				parts = wrap(cell, lay.width[col])
			} else {
				parts = []string{truncate(cell, lay.width[col])}
			}
			for len(lines) < len(parts) {
				lines = append(lines, [numColumns]string{})
			}
			for k, p := range parts {
				lines[k][col] = p
			}
		}
		for _, line := range lines {
			writeTableLine(w, line, lay, i, findings, opts)
		}
	}
	w.WriteByte('\n')
	writeSummaryText(w, sum, opts)
	return nil
}

// tableTitle is the finding column's text, marked when a suppression
// hides the finding (see suppressedMark).
func tableTitle(f model.Finding) string {
	return suppressedMark(f) + f.Title
}

// suppressedMark starts the row of a finding a suppression hides (listed
// with --show-suppressed), which would otherwise read as one the summary
// does not count.
func suppressedMark(f model.Finding) string {
	if f.Suppression != nil {
		return "suppressed (" + f.Suppression.ID + "): "
	}
	return ""
}

// writeTableLine writes one screen line of row i (0 is the header), padding
// each shown column to its width and trimming trailing spaces.
func writeTableLine(w *bufio.Writer, line [numColumns]string, lay tableLayout, i int, findings []model.Finding, opts Options) {
	var b strings.Builder
	pending := 0 // spaces owed before the next non-empty cell
	for col, cell := range line {
		if lay.width[col] == 0 {
			continue
		}
		if b.Len() > 0 || pending > 0 {
			pending += len(columnGap)
		}
		if cell != "" {
			b.WriteString(strings.Repeat(" ", pending))
			pending = 0
			styled := cell
			if opts.Color {
				switch {
				case i == 0:
					styled = ansiBold + cell + ansiReset
				case col == colSeverity:
					styled = colorize(findings[i-1].Severity, cell)
				}
			}
			b.WriteString(styled)
		}
		pending += lay.width[col] - utf8.RuneCountInString(cell)
	}
	b.WriteByte('\n')
	w.WriteString(b.String())
}

// fitTable picks the widest layout in which the finding keeps its wanted
// width, or the narrowest one. A limit of 0 or less shows every column at
// full width.
func fitTable(rows [][numColumns]string, limit, shortTime int) tableLayout {
	var natural [numColumns]int
	for col := range numColumns {
		natural[col] = utf8.RuneCountInString(tableHeader[col])
	}
	for _, r := range rows {
		for col, cell := range r {
			natural[col] = max(natural[col], utf8.RuneCountInString(cell))
		}
	}
	if limit <= 0 || total(natural) <= limit {
		return tableLayout{width: natural}
	}
	wanted := min(quartile3(rows, colFinding), findingWanted)
	var lay tableLayout
	for _, l := range layoutDrops {
		lay = tableLayout{width: natural, shortTime: l.shortTime, shortSev: l.shortSev}
		if l.shortTime {
			lay.width[colTime] = shortTime
		}
		lay.width[colActor] = min(natural[colActor], capActor)
		if l.shortSev {
			lay.width[colSeverity] = 4
			lay.width[colActor] = min(natural[colActor], capActorNarrow)
		}
		lay.width[colAccount] = min(natural[colAccount], capAccount)
		lay.width[colSource] = min(natural[colSource], capSource)
		for _, c := range l.drop {
			lay.width[c] = 0
		}
		lay.width[colFinding] = 0
		if limit-total(lay.width)-len(columnGap) >= wanted {
			break
		}
	}
	room := limit - total(lay.width) - len(columnGap)
	if room < findingMin {
		// The narrowest layout: the actor gives way before the finding.
		give := min(findingMin-room, lay.width[colActor]-minActor)
		if give > 0 {
			lay.width[colActor] -= give
			room += give
		}
	}
	lay.width[colFinding] = max(min(room, natural[colFinding]), findingMin)
	// Width the finding does not need goes back to the capped columns.
	spare := limit - total(lay.width)
	for _, c := range []int{colActor, colSource, colAccount} {
		if lay.width[c] == 0 || spare <= 0 {
			continue
		}
		grow := min(natural[c]-lay.width[c], spare)
		lay.width[c] += grow
		spare -= grow
	}
	return lay
}

// quartile3 is the width that three cells in four of column col fit in.
func quartile3(rows [][numColumns]string, col int) int {
	if len(rows) == 0 {
		return 0
	}
	ws := make([]int, len(rows))
	for i, r := range rows {
		ws[i] = utf8.RuneCountInString(r[col])
	}
	slices.Sort(ws)
	return ws[(len(ws)*3-1)/4]
}

// total is the screen width of a row with the given column widths; 0
// means the column is not shown.
func total(widths [numColumns]int) int {
	n, shown := 0, 0
	for _, w := range widths {
		if w > 0 {
			n += w
			shown++
		}
	}
	if shown > 1 {
		n += len(columnGap) * (shown - 1)
	}
	return n
}

// wrap breaks s into lines of at most n runes at spaces; a word longer
// than a line is cut across lines. Nothing is dropped.
func wrap(s string, n int) []string {
	if n <= 0 || utf8.RuneCountInString(s) <= n {
		return []string{s}
	}
	var lines []string
	var cur []rune
	for _, word := range strings.Fields(s) {
		wr := []rune(word)
		if len(cur) > 0 && len(cur)+1+len(wr) > n {
			lines = append(lines, string(cur))
			cur = cur[:0]
		}
		if len(cur) > 0 {
			cur = append(cur, ' ')
		}
		cur = append(cur, wr...)
		for len(cur) > n {
			lines = append(lines, string(cur[:n]))
			cur = append([]rune(nil), cur[n:]...)
		}
	}
	if len(cur) > 0 || len(lines) == 0 {
		lines = append(lines, string(cur))
	}
	return lines
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

// minShortID is the fewest hex digits a short id shows, as git does.
const minShortID = 7

// ShortIDs returns, for each finding, the shortest prefix of its id (at
// least minShortID characters) that no other finding in the list shares,
// so a row's short id names one finding for `scan --show`. Findings whose
// whole ids are equal keep the whole id.
func ShortIDs(findings []model.Finding) []string {
	n := minShortID
	for {
		seen := make(map[string]int, len(findings))
		clash := false
		for _, f := range findings {
			p := prefix(f.ID, n)
			seen[p]++
			if seen[p] > 1 && len(p) == n {
				clash = true
			}
		}
		if !clash {
			break
		}
		n++
		longest := 0
		for _, f := range findings {
			longest = max(longest, len(f.ID))
		}
		if n >= longest {
			break
		}
	}
	out := make([]string, len(findings))
	for i, f := range findings {
		out[i] = cleanText(prefix(f.ID, n))
	}
	return out
}

func prefix(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// SelectByID returns the findings whose id starts with prefix, ignoring
// case, in their order.
func SelectByID(findings []model.Finding, prefix string) []model.Finding {
	prefix = strings.ToLower(strings.TrimSpace(prefix))
	var out []model.Finding
	for _, f := range findings {
		if prefix != "" && strings.HasPrefix(strings.ToLower(f.ID), prefix) {
			out = append(out, f)
		}
	}
	return out
}
