// Package output renders cloudwall's findings and scan summary in every
// output format. Each format lives in its own file and writes to an
// io.Writer, so the CLI decides where bytes go (stdout, a file) and tests can
// compare against golden files.
//
// Finding content comes from audit logs and is therefore attacker
// controlled: user agents, principal names and resource names can carry
// terminal escape sequences, Markdown or HTML, and spreadsheet formulas.
// Every format neutralises what would be interpreted by its consumer.
package output

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"cloudwall/internal/model"
)

// Options tune rendering. The zero value gives plain, untruncated output.
type Options struct {
	// Color enables ANSI colours in table output and the human summary.
	// The CLI sets it when stdout is a terminal and NO_COLOR is unset.
	Color bool
	// Width is the terminal width the table is fitted to; 0 means no
	// truncation.
	Width int
	// Version is cloudwall's version, recorded in the JSON formats' tool
	// object and in report and OCSF metadata.
	Version string
	// Revision is the VCS revision cloudwall was built from, when known.
	Revision string
	// Now is when the findings are written, the OCSF created_time; zero
	// means the current time.
	Now time.Time
	// Verbose makes the table format print each finding in full (reasons,
	// changes, exposure, guidance) instead of one row per finding.
	Verbose bool
	// Rules describes the rules findings name, for formats that carry rule
	// metadata (SARIF); a rule not listed gets a generic description.
	Rules []RuleHelp
	// Guide writes one rule's guide as Markdown, its title a level-1
	// heading; the markdown report ends with the guide of every rule its
	// findings name. Nil leaves them out.
	Guide func(w io.Writer, rule string) error
}

// timeLayout shows event times to the second in UTC, the precision audit
// logs are read at; csv and the JSON formats keep full precision.
const timeLayout = "2006-01-02T15:04:05Z"

// Format names, as accepted by Write and listed by Formats.
const (
	FormatTable    = "table"
	FormatJSON     = "json"
	FormatJSONL    = "jsonl"
	FormatCSV      = "csv"
	FormatMarkdown = "markdown"
	FormatOCSF     = "ocsf"
	FormatSARIF    = "sarif"
)

// Formats lists the accepted format names in the order help text should
// show them.
func Formats() []string {
	return []string{FormatTable, FormatJSON, FormatJSONL, FormatCSV, FormatMarkdown, FormatOCSF, FormatSARIF}
}

// Write renders findings, already ranked and filtered by the caller, in the
// named format. Formats that carry a summary (table, json, markdown) take it
// from sum; the line-oriented formats (jsonl, csv, ocsf) hold findings only
// so that every line or row has the same shape.
func Write(w io.Writer, format string, findings []model.Finding, sum model.Summary, opts Options) error {
	var write func(*bufio.Writer, []model.Finding, model.Summary, Options) error
	switch strings.ToLower(strings.TrimSpace(format)) {
	case FormatTable:
		write = writeTable
	case FormatJSON:
		write = writeJSON
	case FormatJSONL:
		write = writeJSONL
	case FormatCSV:
		write = writeCSV
	case FormatMarkdown:
		write = writeMarkdown
	case FormatOCSF:
		write = writeOCSF
	case FormatSARIF:
		write = writeSARIF
	default:
		return fmt.Errorf("unknown output format %q (want one of %s)", format, strings.Join(Formats(), ", "))
	}
	// bufio.Writer keeps the first write error and reports it from Flush, so
	// the format writers can print freely and the error still surfaces.
	bw := bufio.NewWriter(w)
	if err := write(bw, findings, sum, opts); err != nil {
		return err
	}
	return bw.Flush()
}

// resourceLabel names a resource compactly as "type/name", falling back to
// the id when the log carries no name.
func resourceLabel(r model.Resource) string {
	name := r.Name
	if name == "" {
		name = r.ID
	}
	switch {
	case r.Type == "":
		return name
	case name == "":
		return r.Type
	default:
		return r.Type + "/" + name
	}
}

// actorLabel names the principal by its display name, or its id when the
// log has no name.
func actorLabel(a model.Actor) string {
	if a.Name != "" {
		return a.Name
	}
	return a.ID
}

// headline is the one-line description of a finding used in tables: what
// is now exposed if anything was opened, otherwise the title; a failed or
// dry-run attempt says so first, since nothing changed.
func headline(f model.Finding) string {
	var text string
	switch len(f.Exposure) {
	case 0:
		return f.Title // titles already name attempts and dry runs
	case 1:
		text = f.Exposure[0]
	default:
		text = f.Exposure[0] + " (+" + strconv.Itoa(len(f.Exposure)-1) + " more)"
	}
	switch {
	case slices.Contains(f.Tags, "dry-run"):
		return "dry run: " + text
	case f.Outcome == model.Failure:
		if f.ErrorCode != "" {
			return "failed (" + f.ErrorCode + "): " + text
		}
		return "failed: " + text
	}
	return text
}

// severityCaption is a severity name with an initial capital, for reports.
func severityCaption(s model.Severity) string {
	n := s.String()
	return strings.ToUpper(n[:1]) + n[1:]
}

// severities lists severities from most to least severe, the order every
// count is reported in.
func severities() []model.Severity {
	return []model.Severity{model.Critical, model.High, model.Medium, model.Low, model.Info}
}

// describeChanges renders each rule change in compact human form.
func describeChanges(changes []model.RuleChange) []string {
	out := make([]string, 0, len(changes))
	for _, c := range changes {
		out = append(out, describeChange(c))
	}
	return out
}

// describeChange renders one rule change as a phrase such as
// "added ingress allow tcp 22 from 0.0.0.0/0 (rule allow-ssh, priority 100)".
// Fields the log did not carry are left out rather than guessed.
func describeChange(c model.RuleChange) string {
	words := []string{string(c.Effect)}
	if c.Direction != "" {
		words = append(words, string(c.Direction))
	}
	if c.Action != "" {
		words = append(words, string(c.Action))
	}
	switch {
	case c.Protocol == "all" || c.Ports.All():
		if c.Protocol != "" && c.Protocol != "all" {
			words = append(words, c.Protocol)
		}
		words = append(words, "all ports")
	case c.Protocol != "":
		words = append(words, c.Protocol)
		if len(c.Ports) > 0 {
			words = append(words, strings.Join(c.Ports.Strings(), ","))
		} else if portBearing(c.Protocol) {
			words = append(words, "(ports not logged)")
		}
	case len(c.Ports) > 0:
		words = append(words, "ports", strings.Join(c.Ports.Strings(), ","))
	}
	if len(c.Peers) > 0 {
		peers := make([]string, len(c.Peers))
		for i, p := range c.Peers {
			peers[i] = p.String()
		}
		switch c.Direction {
		case model.Ingress:
			words = append(words, "from")
		case model.Egress:
			words = append(words, "to")
		default:
			words = append(words, "peer")
		}
		if c.PeersOmitted > 0 {
			peers = append(peers, fmt.Sprintf("and %d more", c.PeersOmitted))
		}
		words = append(words, strings.Join(peers, ", "))
	}
	var extra []string
	if c.Name != "" {
		extra = append(extra, "rule "+c.Name)
	}
	if c.Priority != nil {
		extra = append(extra, "priority "+strconv.Itoa(*c.Priority))
	}
	if len(c.Targets) > 0 {
		extra = append(extra, "targets "+strings.Join(c.Targets, ", "))
	}
	s := strings.Join(words, " ")
	if len(extra) > 0 {
		s += " (" + strings.Join(extra, ", ") + ")"
	}
	return s
}

// portBearing reports whether a protocol has ports, so that a missing port
// list is worth pointing out.
func portBearing(protocol string) bool {
	switch protocol {
	case "tcp", "udp", "sctp", "6", "17", "132":
		return true
	}
	return false
}

// cleanText makes an untrusted string safe to print on a terminal or in a
// report: control characters (escape sequences, newlines, DEL, C1), line
// and paragraph separators, bidirectional overrides (which can reorder
// what a reader sees) and invalid UTF-8 are shown as visible escapes
// instead of being interpreted.
func cleanText(s string) string { return escapeText(s, "") }

// escapeText is cleanText leaving the runes in keep as they are.
func escapeText(s, keep string) string {
	if isClean(s, keep) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case mustEscape(r) && !strings.ContainsRune(keep, r):
			if r < utf8.RuneSelf {
				fmt.Fprintf(&b, `\x%02x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func isClean(s, keep string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || mustEscape(r) && !strings.ContainsRune(keep, r) {
			return false
		}
		i += size
	}
	return true
}

func mustEscape(r rune) bool {
	switch {
	case unicode.IsControl(r):
		return true
	case r == '\u2028' || r == '\u2029': // line and paragraph separators
		return true
	case r == '\u061c' || r == '\u200e' || r == '\u200f': // bidi marks
		return true
	case r >= '\u202a' && r <= '\u202e': // bidi embeddings and overrides
		return true
	case r >= '\u2066' && r <= '\u2069': // bidi isolates
		return true
	}
	return false
}

// orDash shows an empty value as "-" so that columns stay readable.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// showTime renders a finding's time in UTC, or "-" when it is not known
// (a snapshot that does not say when it was taken).
func showTime(t time.Time, layout string) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(layout)
}
