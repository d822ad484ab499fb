package output

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"cloudwall/internal/model"
)

// maxProblems bounds the problems the human summary lists; the rest are
// counted, because a damaged archive can produce thousands.
const maxProblems = 10

// WriteSummary writes the human-readable scan summary the CLI prints on
// stderr (and the table format appends to its output). It prints only the
// counters and problem messages the model holds; problem messages are
// escaped because they can quote bytes from the input.
func WriteSummary(w io.Writer, sum model.Summary, opts Options) error {
	bw := bufio.NewWriter(w)
	writeSummaryText(bw, sum, opts)
	return bw.Flush()
}

// writeSummaryText renders the summary as aligned "Label: value" lines
// followed by the problem list.
func writeSummaryText(w *bufio.Writer, sum model.Summary, opts Options) {
	style := func(s model.Severity, text string) string {
		if !opts.Color {
			return text
		}
		return colorize(s, text)
	}
	lines := summaryLines(sum, style)
	width := 0
	for _, l := range lines {
		width = max(width, len(l.label))
	}
	for _, l := range lines {
		fmt.Fprintf(w, "%-*s %s\n", width+1, l.label+":", l.value)
	}
	writeProblems(w, sum.Problems)
}

// writeProblems lists up to maxProblems problems under a count.
func writeProblems(w *bufio.Writer, problems []model.Problem) {
	lines := problemLines(problems)
	if len(lines) == 0 {
		return
	}
	fmt.Fprintf(w, "Problems (%d):\n", len(problems))
	for _, p := range lines {
		fmt.Fprintf(w, "  %s\n", p)
	}
}

// summaryLine is one labelled line of the summary, shared by the text and
// Markdown renderings.
type summaryLine struct {
	label, value string
}

// summaryLines turns the counters into labelled lines; style decorates a
// non-zero severity count (colour on a terminal, nothing elsewhere).
func summaryLines(sum model.Summary, style func(model.Severity, string) string) []summaryLine {
	files := strconv.FormatInt(sum.Files, 10)
	if sum.FilesFailed > 0 {
		files += fmt.Sprintf(" (%d failed)", sum.FilesFailed)
	}
	files += fmt.Sprintf(", %s read, %s uncompressed", humanBytes(sum.Bytes), humanBytes(sum.BytesUncompressed))

	records := fmt.Sprintf("%d read, %d unreadable, %d skipped", sum.Records, sum.Unreadable, sum.Skipped)
	events := fmt.Sprintf("%d, %s folded", sum.FirewallEvents, count(sum.Duplicates, "duplicate", "duplicates"))
	if sum.Repeats > 0 {
		events += fmt.Sprintf(", %s of an unchanged setting folded into the finding of its first write", count(sum.Repeats, "write", "writes"))
	}

	var total int64
	parts := make([]string, 0, 5)
	for _, s := range severities() {
		n := sum.Findings[s.String()]
		total += n
		part := strconv.FormatInt(n, 10) + " " + s.String()
		if n > 0 {
			part = style(s, part)
		}
		parts = append(parts, part)
	}
	findings := fmt.Sprintf("%d (%s)", total, strings.Join(parts, ", "))
	if sum.FindingsFiltered > 0 {
		findings += fmt.Sprintf(", %d hidden by filters", sum.FindingsFiltered)
	}
	switch {
	case sum.Suppressed > 0 && sum.SuppressedShown:
		findings += fmt.Sprintf(", %d suppressed (listed, tagged suppressed)", sum.Suppressed)
	case sum.Suppressed > 0:
		findings += fmt.Sprintf(", %d suppressed (list them with --show-suppressed)", sum.Suppressed)
	}
	if sum.Undated > 0 {
		findings += fmt.Sprintf(", %d of unknown time kept (--since/--until cannot place them)", sum.Undated)
	}

	lines := []summaryLine{
		{"Files", files},
		{"Records", records},
		{"Firewall events", events},
		{"Findings", findings},
	}
	if sum.FirewallEvents == 0 && sum.Firewalls > 0 {
		// Snapshots (audit, diff) hold firewalls, not events.
		lines[2] = summaryLine{"Firewalls", fmt.Sprintf("%d read, %s", sum.Firewalls, count(sum.Rules, "rule", "rules"))}
	}
	if fl := sum.Flows; fl != nil {
		lines = append(lines, summaryLine{"Flow logs", fmt.Sprintf("%d files, %d records, %d flows, %d unreadable, %d skipped; %d of %d openings used",
			fl.Files, fl.Records, fl.Flows, fl.Unreadable, fl.Skipped, fl.Used, fl.Openings)})
	}
	if sum.Interrupted {
		lines = append([]summaryLine{{"Scan", "interrupted: findings and counts cover what was read before the stop"}}, lines...)
	}
	lines = append(lines, summaryLine{"Elapsed", humanDuration(sum.Elapsed)})
	for _, n := range sum.Notices {
		lines = append(lines, summaryLine{"Notice", cleanText(n)})
	}
	return lines
}

// WriteProblems writes only the summary's problem list (what -q still
// shows: quiet never hides a problem).
func WriteProblems(w io.Writer, sum model.Summary) error {
	bw := bufio.NewWriter(w)
	writeProblems(bw, sum.Problems)
	return bw.Flush()
}

// problemLines renders up to maxProblems problems as "file record N: message"
// ("file: message" for a whole-file problem) and a line counting the rest.
func problemLines(problems []model.Problem) []string {
	out := make([]string, 0, min(len(problems), maxProblems)+1)
	for i, p := range problems {
		if i == maxProblems {
			out = append(out, fmt.Sprintf("... and %d more", len(problems)-maxProblems))
			break
		}
		where := cleanText(p.File)
		if p.Index >= 0 {
			where = model.RecordPlace(where, p.Index)
		}
		out = append(out, where+": "+cleanText(p.Message))
	}
	return out
}

func count(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.FormatInt(n, 10) + " " + many
}

// humanBytes formats a byte count in binary units ("512 B", "3.4 MiB").
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return strconv.FormatInt(n, 10) + " B"
	}
	v := float64(n)
	for _, u := range []string{"KiB", "MiB", "GiB", "TiB", "PiB"} {
		v /= unit
		if v < unit || u == "PiB" {
			return strconv.FormatFloat(v, 'f', 1, 64) + " " + u
		}
	}
	return strconv.FormatInt(n, 10) + " B" // not reached
}

// humanDuration rounds a duration to a precision a reader cares about.
func humanDuration(d time.Duration) string {
	switch {
	case d >= time.Second:
		return d.Round(time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(100 * time.Microsecond).String()
	default:
		return d.Round(time.Microsecond).String()
	}
}
