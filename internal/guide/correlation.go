package guide

import (
	"fmt"
	"io"
	"strings"

	"cloudwall/internal/content"
)

// CorrelationPage writes the guide of one correlation rule as Markdown.
func CorrelationPage(w io.Writer, cr *content.Correlation) error {
	p := &page{w: w}
	p.printf("# %s\n\n%s\n\n", cr.ID, cr.Description)
	p.printf("| | |\n|---|---|\n| cloud | any (AWS, Azure, Google Cloud) |\n| kind | `correlation` |\n| base severity | %s |\n", cr.Severity)
	p.printf("| ATT&CK | [T1562.007 Disable or Modify Cloud Firewall](https://attack.mitre.org/techniques/T1562/007/) (to v18); [T1686.001 Cloud Firewall](https://attack.mitre.org/techniques/T1686/001/) (v19) |\n\n")
	p.printf("## What it detects and why it matters\n\n%s\n\n", cr.Why)
	p.printf("A correlation's finding carries this rule id and lists its member findings in `related`; each member lists the correlation (and, in small correlations, the other members) and is tagged `%s`. It never changes a member's severity.\n\n", cr.ID)
	p.printf("## What it reads\n\n")
	for _, r := range cr.Reads {
		p.printf("- %s\n", r)
	}
	p.printf("\n## Severity\n\nAt least %s, and never below its highest member; when every member was made by known automation (a configured identity, a service acting for the principal) or inside an approved change, it is low (each member keeps its own severity, so a world-open administrative port stays high there).\n\n", cr.Severity)
	p.printf("| reports | stays quiet on (near misses) |\n|---|---|\n")
	for i := range max(len(cr.Fires), len(cr.Quiet)) {
		p.printf("| %s | %s |\n", mdCell(at(cr.Fires, i)), mdCell(at(cr.Quiet, i)))
	}
	p.printf("\n## Investigation guide\n\n")
	p.printf("The commands are the members': rerun the scan with `--show` and a member's id from `related` (`cloudwall scan INPUTS --show ID`) to print that member with its cloud's investigate and respond commands, filled with its values.\n\n")
	p.steps(cr.Guidance.Investigate)
	p.printf("## Response\n\n")
	p.steps(cr.Guidance.Respond)
	p.printf("## Tuning\n\n")
	for _, t := range cr.Tuning {
		p.printf("- %s\n", t)
	}
	p.printf("- Never suppress by user agent: it is chosen by the caller.\n\n")
	p.printf("Generated from the correlation catalogue (`internal/content/correlations.yaml`) by `cloudwall docs`.\n")
	return p.err
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return ""
}

// CorrelationIndex writes the index section that lists the correlation
// rules, to follow Index.
func CorrelationIndex(w io.Writer, crs []content.Correlation) error {
	var b strings.Builder
	b.WriteString("\n## Correlations\n\nRules that link findings of any cloud (`internal/content/correlations.yaml`).\n\n| rule | base | what |\n|---|---|---|\n")
	for _, cr := range crs {
		fmt.Fprintf(&b, "| [%s](%s.md) | %s | %s |\n", cr.ID, cr.ID, cr.Severity, mdCell(cr.Description))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
