package cli

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"cloudwall/internal/audit"

	"cloudwall/internal/content"
)

const rulesDocs = "../../docs/rules"

// TestDocsUpToDate fails when docs/rules no longer matches the catalogue:
// the committed pages are what `cloudwall docs` writes today.
func TestDocsUpToDate(t *testing.T) {
	c, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	pages, err := renderDocs(c)
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != len(c.Operations)+len(audit.Rules())+len(c.Correlations)+1 {
		t.Fatalf("%d pages for %d rules, %d snapshot rules and %d correlations", len(pages), len(c.Operations), len(audit.Rules()), len(c.Correlations))
	}
	if stale := staleDocs(rulesDocs, pages); len(stale) > 0 {
		t.Errorf("docs/rules is stale; run: go run ./cmd/cloudwall docs --out docs/rules\n%s", strings.Join(stale, "\n"))
	}
}

func TestExplain(t *testing.T) {
	code, out, errOut := run(t, nil, "explain", "AWS-SG-INGRESS-CHANGE")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"# aws-sg-ingress-change", "## Severity", "| 0.0.0.0/0 on 22/tcp | critical |", "| 10.0.0.0/8 on 22/tcp | low |",
		"## Investigation guide", "## Response", "aws ec2 revoke-security-group-ingress", "## Tuning", "T1686.001", "M1047"} {
		if !strings.Contains(out, want) {
			t.Errorf("explain output lacks %q", want)
		}
	}
	if code, _, errOut := run(t, nil, "explain", "no-such-rule"); code != ExitUsage || !strings.Contains(errOut, "no rule") {
		t.Errorf("unknown rule: exit %d: %s", code, errOut)
	}
}

// TestMarkdownReportGuides: a markdown scan report carries, after the
// findings, the guide of each rule they name, as explain prints it.
func TestMarkdownReportGuides(t *testing.T) {
	code, out, errOut := run(t, nil, "scan", "--format", "markdown", samples)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	_, page, _ := run(t, nil, "explain", "aws-sg-ingress-change")
	i := strings.Index(out, "\n## Rule guides\n")
	if i < 0 {
		t.Fatalf("no rule guides in the report:\n%s", out)
	}
	guides := out[i:]
	for _, rule := range []string{"aws-sg-ingress-change", "az-nsg-rule-write", "gcp-firewall-insert"} {
		if !strings.Contains(guides, "\n### "+rule+"\n") {
			t.Errorf("no guide of %s", rule)
		}
	}
	// the page's investigation steps appear unchanged under the demoted heading
	j := strings.Index(page, "## Investigation guide\n")
	if j < 0 {
		t.Fatal("explain page has no investigation guide")
	}
	steps := page[j+len("## Investigation guide\n"):]
	steps = steps[:strings.Index(steps, "\n## ")]
	if !strings.Contains(guides, "#### Investigation guide\n"+steps) {
		t.Errorf("report's guide differs from explain's:\n%s", steps)
	}
}

// Every audit and diff finding id is explained and listed like the
// catalogue's rules.
func TestExplainSnapshotRules(t *testing.T) {
	_, listed, _ := run(t, nil, "rules")
	_, listedJSON, _ := run(t, nil, "rules", "--json")
	for _, r := range audit.Rules() {
		code, out, stderr := run(t, nil, "explain", r.ID)
		if code != ExitOK || !strings.HasPrefix(out, "# "+r.ID+"\n") || !strings.Contains(out, r.Description) || !strings.Contains(out, "`cloudwall "+r.Command()+"`") {
			t.Errorf("explain %s: exit %d %s\n%s", r.ID, code, stderr, out)
		}
		if !strings.Contains(listed, r.ID+" ") || !strings.Contains(listedJSON, `"id":"`+r.ID+`"`) {
			t.Errorf("rules does not list %s", r.ID)
		}
	}
}

// A finding's tags after --flows (used, used-within-minutes,
// outbound-after) are explained by its rule's guide: an analyst reading
// `explain RULE` for a finding learns what each of its tags means.
func TestGuidesExplainFlowsTags(t *testing.T) {
	for _, cloud := range []string{"aws", "azure", "gcp"} {
		t.Run(cloud, func(t *testing.T) {
			dir := t.TempDir()
			if code, _, errOut := run(t, nil, "simulate", "opening-used", "--cloud", cloud, "--out", dir); code != ExitOK {
				t.Fatalf("simulate: exit %d: %s", code, errOut)
			}
			code, out, errOut := run(t, nil, "scan", "--format", "jsonl", "--flows", filepath.Join(dir, cloud, "flows"), filepath.Join(dir, cloud))
			if code != ExitOK {
				t.Fatalf("scan: exit %d: %s", code, errOut)
			}
			found := findings(t, out)
			if len(found) == 0 || !slices.Contains(found[0].Tags, "used") {
				t.Fatalf("no finding tagged used: %+v", found)
			}
			for _, f := range found {
				_, page, _ := run(t, nil, "explain", f.Rule)
				for _, tag := range f.Tags {
					if !strings.Contains(page, "`"+tag+"`") {
						t.Errorf("explain %s does not say what the tag %s means", f.Rule, tag)
					}
				}
			}
		})
	}
}

// A correlation's guide has no commands of its own (its members carry
// them): it says where they are.
func TestCorrelationGuidesPointAtMemberCommands(t *testing.T) {
	c, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, cr := range c.Correlations {
		_, page, _ := run(t, nil, "explain", cr.ID)
		if !strings.Contains(page, "--show ID") {
			t.Errorf("explain %s does not say where the commands are", cr.ID)
		}
	}
}
