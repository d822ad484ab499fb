package output

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	"cloudwall/internal/model"
)

// TimelineFormats lists the formats `cloudwall timeline` accepts.
func TimelineFormats() []string {
	return []string{FormatTable, FormatJSON, FormatJSONL, FormatMarkdown}
}

// Timeline is what `cloudwall timeline` prints: each firewall's changes and
// exposure windows, most exposed first.
type Timeline struct {
	Firewalls []model.FirewallTimeline `json:"firewalls"`
	// End is the last event time of all the data. Each firewall's own
	// End (its account's) is what its open windows are measured to.
	End time.Time `json:"end"`
}

// WriteTimeline renders a timeline in the named format. jsonl prints one
// firewall per line; json one document with the summary; table and
// markdown are for people.
func WriteTimeline(w io.Writer, format string, t Timeline, opts Options) error {
	bw := bufio.NewWriter(w)
	if t.Firewalls == nil {
		t.Firewalls = []model.FirewallTimeline{}
	}
	switch strings.ToLower(strings.TrimSpace(format)) {
	case FormatJSON:
		enc := newJSONEncoder(bw)
		enc.SetIndent("", "  ")
		if err := enc.Encode(t); err != nil {
			return err
		}
	case FormatJSONL:
		enc := newJSONEncoder(bw)
		for i := range t.Firewalls {
			if err := enc.Encode(&t.Firewalls[i]); err != nil {
				return err
			}
		}
	case FormatTable:
		writeTimelineTable(bw, t, opts)
	case FormatMarkdown:
		writeTimelineMarkdown(bw, t)
	default:
		return fmt.Errorf("unknown timeline format %q (want one of %s)", format, strings.Join(TimelineFormats(), ", "))
	}
	return bw.Flush()
}

// WindowText says in one line what a window was: "sg-0abc tcp/22 open to
// 0.0.0.0/0 from 10:02:11 to 10:47:40 (45m29s), opened by X from
// 203.0.113.9, closed by Y"; an egress window says "egress all traffic
// open to 0.0.0.0/0". end measures windows still open.
func WindowText(w model.Window, end time.Time) string {
	var b strings.Builder
	b.WriteString(cleanText(firewallName(w.Firewall)))
	if w.Rule.Direction == model.Egress {
		// Where data could leave to: the exfiltration path.
		b.WriteString(" egress " + ruleReach(w.Rule) + " open to " + peersText(w.Rule.Peers))
	} else {
		b.WriteString(" " + ruleReach(w.Rule) + " open to " + peersText(w.Rule.Peers))
	}
	if w.Cloud == model.GCP && len(w.Rule.Targets) > 0 {
		// A GCP rule reaches only the instances its targets name.
		var ts []string
		for _, t := range w.Rule.Targets {
			ts = append(ts, cleanText(t))
		}
		b.WriteString(" on instances with target " + strings.Join(ts, ", "))
	}
	if len(w.ExceptTargets) > 0 {
		var ts []string
		for _, t := range w.ExceptTargets {
			ts = append(ts, cleanText(t))
		}
		b.WriteString(" (not on instances with target " + strings.Join(ts, ", ") + ")")
	}
	if w.Rule.Name != "" {
		b.WriteString(" (rule " + cleanText(w.Rule.Name) + ")")
	}
	start := w.Start.UTC().Format(timeLayout)
	if !w.StartKnown {
		start = "before " + start + " (start not in the data)"
	}
	b.WriteString(" from " + start)
	snap := w.Closed != nil && w.Closed.Operation == model.SnapshotEdge
	switch {
	case w.End != nil && snap:
		// Closed by a change the logs do not hold, seen missing from a
		// snapshot: the end is only a bound.
		b.WriteString(" to " + w.End.UTC().Format(timeLayout) + " at the latest")
		b.WriteString(" (at most " + duration(w.Duration(end)) + ")")
	case w.End != nil && !w.StartKnown && w.Duration(end) <= 0:
		// Open before the data and closed where it begins: how long is
		// not in the data, not zero.
		b.WriteString(" to " + w.End.UTC().Format(timeLayout) + " (how long it was open is not in the data)")
	case w.End != nil && !w.StartKnown:
		b.WriteString(" to " + w.End.UTC().Format(timeLayout))
		b.WriteString(" (at least " + duration(w.Duration(end)) + ")")
	case w.End != nil:
		b.WriteString(" to " + w.End.UTC().Format(timeLayout))
		b.WriteString(" (" + duration(w.Duration(end)) + ")")
	default:
		b.WriteString(", still open at the end of the data (" + duration(w.Duration(end)) + " so far)")
	}
	if w.Opened != nil {
		b.WriteString(", opened by " + edgeWho(w.Opened))
	}
	switch {
	case snap:
		b.WriteString(", closed outside the logs: the snapshot taken at " + w.Closed.Time.UTC().Format(timeLayout) + " no longer shows it")
	case w.Closed != nil:
		b.WriteString(", closed by " + edgeWho(w.Closed))
	}
	if w.Short {
		b.WriteString(" [short window: opened and closed quickly]")
	}
	return b.String()
}

func edgeWho(e *model.WindowEdge) string {
	s := cleanText(orDash(actorLabel(e.Actor)))
	if e.SourceIP != "" {
		s += " from " + cleanText(e.SourceIP)
	}
	return s
}

func firewallName(r model.Resource) string {
	if r.Name != "" && r.Name != r.ID {
		if strings.Contains(r.ID, "/") {
			return r.Name
		}
		return r.ID + " (" + r.Name + ")"
	}
	if r.ID != "" {
		return r.ID
	}
	return r.Type
}

// ruleReach renders protocol and ports: "tcp/22", "all traffic".
func ruleReach(r model.RuleChange) string {
	p := strings.ToLower(r.Protocol)
	switch {
	case p == "all" || p == "" && r.Ports.All():
		if len(r.Ports) == 0 || r.Ports.All() {
			return "all traffic"
		}
		return "ports " + strings.Join(r.Ports.Strings(), ",")
	case len(r.Ports) == 0:
		return p
	case r.Ports.All():
		return p + "/all ports"
	}
	return p + "/" + strings.Join(r.Ports.Strings(), ",")
}

func peersText(peers []model.Peer) string {
	if len(peers) == 0 {
		return "-"
	}
	var s []string
	for _, p := range peers {
		s = append(s, cleanText(p.String()))
	}
	return strings.Join(s, ", ")
}

// dataEnd is where ft's windows still open are measured to: the end of
// its account's data, else the end of all.
func dataEnd(ft model.FirewallTimeline, t Timeline) time.Time {
	if ft.End.IsZero() {
		return t.End
	}
	return ft.End
}

// duration renders a duration to the second: 45m29s, 2h0m5s; from a day
// on, in days and hours: 3d 4h, 2099d 12h (the minutes no longer matter).
func duration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	if d >= 24*time.Hour {
		h := int64(d / time.Hour)
		return fmt.Sprintf("%dd %dh", h/24, h%24)
	}
	return d.Round(time.Second).String()
}

func writeTimelineTable(w *bufio.Writer, t Timeline, opts Options) {
	if len(t.Firewalls) == 0 {
		w.WriteString("No firewall changes.\n")
		return
	}
	sev := func(s model.Severity) string {
		name := strings.ToUpper(s.String())
		if opts.Color {
			return colorize(s, name)
		}
		return name
	}
	for i, ft := range t.Firewalls {
		if i > 0 {
			w.WriteByte('\n')
		}
		fmt.Fprintf(w, "%s  %s %s %s", sev(ft.Severity), ft.Cloud, cleanText(ft.Firewall.Type), cleanText(firewallName(ft.Firewall)))
		if ft.Account != "" {
			fmt.Fprintf(w, "  account %s", cleanText(ft.Account))
		}
		if ft.Exposed > 0 {
			fmt.Fprintf(w, "  exposed %s", duration(ft.Exposed))
		}
		w.WriteByte('\n')
		if ft.Note != "" {
			fmt.Fprintf(w, "  state: %s\n", cleanText(ft.Note))
		}
		for _, win := range ft.Windows {
			fmt.Fprintf(w, "  window  %s  %s\n", sev(win.Severity), WindowText(win, dataEnd(ft, t)))
			if win.Traffic != nil {
				fmt.Fprintf(w, "          traffic: %s\n", cleanText(win.Traffic.Summary))
			}
			for _, c := range win.Rollback {
				fmt.Fprintf(w, "          close: %s\n", cleanText(c))
			}
		}
		for _, c := range ft.Changes {
			fmt.Fprintf(w, "  %s  %-8s  %s  by %s", c.Time.UTC().Format(timeLayout), strings.ToUpper(c.Severity.String()),
				cleanText(c.Title), cleanText(orDash(actorLabel(c.Actor))))
			if c.SourceIP != "" {
				fmt.Fprintf(w, " from %s", cleanText(c.SourceIP))
			}
			w.WriteByte('\n')
			for _, n := range c.Notes {
				fmt.Fprintf(w, "          note: %s\n", cleanText(n))
			}
			for _, r := range c.Rollback {
				fmt.Fprintf(w, "          undo: %s\n", cleanText(r))
			}
		}
	}
}

func writeTimelineMarkdown(w *bufio.Writer, t Timeline) {
	w.WriteString("# cloudwall timeline\n\n")
	if len(t.Firewalls) == 0 {
		w.WriteString("No firewall changes.\n")
		return
	}
	for _, ft := range t.Firewalls {
		fmt.Fprintf(w, "## %s %s %s (%s)\n\n", severityCaption(ft.Severity), ft.Cloud, mdText(ft.Firewall.Type), mdText(firewallName(ft.Firewall)))
		if ft.Account != "" {
			fmt.Fprintf(w, "- Account: %s\n", mdText(ft.Account))
		}
		if ft.Exposed > 0 {
			fmt.Fprintf(w, "- Exposed: %s\n", duration(ft.Exposed))
		}
		if ft.Note != "" {
			fmt.Fprintf(w, "- State: %s\n", mdText(ft.Note))
		}
		w.WriteByte('\n')
		if len(ft.Windows) > 0 {
			w.WriteString("### Exposure windows\n\n")
			for _, win := range ft.Windows {
				fmt.Fprintf(w, "- **%s** %s\n", severityCaption(win.Severity), mdText(WindowText(win, dataEnd(ft, t))))
				if win.Traffic != nil {
					fmt.Fprintf(w, "  - traffic: %s\n", mdText(win.Traffic.Summary))
				}
				for _, c := range win.Rollback {
					fmt.Fprintf(w, "  - close: `%s`\n", strings.ReplaceAll(cleanText(c), "`", "'"))
				}
			}
			w.WriteByte('\n')
		}
		w.WriteString("### Changes\n\n| time | severity | change | actor | source |\n|---|---|---|---|---|\n")
		for _, c := range ft.Changes {
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", c.Time.UTC().Format(timeLayout), c.Severity,
				mdCell(c.Title), mdCell(orDash(actorLabel(c.Actor))), mdCell(orDash(c.SourceIP)))
		}
		w.WriteByte('\n')
		var undo []string
		for _, c := range ft.Changes {
			for _, r := range c.Rollback {
				undo = append(undo, fmt.Sprintf("- %s: `%s`", c.Time.UTC().Format(timeLayout), strings.ReplaceAll(cleanText(r), "`", "'")))
			}
		}
		if len(undo) > 0 {
			w.WriteString("### Rollback (printed, never run)\n\n" + strings.Join(undo, "\n") + "\n\n")
		}
	}
}
