package export

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/bradleyjkemp/sigma-go"
	"github.com/bradleyjkemp/sigma-go/evaluator"

	"cloudwall/internal/content"
	"cloudwall/internal/model"
)

// sigmaRules parses every generated Sigma rule with sigma-go, an
// independent implementation of the Sigma specification, by file name.
func sigmaRules(t *testing.T, c *content.Content) map[string]sigma.Rule {
	t.Helper()
	files, err := Generate(c, "sigma", "")
	if err != nil {
		t.Fatal(err)
	}
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	levels := map[string]bool{"informational": true, "low": true, "medium": true, "high": true, "critical": true}
	rules := map[string]sigma.Rule{}
	ids := map[string]string{}
	for _, f := range files {
		if !strings.HasSuffix(f.Name, ".yml") {
			continue
		}
		r, err := sigma.ParseRule(f.Data)
		if err != nil {
			t.Errorf("%s: sigma-go cannot parse it: %v", f.Name, err)
			continue
		}
		if !uuid.MatchString(r.ID) {
			t.Errorf("%s: id %q is not a version 5 UUID", f.Name, r.ID)
		}
		if prev, dup := ids[r.ID]; dup {
			t.Errorf("%s and %s share id %s", prev, f.Name, r.ID)
		}
		ids[r.ID] = f.Name
		if !levels[r.Level] || r.Status != "experimental" || r.Title == "" || r.Logsource.Product == "" || r.Logsource.Service == "" {
			t.Errorf("%s: level %q status %q title %q logsource %+v", f.Name, r.Level, r.Status, r.Title, r.Logsource)
		}
		if !hasString(r.Tags, "attack.t1562.007") || !hasString(r.Tags, "attack.defense-evasion") {
			t.Errorf("%s: tags %v", f.Name, r.Tags)
		}
		if len(r.Detection.Conditions) != 1 || len(r.Detection.Searches) == 0 {
			t.Errorf("%s: detection %+v", f.Name, r.Detection)
		}
		rules[strings.TrimSuffix(f.Name, ".yml")] = r
	}
	if len(rules) < len(c.Operations) {
		t.Fatalf("%d Sigma rules for %d catalogue rules", len(rules), len(c.Operations))
	}
	return rules
}

// sigmaConfig maps the rule's field names to the raw record's, as a
// Sigma backend configuration does: CloudTrail and Azure names are the
// log's own; the gcp.audit names of SigmaHQ's GCP rules are the
// LogEntry's protoPayload.
func sigmaConfig(r sigma.Rule) sigma.Config {
	m := map[string]sigma.FieldMapping{}
	for _, s := range r.Detection.Searches {
		for _, em := range s.EventMatchers {
			for _, fm := range em {
				target := fm.Field
				switch {
				case fm.Field == "gcp.audit.method_name":
					target = "protoPayload.methodName"
				case strings.HasPrefix(fm.Field, "gcp.audit.request."):
					target = "protoPayload.request." + strings.TrimPrefix(fm.Field, "gcp.audit.request.")
				}
				m[fm.Field] = sigma.FieldMapping{TargetNames: []string{target}}
			}
		}
	}
	return sigma.Config{Title: "cloudwall fixtures", FieldMappings: m}
}

// flatten gives every leaf its dotted path, crossing lists as Sigma
// backends do for nested arrays: a path holds every value found there.
func flatten(prefix string, v any, out map[string]any) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			flatten(p, e, out)
		}
	case []any:
		for _, e := range x {
			flatten(prefix, e, out)
		}
	default:
		list, _ := out[prefix].([]any)
		out[prefix] = append(list, x)
	}
}

func sigmaMatch(t *testing.T, r sigma.Rule, event map[string]any) bool {
	t.Helper()
	res, err := evaluator.ForRule(r, evaluator.WithConfig(sigmaConfig(r))).Matches(context.Background(), event)
	if err != nil {
		t.Fatalf("%s: %v", r.Title, err)
	}
	return res.Match
}

// TestSigmaFlagsWhatTheEngineFlags evaluates the generated Sigma rules
// with sigma-go over every native fixture record: each record the engine
// flags under a rule must match that rule's Sigma rule, and its -internet
// and -internet-sensitive variants when the engine found the opening
// world-wide (on a sensitive port). No operation rule may match a record
// of another rule's operations.
func TestSigmaFlagsWhatTheEngineFlags(t *testing.T) {
	c, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	rules := sigmaRules(t, c)
	recs := fixtureRecords(t, c)
	var checked, worldChecked, sensitiveChecked, skipped, overMatch int
	for _, rec := range recs {
		event := map[string]any{}
		flatten("", rec.record, event)
		key := operationKey(rec.cloud, rec.record)
		for _, op := range c.Operations {
			base, ok := rules[op.ID]
			if !ok || op.Cloud != rec.cloud {
				continue
			}
			if !hasString(op.Keys, key) && sigmaMatch(t, base, event) {
				t.Errorf("%s (%s): matched by %s, which is not its operation's rule", rec.where, key, op.ID)
			}
		}
		for _, f := range rec.findings {
			base, ok := rules[f.Rule]
			if !ok {
				t.Errorf("%s: the engine flags it under %s, which has no Sigma rule", rec.where, f.Rule)
				continue
			}
			checked++
			if !sigmaMatch(t, base, event) {
				t.Errorf("%s: the engine flags it under %s (%s); the Sigma rule does not match", rec.where, f.Rule, f.Severity)
			}
			world, sensitive, engineOnly := worldOpen(c, f)
			if r, ok := rules[f.Rule+variantInternet]; ok && !world && sigmaMatch(t, r, event) {
				overMatch++ // the limits in the headers: deny rules, egress, unread actions
			}
			if !world {
				continue
			}
			if why := sigmaCannot(rec, f); why != "" {
				t.Logf("%s: %s world-open, not checked: %s", rec.where, f.Rule, why)
				skipped++
				continue
			}
			r, ok := rules[f.Rule+variantInternet]
			if !ok {
				t.Errorf("%s: the engine finds %s world-open (%v); there is no %s%s rule", rec.where, f.Rule, f.Exposure, f.Rule, variantInternet)
				continue
			}
			worldChecked++
			if !sigmaMatch(t, r, event) {
				t.Errorf("%s: the engine finds %s world-open (%v); %s%s does not match", rec.where, f.Rule, f.Exposure, f.Rule, variantInternet)
			}
			if engineOnly != "" {
				t.Logf("%s: %s on a sensitive port, not checked: %s", rec.where, f.Rule, engineOnly)
				skipped++
			}
			if op, _ := c.Operation(f.Operation); !sensitive || (op != nil && op.Service != nil) {
				continue // a rule of a service's own port is checked by -internet
			}
			r, ok = rules[f.Rule+variantSensitive]
			if !ok {
				t.Errorf("%s: the engine finds %s world-open on %v; there is no %s%s rule", rec.where, f.Rule, f.Exposure, f.Rule, variantSensitive)
				continue
			}
			sensitiveChecked++
			if !sigmaMatch(t, r, event) {
				t.Errorf("%s: the engine finds %s world-open on %v; %s%s does not match", rec.where, f.Rule, f.Exposure, f.Rule, variantSensitive)
			}
		}
	}
	t.Logf("%d native records, %d findings checked, %d world-open, %d on sensitive ports, %d left to the engine; -internet rules also match %d findings the engine does not find world-open",
		len(recs), checked, worldChecked, sensitiveChecked, skipped, overMatch)
	if checked < 50 || worldChecked < 10 || sensitiveChecked < 5 {
		t.Errorf("too few checks: %d findings, %d world-open, %d sensitive", checked, worldChecked, sensitiveChecked)
	}
}

// sigmaCannot says why a world-open finding is outside what one query
// can see, as the headers say, or "" when the Sigma rules must see it.
func sigmaCannot(rec flagged, f model.Finding) string {
	for _, r := range f.Reasons {
		if strings.Contains(r, "defaults to 0.0.0.0/0") || strings.Contains(r, "(default assumed)") {
			return "no source in the request: the cloud's default 0.0.0.0/0 applies"
		}
		if strings.Contains(r, "together") {
			return "split halves"
		}
		if strings.Contains(r, "authorized networks turned off") || strings.Contains(r, "authorizedIPRanges is empty") {
			return "an allowlist turned off names no range"
		}
	}
	if strings.Contains(fmt.Sprint(rec.record["requestParameters"]), "rulesString") {
		return "Suricata-format rules (rulesString) are not parsed"
	}
	if _, ok := rec.record["requestParameters"].(string); ok {
		return "requestParameters logged as a JSON string, not an object"
	}
	return ""
}

// TestSigmaRuleCanFail makes sure the evaluation is not vacuous: a rule
// for another operation, and a world rule against a private range, do
// not match.
func TestSigmaRuleCanFail(t *testing.T) {
	c, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	rules := sigmaRules(t, c)
	event := map[string]any{}
	flatten("", map[string]any{
		"eventSource": "ec2.amazonaws.com", "eventName": "AuthorizeSecurityGroupIngress",
		"requestParameters": map[string]any{"ipPermissions": map[string]any{"items": []any{
			map[string]any{"ipProtocol": "tcp", "fromPort": 22.0, "toPort": 22.0, "ipRanges": map[string]any{"items": []any{map[string]any{"cidrIp": "10.0.0.0/8"}}}},
		}}},
	}, event)
	if !sigmaMatch(t, rules["aws-sg-ingress-change"], event) {
		t.Error("aws-sg-ingress-change does not match its own operation")
	}
	if sigmaMatch(t, rules["aws-sg-ingress-change-internet"], event) {
		t.Error("aws-sg-ingress-change-internet matches 10.0.0.0/8")
	}
	if sigmaMatch(t, rules["aws-sg-egress-change"], event) {
		t.Error("aws-sg-egress-change matches an ingress call")
	}
	event["requestParameters.ipPermissions.items.ipRanges.items.cidrIp"] = []any{"10.0.0.0/8", "198.51.100.7/0"}
	if !sigmaMatch(t, rules["aws-sg-ingress-change-internet-sensitive"], event) {
		t.Error("aws-sg-ingress-change-internet-sensitive misses 198.51.100.7/0 on 22")
	}
}
