package output

import (
	"bufio"
	"slices"
	"strconv"
	"strings"

	"cloudwall/internal/model"
)

// writeDetails prints every finding in full, one block each, the way
// `gitleaks -v` does: the table's short id and title, then labelled
// lines for where, who and what, the reasons for the severity and the
// guidance. Commands in the guidance are printed whole, never wrapped or
// cut, so they can be copied from the terminal.
func writeDetails(w *bufio.Writer, findings []model.Finding, opts Options) {
	ids := ShortIDs(findings)
	for i, f := range findings {
		sev := strings.ToUpper(f.Severity.String())
		if opts.Color {
			sev = colorize(f.Severity, sev)
		}
		w.WriteString(ids[i] + "  " + sev + "  " + cleanText(f.Title) + "\n")
		line := func(label, value string) {
			if value != "" {
				w.WriteString("  " + label + strings.Repeat(" ", max(1, 12-len(label))) + cleanText(value) + "\n")
			}
		}
		line("ID:", f.ID)
		line("Rule:", f.Rule)
		line("Time:", showTime(f.Time, timeLayout))
		line("Where:", joinNonEmpty(" / ", string(f.Cloud), f.Account, f.Region))
		line("Resource:", resourceDetail(f.Resource))
		line("Terraform:", f.Resource.Address)
		line("Operation:", operationDetail(f))
		line("Actor:", actorDetail(f.Actor))
		line("Access key:", f.Actor.AccessKey)
		if f.Actor.Session != f.Actor.AccessKey {
			line("Session:", f.Actor.Session)
		}
		line("Source IP:", f.SourceIP)
		line("User agent:", f.UserAgent)
		line("Identity:", f.Identity)
		line("Tags:", strings.Join(f.Tags, ", "))
		line("ATT&CK:", strings.Join(f.Attack, ", "))
		line("Record:", recordDetail(f.Event))
		list := func(title string, items []string, numbered bool) {
			if len(items) == 0 {
				return
			}
			w.WriteString("  " + title + "\n")
			for k, it := range items {
				marker := "-"
				if numbered {
					marker = strconv.Itoa(k+1) + "."
				}
				w.WriteString("    " + marker + " " + cleanText(it) + "\n")
			}
		}
		list("Changes:", describeChanges(f.Changes), false)
		list("Settings:", settingLines(f.Settings), false)
		list("Targets:", f.Targets, false)
		list("Exposure:", f.Exposure, false)
		list("Why:", f.Reasons, false)
		list("Related:", relatedLines(f.Related), false)
		list("First seen:", firstSeenLines(f.FirstSeen), false)
		if f.Guidance != nil {
			steps := func(title, step string, items []string) {
				if len(items) == 0 {
					return
				}
				w.WriteString("  " + title + "\n")
				for k, it := range items {
					marker := "    " + strconv.Itoa(k+1) + ". "
					prose, run := splitCommand(f.Guidance, step, k, it)
					if run == "" {
						w.WriteString(marker + cleanText(it) + "\n")
						continue
					}
					// The command on a line of its own copies whole.
					w.WriteString(marker + cleanText(prose) + "\n")
					w.WriteString(strings.Repeat(" ", len(marker)+2) + cleanText(run) + "\n")
				}
			}
			steps("Investigate:", "investigate", f.Guidance.Investigate)
			steps("Respond:", "respond", f.Guidance.Respond)
		}
		w.WriteByte('\n')
	}
}

// operationDetail is the operation with its outcome and error code.
func operationDetail(f model.Finding) string {
	op := f.Operation
	if f.Outcome != "" {
		op += " (" + string(f.Outcome)
		if f.ErrorCode != "" {
			op += ": " + f.ErrorCode
		}
		op += ")"
	}
	return op
}

// recordDetail points at the source record: file, place and event id.
func recordDetail(e model.EventRef) string {
	if e.File == "" && e.EventID == "" {
		return ""
	}
	s := model.RecordPlace(e.File, e.Index)
	if e.EventID != "" {
		s += " (event ID " + e.EventID + ")"
	}
	return s
}

// settingLines renders settings as sorted key=value lines.
func settingLines(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return out
}

// relatedLines lists linked findings: "78c22382f146127b (failed-then-succeeded)".
func relatedLines(rs []model.Related) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID+" ("+r.Correlation+")")
	}
	return out
}

// firstSeenLines lists what a finding is the first of in its account.
func firstSeenLines(fs []model.FirstSeen) []string {
	var out []string
	for _, f := range fs {
		out = append(out, "new "+f.Kind+": "+f.Value)
	}
	return out
}
