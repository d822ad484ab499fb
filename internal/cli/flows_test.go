package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cloudwall/internal/model"
	"cloudwall/internal/simulate"
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
		"AuthorizeSecurityGroupIngress|3389": {model.TrafficRejected, model.EvidenceNetwork}, // how the rejects are tied
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

// TestScanFlowsTrusted: flows from the configuration's trusted networks are
// not use from outside.
func TestScanFlowsTrusted(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "cloudwall.yaml")
	if err := os.WriteFile(cfg, []byte("trusted_networks:\n  - name: partner\n    cidrs: [203.0.113.0/24, 198.51.100.0/24]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, nil, "scan", "--format", "jsonl", "--config", cfg, "--flows", flowSamples, samples)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	checked := false
	for _, f := range findings(t, out) {
		if f.Traffic == nil || f.Operation != "AuthorizeSecurityGroupIngress" || f.Changes[0].Ports[0].From != 22 {
			continue
		}
		checked = true
		if f.Traffic.Verdict != model.TrafficNotSeen || f.Traffic.Trusted != 3 {
			t.Errorf("verdict %s, trusted %d: %s", f.Traffic.Verdict, f.Traffic.Trusted, f.Traffic.Summary)
		}
	}
	if !checked {
		t.Error("no SSH opening with traffic")
	}
}

// TestScanFlowsGenerated is the end-to-end check on generated data: an
// audit corpus with planted attacks, flow logs of the three clouds around
// what it opened (uses within minutes, and near misses: traffic before the
// opening, scans still rejected, flows another rule allowed), then scan
// --flows must call every used opening used and no near miss.
func TestScanFlowsGenerated(t *testing.T) {
	dir := t.TempDir()
	audit := filepath.Join(dir, "audit")
	if _, err := simulate.GenerateCorpus(context.Background(), audit, simulate.CorpusOptions{Size: 2 << 20, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, nil, "scan", "--format", "jsonl", "--min-severity", "info", audit)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	plants, from, to := simulate.FlowPlantsFor(findings(t, out))
	clouds := map[model.Cloud]bool{}
	for _, p := range plants {
		clouds[p.Cloud] = true
	}
	if len(clouds) < 3 {
		t.Fatalf("plants cover only %v", clouds)
	}
	flows := filepath.Join(dir, "flows")
	if _, err := simulate.GenerateFlowCorpus(context.Background(), flows, simulate.FlowCorpusOptions{
		Size: 8 << 20, Seed: 7, Start: from.Add(-2 * time.Hour), End: to.Add(2 * time.Hour), Plants: plants}); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = run(t, nil, "scan", "--format", "jsonl", "--min-severity", "info", "--flows", flows, audit)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	byID := map[string]model.Finding{}
	for _, f := range findings(t, out) {
		byID[f.ID] = f
	}
	for _, p := range plants {
		f, ok := byID[p.Key]
		if !ok || f.Traffic == nil {
			t.Errorf("%s %s port %d: no finding with traffic", p.Cloud, p.Account, p.Port)
			continue
		}
		if used := f.Traffic.Verdict == model.TrafficUsed; used != p.Used {
			t.Errorf("%s %s port %d used=%v: %s", p.Cloud, p.Account, p.Port, p.Used, f.Traffic.Summary)
		}
		if p.Used && (f.Severity != model.Critical || f.Traffic.OutboundFlows == 0 || !f.Traffic.Waiting) {
			t.Errorf("%s port %d: used, but severity %s, outbound %d, waiting %v", p.Cloud, p.Port, f.Severity, f.Traffic.OutboundFlows, f.Traffic.Waiting)
		}
		if !p.Used && f.Traffic.Verdict == model.TrafficNoCoverage {
			t.Errorf("%s port %d: near miss judged without coverage: %s", p.Cloud, p.Port, f.Traffic.Summary)
		}
	}
}

// TestTimelineFlows: timeline --flows says, per exposure window, whether
// traffic from outside used it.
func TestTimelineFlows(t *testing.T) {
	code, out, errOut := run(t, nil, "timeline", "--format", "json", "--flows", flowSamples, samples)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	verdicts := map[string]int{}
	for _, v := range []string{model.TrafficUsed, model.TrafficNotSeen, model.TrafficRejected} {
		verdicts[v] = strings.Count(out, `"verdict": "`+v+`"`) + strings.Count(out, `"verdict":"`+v+`"`)
	}
	if verdicts[model.TrafficUsed] != 3 || verdicts[model.TrafficNotSeen] < 1 || verdicts[model.TrafficRejected] < 1 {
		t.Errorf("verdicts %v in:\n%s", verdicts, out)
	}
	if !strings.Contains(errOut, "Flow logs:") {
		t.Errorf("summary lacks flow logs:\n%s", errOut)
	}
}

// TestFlowsBaselineInterfaces: a describe-network-interfaces snapshot given
// with --baseline names the interface behind the opened security group, so
// the flows on it are tied by interface (scan and timeline); when the
// snapshot shows that interface behind another group only, its flows are
// not use of the opening, unless a groupSet call on its instance put the
// group back on before them.
func TestFlowsBaselineInterfaces(t *testing.T) {
	const enis = "../../testdata/interfaces"
	sshOpening := func(t *testing.T, out string) *model.Traffic {
		t.Helper()
		for _, f := range findings(t, out) {
			if f.Traffic != nil && f.Operation == "AuthorizeSecurityGroupIngress" && f.Changes[0].Ports[0].From == 22 {
				return f.Traffic
			}
		}
		t.Fatal("no SSH opening with traffic")
		return nil
	}
	code, out, errOut := run(t, nil, "scan", "--format", "jsonl", "--baseline", enis, "--flows", flowSamples, samples)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if tr := sshOpening(t, out); tr.Verdict != model.TrafficUsed || tr.Evidence != model.EvidenceInterface || tr.OutboundFlows != 1 {
		t.Errorf("with interfaces: verdict %s evidence %q outbound %d: %s", tr.Verdict, tr.Evidence, tr.OutboundFlows, tr.Summary)
	}

	elsewhere := filepath.Join(t.TempDir(), "enis.json")
	body, err := os.ReadFile(filepath.Join(enis, "describe-network-interfaces.json"))
	if err != nil {
		t.Fatal(err)
	}
	// the logging interface now carries only the batch group
	moved := strings.Replace(string(body), `"GroupName": "web-prod",
                    "GroupId": "sg-0c1d2e3f4a5b6c7d8"`, `"GroupName": "batch",
                    "GroupId": "sg-0d2e3f4a5b6c7d8e9"`, 1)
	if moved == string(body) {
		t.Fatal("fixture changed: the web-prod group is not where the test expects it")
	}
	// The samples' ModifyInstanceAttribute at 10:02:58 puts web-prod back on
	// the instance of that interface (a snapshot is the state before the
	// calls), before the SSH flows: they are use again.
	if err := os.WriteFile(elsewhere, []byte(moved), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = run(t, nil, "scan", "--format", "jsonl", "--baseline", elsewhere, "--flows", flowSamples, samples)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if tr := sshOpening(t, out); tr.Verdict != model.TrafficUsed || tr.Evidence != model.EvidenceInterface {
		t.Errorf("group put back on the instance by a call: verdict %s evidence %q: %s", tr.Verdict, tr.Evidence, tr.Summary)
	}
	// On another instance no call touches it: behind the batch group only.
	other := strings.Replace(moved, `"InstanceId": "i-0a1b2c3d4e5f67890"`, `"InstanceId": "i-0ffffffffffffffff"`, 1)
	if other == moved {
		t.Fatal("fixture changed: the instance is not where the test expects it")
	}
	if err := os.WriteFile(elsewhere, []byte(other), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = run(t, nil, "scan", "--format", "jsonl", "--baseline", elsewhere, "--flows", flowSamples, samples)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if tr := sshOpening(t, out); tr.Verdict != model.TrafficNotSeen {
		t.Errorf("interface behind another group: verdict %s: %s", tr.Verdict, tr.Summary)
	}

	// The group now sits on an interface the flow logs never logged (a
	// flow log of other interfaces): their silence says nothing of it.
	var snap map[string][]map[string]any
	if err := json.Unmarshal([]byte(other), &snap); err != nil {
		t.Fatal(err)
	}
	unlogged := map[string]any{"NetworkInterfaceId": "eni-0eeeeeeeeeeeeeee1", "SubnetId": "subnet-0e1e2e3e4e5e6e7e8",
		"VpcId": "vpc-0a1b2c3d4e5f60718", "OwnerId": "123456789012", "Status": "in-use", "PrivateIpAddress": "10.0.9.9",
		"Groups": []any{map[string]any{"GroupName": "web-prod", "GroupId": "sg-0c1d2e3f4a5b6c7d8"}}}
	snap["NetworkInterfaces"] = append(snap["NetworkInterfaces"], unlogged)
	b, err := json.Marshal(snap)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(elsewhere, b, 0o644); err != nil {
		t.Fatal(err)
	}
	const why = "no records of eni-0eeeeeeeeeeeeeee1 behind it"
	code, out, errOut = run(t, nil, "scan", "--format", "jsonl", "--baseline", elsewhere, "--flows", flowSamples, samples)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if tr := sshOpening(t, out); tr.Verdict != model.TrafficNoCoverage || !strings.Contains(tr.Summary, why) {
		t.Errorf("scan: group on an interface no flow log covers: verdict %s: %s", tr.Verdict, tr.Summary)
	}
	fts, _ := timelineFirewalls(t, "--baseline", elsewhere, "--flows", flowSamples, samples)
	n := 0
	for _, ft := range fts {
		for _, w := range ft.Windows {
			if w.Firewall.ID != "sg-0c1d2e3f4a5b6c7d8" || w.Traffic == nil {
				continue
			}
			n++
			if w.Traffic.Verdict != model.TrafficNoCoverage || !strings.Contains(w.Traffic.Summary, why) {
				t.Errorf("timeline: window %v on an interface no flow log covers: verdict %s: %s", w.Rule.Ports, w.Traffic.Verdict, w.Traffic.Summary)
			}
		}
	}
	if n == 0 {
		t.Error("timeline: no window of the web-prod group")
	}

	code, out, errOut = run(t, nil, "timeline", "--format", "json", "--baseline", enis, "--flows", flowSamples, samples)
	if code != ExitOK {
		t.Fatalf("timeline: exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, `"evidence": "`+model.EvidenceInterface+`"`) {
		t.Errorf("timeline: no window tied by interface:\n%s", out)
	}
}
