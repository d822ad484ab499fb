package cli

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"cloudwall/internal/attack"
	"cloudwall/internal/content"
	"cloudwall/internal/model"
)

// TestSimulateScenarios writes every scenario for every cloud it exists
// for, scans it, and checks that each attack call is reported at its rule
// and at its severity, that nothing else is reported above low, and
// that an opening used from outside is judged used from the flow logs.
func TestSimulateScenarios(t *testing.T) {
	c, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range attack.Scenarios() {
		for _, cloud := range s.Clouds {
			t.Run(s.Name+"/"+string(cloud), func(t *testing.T) {
				dir := t.TempDir()
				code, _, errOut := run(t, nil, "simulate", s.Name, "--cloud", string(cloud), "--out", dir)
				if code != ExitOK {
					t.Fatalf("simulate: exit %d: %s", code, errOut)
				}
				w, err := attack.Write(t.TempDir(), s, cloud) // the calls, for expectations
				if err != nil {
					t.Fatal(err)
				}
				args := []string{"scan", "--format", "jsonl", "--min-severity", "info"}
				if s.Flows {
					args = append(args, "--flows", filepath.Join(dir, string(cloud), "flows"))
				}
				code, out, errOut := run(t, nil, append(args, filepath.Join(dir, string(cloud)))...)
				if code != ExitOK {
					t.Fatalf("scan: exit %d: %s", code, errOut)
				}
				if strings.Contains(errOut, "unreadable") && !strings.Contains(errOut, "0 unreadable") {
					t.Errorf("scan reported unreadable records:\n%s", errOut)
				}
				found := findings(t, out)
				used := map[int]bool{}
				for _, call := range w.Calls {
					want := call.Step.ExpectFor(cloud)
					if want < model.Info {
						continue
					}
					op, ok := c.Operation(call.OperationKey)
					if !ok {
						t.Fatalf("%s is not catalogued", call.OperationKey)
					}
					if want == model.Info {
						if i := matchCall(found, call, op.ID); i >= 0 {
							used[i] = true // may be reported at any severity
						}
						continue
					}
					i := matchCall(found, call, op.ID)
					if i < 0 {
						t.Errorf("no %s finding at %s for %s (%s)", op.ID, call.Time.Format("15:04:05"), call.OperationKey, describe(found))
						continue
					}
					used[i] = true
					f := found[i]
					if f.Severity != want {
						t.Errorf("%s at %s: severity %s, want %s", op.ID, call.Time.Format("15:04:05"), f.Severity, want)
					}
					if s.Flows && (f.Traffic == nil || f.Traffic.Verdict != model.TrafficUsed) {
						t.Errorf("%s: opening not judged used: %+v", op.ID, f.Traffic)
					}
				}
				for rule, clouds := range s.Correlations {
					if !slices.Contains(clouds, cloud) {
						continue
					}
					if !slices.ContainsFunc(found, func(f model.Finding) bool { return f.Rule == rule }) {
						t.Errorf("no %s correlation (%s)", rule, describe(found))
					}
				}
				// What simulate says a scan will report: the attack calls at
				// low or above and the correlations, besides low findings of
				// benign calls.
				attackFindings := 0
				for i, f := range found {
					if _, ok := s.Correlations[f.Rule]; ok {
						attackFindings++
						continue // expected above, where the cloud's logs allow it
					}
					if used[i] && f.Severity >= model.Low && !slices.ContainsFunc(w.Calls, func(c attack.Call) bool {
						return c.Step.ExpectFor(cloud) == model.Info && f.Time.Equal(c.Time)
					}) {
						attackFindings++
					}
					if !used[i] && f.Severity > model.Low {
						t.Errorf("unexpected %s finding %s at %s: %s", f.Severity, f.Rule, f.Time.Format("15:04:05"), f.Title)
					}
				}
				if want := s.ExpectedFindings(cloud); attackFindings != want {
					t.Errorf("%d attack findings and correlations; simulate says %d will be reported (%s)", attackFindings, want, describe(found))
				}
			})
		}
	}
}

func matchCall(found []model.Finding, call attack.Call, rule string) int {
	for i, f := range found {
		if f.Rule == rule && f.Time.Equal(call.Time) {
			return i
		}
	}
	return -1
}

func describe(found []model.Finding) string {
	var s []string
	for _, f := range found {
		s = append(s, fmt.Sprintf("%s %s %s", f.Rule, f.Severity, f.Time.Format("15:04:05")))
	}
	return strings.Join(s, "; ")
}

func TestSimulateCommandsAndUsage(t *testing.T) {
	code, out, errOut := run(t, nil, "simulate", "world-open-admin", "--cloud", "aws", "--print-commands")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"stratus detonate aws.exfiltration.ec2-security-group-open-port-22-ingress",
		`aws ec2 authorize-security-group-ingress --group-id "$SG_A" --protocol tcp --port 22 --cidr 0.0.0.0/0`,
		`aws ec2 delete-security-group --group-id "$SG_A"`, "cloudwall never runs them"} {
		if !strings.Contains(out, want) {
			t.Errorf("--print-commands lacks %q:\n%s", want, out)
		}
	}
	for _, bad := range [][]string{
		{"simulate", "nacl-allow-all", "--cloud", "gcp", "--out", t.TempDir()},
		{"simulate", "no-such", "--out", t.TempDir()},
		{"simulate", "world-open-admin"},
		{"simulate", "world-open-admin", "--cloud", "oracle", "--out", t.TempDir()},
	} {
		if code, _, _ := run(t, nil, bad...); code != ExitUsage {
			t.Errorf("%v: exit %d, want usage error", bad, code)
		}
	}
}
