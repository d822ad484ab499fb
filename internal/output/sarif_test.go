package output

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"cloudwall/internal/model"
)

// sarifSchema compiles the official SARIF 2.1.0 schema (testdata, with
// provenance in testdata/SARIF-SCHEMA.md).
func compileSARIFSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open("testdata/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("sarif-schema-2.1.0.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func validateSARIF(t *testing.T, s *jsonschema.Schema, out []byte) map[string]any {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if err := s.Validate(inst); err != nil {
		t.Fatalf("invalid SARIF 2.1.0: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// The fixtures' findings (hostile names included), an empty report and a
// report with problems all validate against the official schema, and the
// mapping holds: level from severity, rule metadata from the catalogue,
// file and record locations, fingerprints from finding ids.
func TestSARIFValidAgainstSchema(t *testing.T) {
	s := compileSARIFSchema(t)
	fs := testFindings()
	sum := testSummary()
	sum.Problems = append(sum.Problems, model.Problem{File: "/abs/dir with space/x.json", Index: -1, Message: "unknown shape"})
	zero := fs[0]
	zero.Time, zero.Event = time.Time{}, model.EventRef{File: "-", Index: 0}
	fs = append(fs, zero)
	help := []RuleHelp{{ID: fs[0].Rule, Description: "Security group ingress change. Rules opened to a peer.", Help: "Investigate: who.", Severity: model.High}}
	for name, in := range map[string][]model.Finding{"findings": fs, "empty": nil} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, FormatSARIF, in, sum, Options{Version: "1.2.3", Rules: help}); err != nil {
				t.Fatal(err)
			}
			m := validateSARIF(t, s, buf.Bytes())
			run := m["runs"].([]any)[0].(map[string]any)
			results := run["results"].([]any)
			if len(results) != len(in) {
				t.Fatalf("%d results for %d findings", len(results), len(in))
			}
			rules := run["tool"].(map[string]any)["driver"].(map[string]any)["rules"].([]any)
			for i, r := range results {
				res := r.(map[string]any)
				f := in[i]
				if res["ruleId"] != f.Rule || res["level"] != sarifLevel(f.Severity) ||
					res["partialFingerprints"].(map[string]any)[sarifFingerprint] != f.ID {
					t.Errorf("result %d: %v", i, res)
				}
				rule := rules[int(res["ruleIndex"].(float64))].(map[string]any)
				if rule["id"] != f.Rule {
					t.Errorf("result %d points at rule %v", i, rule["id"])
				}
				loc := res["locations"].([]any)[0].(map[string]any)
				uri := loc["physicalLocation"].(map[string]any)["artifactLocation"].(map[string]any)["uri"].(string)
				if uri != sarifURI(f.Event.File) || strings.Contains(uri, " ") {
					t.Errorf("result %d uri %q", i, uri)
				}
			}
			if name == "findings" {
				r0 := rules[0].(map[string]any)
				if !strings.Contains(r0["help"].(map[string]any)["text"].(string), "Investigate: who.") {
					t.Errorf("rule help not from the catalogue: %v", r0)
				}
			}
		})
	}
}

func TestSARIFLevels(t *testing.T) {
	for s, want := range map[model.Severity]string{model.Critical: "error", model.High: "error", model.Medium: "warning", model.Low: "note", model.Info: "note"} {
		if got := sarifLevel(s); got != want {
			t.Errorf("%s: %s, want %s", s, got, want)
		}
	}
	for in, want := range map[string]string{"-": "stdin", "a b/c.json": "a%20b/c.json", "/x/y#1.json": "file:///x/y%231.json", "arch.tar.gz!m/1.json": "arch.tar.gz%21m/1.json"} {
		if got := sarifURI(in); got != want {
			t.Errorf("sarifURI(%q) = %q, want %q", in, got, want)
		}
	}
}

// The audit, diff and plan reports pinned by the CLI's goldens are valid
// SARIF too.
func TestSARIFGoldensValid(t *testing.T) {
	s := compileSARIFSchema(t)
	for _, p := range []string{"testdata/golden.sarif", "../cli/testdata/audit.sarif", "../cli/testdata/diff.sarif"} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		validateSARIF(t, s, b)
	}
}

// What code scanning reads besides the schema: a rule's security-severity
// ranks its alerts, so it is never below the worst result of the rule in
// the log (a critical finding of a rule whose catalogue default is medium
// must not be listed as a medium alert); a finding shown with
// --show-suppressed carries a SARIF suppression, so it opens no alert; the
// --flows verdict is in the message and the properties.
func TestSARIFForCodeScanning(t *testing.T) {
	s := compileSARIFSchema(t)
	base := testFindings()[0]
	crit, low, hidden, used := base, base, base, base
	crit.ID, crit.Severity = "c1", model.Critical
	low.ID, low.Severity = "l1", model.Low
	hidden.ID, hidden.Severity = "s1", model.High
	hidden.Suppression = &model.SuppressionRef{ID: "lab-sg", Owner: "platform", Reason: "lab account", Expires: time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC)}
	used.ID, used.Severity = "u1", model.Critical
	used.Traffic = &model.Traffic{Verdict: model.TrafficUsed, Evidence: model.EvidenceInterface}
	help := []RuleHelp{{ID: base.Rule, Description: "Security group ingress change.", Severity: model.Medium}}
	tests := []struct {
		name       string
		in         []model.Finding
		ruleScore  string
		ruleLevel  string
		suppressed []bool
		message    string
	}{
		{"worst result lifts the rule", []model.Finding{low, crit}, "9.5", "error", []bool{false, false}, ""},
		{"catalogue default kept when higher", []model.Finding{low}, "5.0", "warning", []bool{false}, ""},
		{"suppressed finding", []model.Finding{hidden}, "8.0", "error", []bool{true}, ""},
		{"flows verdict", []model.Finding{used}, "9.5", "error", []bool{false}, "Flow logs: used"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, FormatSARIF, tc.in, testSummary(), Options{Rules: help}); err != nil {
				t.Fatal(err)
			}
			m := validateSARIF(t, s, buf.Bytes())
			run := m["runs"].([]any)[0].(map[string]any)
			rule := run["tool"].(map[string]any)["driver"].(map[string]any)["rules"].([]any)[0].(map[string]any)
			if got := rule["properties"].(map[string]any)["security-severity"]; got != tc.ruleScore {
				t.Errorf("rule security-severity %v, want %s", got, tc.ruleScore)
			}
			if got := rule["defaultConfiguration"].(map[string]any)["level"]; got != tc.ruleLevel {
				t.Errorf("rule level %v, want %s", got, tc.ruleLevel)
			}
			for i, r := range run["results"].([]any) {
				res := r.(map[string]any)
				sup, has := res["suppressions"].([]any)
				if has != tc.suppressed[i] {
					t.Errorf("result %d suppressions %v, want suppressed=%v", i, res["suppressions"], tc.suppressed[i])
				}
				if has {
					s0 := sup[0].(map[string]any)
					if s0["kind"] != "external" || s0["status"] != "accepted" || !strings.Contains(s0["justification"].(string), "lab-sg: lab account (owner platform), expires 2027-01-02") {
						t.Errorf("suppression %v", s0)
					}
				}
				if tc.message != "" {
					msg := res["message"].(map[string]any)["text"].(string)
					tr, _ := res["properties"].(map[string]any)["traffic"].(map[string]any)
					if !strings.Contains(msg, tc.message) || tr["verdict"] != model.TrafficUsed {
						t.Errorf("message %q, traffic %v", msg, tr)
					}
				}
			}
		})
	}
}

// A scan stopped by a signal says so: executionSuccessful is false and a
// notification tells that the results are partial; a finished scan is
// successful.
func TestSARIFInterrupted(t *testing.T) {
	s := compileSARIFSchema(t)
	for _, interrupted := range []bool{false, true} {
		sum := testSummary()
		sum.Interrupted = interrupted
		var buf bytes.Buffer
		if err := Write(&buf, FormatSARIF, testFindings(), sum, Options{}); err != nil {
			t.Fatal(err)
		}
		m := validateSARIF(t, s, buf.Bytes())
		inv := m["runs"].([]any)[0].(map[string]any)["invocations"].([]any)[0].(map[string]any)
		if inv["executionSuccessful"] != !interrupted {
			t.Errorf("interrupted=%v: executionSuccessful %v", interrupted, inv["executionSuccessful"])
		}
		if got := strings.Contains(buf.String(), "scan interrupted"); got != interrupted {
			t.Errorf("interrupted=%v: notification present %v", interrupted, got)
		}
	}
}

// A rule's help carries its guide as Markdown (what GitHub shows on an
// alert) when the caller has guides, and only text when it has none.
func TestSARIFRuleHelpIsTheGuide(t *testing.T) {
	s := compileSARIFSchema(t)
	guide := func(w io.Writer, rule string) error {
		_, err := io.WriteString(w, "# "+rule+"\n\n## Investigation guide\n\n- who\x1b]0;x\x07\n")
		return err
	}
	for _, tc := range []struct {
		name  string
		guide func(io.Writer, string) error
		want  string
	}{
		{"with guides", guide, "# " + testFindings()[0].Rule + "\n\n## Investigation guide\n\n- who\\x1b]0;x\\x07\n"},
		{"without", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, FormatSARIF, testFindings()[:1], testSummary(), Options{Guide: tc.guide}); err != nil {
				t.Fatal(err)
			}
			m := validateSARIF(t, s, buf.Bytes())
			rule := m["runs"].([]any)[0].(map[string]any)["tool"].(map[string]any)["driver"].(map[string]any)["rules"].([]any)[0].(map[string]any)
			got, _ := rule["help"].(map[string]any)["markdown"].(string)
			if got != tc.want {
				t.Errorf("help.markdown %q, want %q", got, tc.want)
			}
		})
	}
}
