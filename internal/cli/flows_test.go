package cli

import (
	"strings"
	"testing"

	"cloudwall/internal/model"
)

const flowSamples = "../../testdata/flowlogs"

// TestScanFlows joins the bundled flow logs to the bundled audit logs: the
// openings the attacker used become critical with the evidence named,
// the unused one says so, and the summary counts the flow logs.
func TestScanFlows(t *testing.T) {
	code, out, errOut := run(t, nil, "scan", "--format", "jsonl", "--min-severity", "info", "--flows", flowSamples, samples)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	type want struct{ verdict, evidence string }
	wants := map[string]want{
		"AuthorizeSecurityGroupIngress|22":   {model.TrafficUsed, model.EvidenceNetwork},
		"allow-ssh-temp|22":                  {model.TrafficUsed, model.EvidenceRule},
		"ALLOW-RDP-TEMP|3389":                {model.TrafficUsed, model.EvidenceRule},
		"ALLOW-SSH-TEMP|22":                  {model.TrafficNotSeen, ""},
		"AuthorizeSecurityGroupIngress|3389": {model.TrafficRejected, ""},
	}
	seen := map[string]bool{}
	for _, f := range findings(t, out) {
		if f.Traffic == nil || len(f.Changes) == 0 || len(f.Changes[0].Ports) == 0 {
			continue
		}
		name := f.Operation
		if f.Cloud != model.AWS {
			name = f.Resource.ID[strings.LastIndex(f.Resource.ID, "/")+1:]
		}
		key := name + "|" + f.Changes[0].Ports[0].String()
		w, ok := wants[key]
		if !ok {
			t.Errorf("unexpected traffic on %s: %s", key, f.Traffic.Summary)
			continue
		}
		seen[key] = true
		if f.Traffic.Verdict != w.verdict || f.Traffic.Evidence != w.evidence {
			t.Errorf("%s: verdict %s evidence %q, want %s %q", key, f.Traffic.Verdict, f.Traffic.Evidence, w.verdict, w.evidence)
		}
		if w.verdict == model.TrafficUsed {
			if f.Severity != model.Critical || !strings.Contains(strings.Join(f.Tags, ","), "used") || !f.Traffic.Waiting {
				t.Errorf("%s: used but severity %s tags %v waiting %v", key, f.Severity, f.Tags, f.Traffic.Waiting)
			}
		}
		if key == "AuthorizeSecurityGroupIngress|22" && (f.Traffic.OutboundFlows != 1 || f.Traffic.Sources[0].Address != "203.0.113.66") {
			t.Errorf("sg ssh: outbound %d, sources %+v", f.Traffic.OutboundFlows, f.Traffic.Sources)
		}
	}
	for k := range wants {
		if !seen[k] {
			t.Errorf("no finding with traffic for %s", k)
		}
	}
	if !strings.Contains(errOut, "Flow logs:") || !strings.Contains(errOut, "3 of") {
		t.Errorf("summary lacks flow logs:\n%s", errOut)
	}
}

func TestScanFlowsUsage(t *testing.T) {
	if code, _, errOut := run(t, nil, "scan", "--flows", "-", samples); code != ExitUsage || !strings.Contains(errOut, "not stdin") {
		t.Errorf("--flows -: exit %d: %s", code, errOut)
	}
	code, out, errOut := run(t, nil, "scan", "--flows", "no/such/dir", samples)
	if code != ExitError || out != "" || !strings.Contains(errOut, "no/such/dir") {
		t.Errorf("missing --flows path: exit %d, out %q: %s", code, out, errOut)
	}
}
