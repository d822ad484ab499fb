package guide

import (
	"fmt"
	"io"
	"strings"

	"cloudwall/internal/model"
)

// Posture describes an audit or diff rule: a finding about firewall
// snapshots (cloudwall audit, cloudwall diff) rather than about a call in
// the audit logs.
type Posture struct {
	ID string
	// Command is "audit" or "diff".
	Command     string
	Description string
	// Severity is the usual severity; each finding's own follows the
	// detector's judgement of the rule.
	Severity    model.Severity
	Investigate []string
	Respond     []string
}

// PosturePage writes the guide of one audit or diff rule as Markdown.
func PosturePage(w io.Writer, r Posture) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", r.ID)
	fmt.Fprintf(&b, "| | |\n|---|---|\n| command | `cloudwall %s` |\n| clouds | aws, azure, gcp (and Terraform) |\n| usual severity | %s |\n| ATT&CK | T1562.007, T1686.001 (mitigations M1047 Audit, M1018) |\n\n", r.Command, r.Severity)
	b.WriteString("## What it reports\n\n" + r.Description + "\n\n")
	b.WriteString("## How it is judged\n\n")
	switch r.Command {
	case "diff":
		b.WriteString("`cloudwall diff A B` matches firewalls by id and rules by identity (NACL direction and rule number, security group direction, protocol and ports, NSG, GCP and SQL rule name, GCP policy priority). Whether a rule admits more or less is decided by the state engine's packet matching (protocols, ports, address peers by containment, named peers by name, targets); what a rule newly admits is judged by the same detector as `cloudwall scan` judges the call that would make the change.\n\n")
	default:
		b.WriteString("`cloudwall audit` reads snapshots (CLI, REST/ARM, Cloud Asset Inventory, AWS Config, Terraform state and plan) and judges every rule in force with the same detector as `cloudwall scan`. Evaluation order (NACL rule numbers, NSG and GCP priorities, GCP deny winning a tie, hierarchical and network firewall policies) is the state engine's, the one `cloudwall timeline` replays changes with.\n\n")
	}
	section := func(title string, steps []string) {
		if len(steps) == 0 {
			return
		}
		b.WriteString("## " + title + "\n\n")
		for _, s := range steps {
			b.WriteString("- " + s + "\n")
		}
		b.WriteString("\n")
	}
	section("Investigate", r.Investigate)
	section("Respond", r.Respond)
	b.WriteString("## Tuning\n\n`--min-severity`, `--cloud`, `--account` and `--fail-on` work as for `cloudwall scan`; `--stale-after` and `--as-of` set what counts as stale (audit). A suppression in `cloudwall.yaml` matches these rule ids like any other.\n\n")
	fmt.Fprintf(&b, "Generated from the audit and diff rules (`internal/audit`) by `cloudwall docs`.\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// PostureIndex writes the audit and diff rules as a section of the index.
func PostureIndex(w io.Writer, rules []Posture) error {
	var b strings.Builder
	b.WriteString("\n## Snapshot rules (`audit`, `diff`)\n\n| rule | command | usual | what |\n|---|---|---|---|\n")
	for _, r := range rules {
		fmt.Fprintf(&b, "| [%s](%s.md) | %s | %s | %s |\n", r.ID, r.ID, r.Command, r.Severity, mdCell(r.Description))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
