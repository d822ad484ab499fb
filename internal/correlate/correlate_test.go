package correlate

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"cloudwall/internal/model"
)

var t0 = time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)

func change(id, account, actor, res string, at time.Duration, port int) model.Finding {
	return model.Finding{ID: id, Rule: "aws-sg-ingress-change", Severity: model.Critical, Cloud: model.AWS, Account: account,
		Time: t0.Add(at), Outcome: model.Success, Resource: model.Resource{Type: "security_group", ID: res},
		Operation: "AuthorizeSecurityGroupIngress", Actor: model.Actor{ID: actor}, SourceIP: "198.51.100.9",
		Changes: []model.RuleChange{{Effect: model.Added, Direction: model.Ingress, Action: model.Allow, Protocol: "tcp",
			Ports: model.PortList{{From: port, To: port}}, Peers: []model.Peer{{Kind: model.PeerCIDR, Value: "0.0.0.0/0"}}}}}
}

func denied(id, account, actor string, at time.Duration) model.Finding {
	f := change(id, account, actor, "sg-1", at, 22)
	f.Outcome, f.ErrorCode, f.Severity, f.Tags = model.Failure, "Client.UnauthorizedOperation", model.Medium, []string{"attempt", "denied"}
	return f
}

func revoke(id, account, res string, at time.Duration, port int) model.Finding {
	f := change(id, account, "arn:aws:iam::1:user/mallory", res, at, port)
	f.Operation, f.Severity = "RevokeSecurityGroupIngress", model.Info
	f.Changes[0].Effect = model.Removed
	return f
}

// unlogged adds (at 0) or removes a Cloud Armor rule known only by its
// priority.
func unlogged(id string, prio int, at time.Duration) model.Finding {
	f := change(id, "p", "secops@example.com", "edge-armor", at, 0)
	f.Changes = []model.RuleChange{{Effect: model.Added, Direction: model.Ingress, Action: model.Allow, Priority: &prio}}
	if at > 0 {
		f.Changes[0].Effect, f.Changes[0].Action = model.Removed, ""
	}
	return f
}

func lowOpen(f model.Finding) model.Finding {
	f.Severity = model.Low
	return f
}

func rules(fs []model.Finding) (out []string) {
	for _, f := range Run(fs, Options{}).Findings {
		if slices.Contains(f.Tags, "correlation") {
			out = append(out, f.Rule)
		}
	}
	return out
}

func TestCorrelations(t *testing.T) {
	mallory := "arn:aws:iam::1:user/mallory"
	var mass, spread, split []model.Finding
	for i := range 6 {
		mass = append(mass, change(fmt.Sprint("m", i), "1", mallory, fmt.Sprint("sg-", i), time.Duration(i)*time.Minute, 22))
		spread = append(spread, change(fmt.Sprint("s", i), "1", mallory, fmt.Sprint("sg-", i), time.Duration(i)*24*time.Hour, 22))
		split = append(split, change(fmt.Sprint("a", i), fmt.Sprint(i%2), mallory, fmt.Sprint("sg-", i), time.Duration(i)*time.Minute, 22))
	}
	tests := []struct {
		name string
		in   []model.Finding
		want []string
	}{
		{"mass change", mass, []string{MassChange}},
		{"near miss: the same changes a day apart", spread, nil},
		{"near miss: spread over two accounts", split, nil},
		{"near miss: four firewalls", mass[:4], nil},
		{"denied then succeeded, same identity", []model.Finding{denied("d1", "1", mallory, 0), change("c1", "1", mallory, "sg-1", 5*time.Minute, 22)}, []string{FailedThenSucceeded}},
		{"denied then succeeded, another identity from the same address", []model.Finding{denied("d1", "1", "arn:aws:iam::1:user/bob", 0), change("c1", "1", mallory, "sg-1", 5*time.Minute, 22)}, []string{FailedThenSucceeded}},
		{"denied, then two successes: one sequence", []model.Finding{denied("d1", "1", mallory, 0), change("c1", "1", mallory, "sg-1", 5*time.Minute, 22), change("c2", "1", mallory, "sg-1", 6*time.Minute, 3389)}, []string{FailedThenSucceeded}},
		{"near miss: denied a day before", []model.Finding{denied("d1", "1", mallory, 0), change("c1", "1", mallory, "sg-1", 25*time.Hour, 22)}, nil},
		{"near miss: denied in another account", []model.Finding{denied("d1", "2", mallory, 0), change("c1", "1", mallory, "sg-1", 5*time.Minute, 22)}, nil},
		{"near miss: success before the denial", []model.Finding{change("c1", "1", mallory, "sg-1", 0, 22), denied("d1", "1", mallory, 5*time.Minute)}, nil},
		{"short-lived exposure", []model.Finding{change("c1", "1", mallory, "sg-1", 0, 22), revoke("r1", "1", "sg-1", 20*time.Minute, 22)}, []string{ShortLived}},
		{"near miss: closed the next day", []model.Finding{change("c1", "1", mallory, "sg-1", 0, 22), revoke("r1", "1", "sg-1", 26*time.Hour, 22)}, nil},
		{"near miss: another rule closed", []model.Finding{change("c1", "1", mallory, "sg-1", 0, 22), revoke("r1", "1", "sg-1", 20*time.Minute, 3389)}, nil},
		{"near miss: a rule of another priority removed, content not logged", []model.Finding{unlogged("c1", 500, 0), unlogged("r1", 1000, 5*time.Minute)}, nil},
		{"a rule of the same priority removed, content not logged", []model.Finding{unlogged("c1", 500, 0), unlogged("r1", 500, 5*time.Minute)}, []string{ShortLived}},
		{"near miss: a low-severity allow (a single partner address) added and removed", []model.Finding{lowOpen(change("c1", "1", mallory, "sg-1", 0, 22)), revoke("r1", "1", "sg-1", 20*time.Minute, 22)}, nil},
		{"near miss: another firewall closed", []model.Finding{change("c1", "1", mallory, "sg-1", 0, 22), revoke("r1", "1", "sg-2", 20*time.Minute, 22)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rules(tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("correlations %v, want %v", got, tt.want)
			}
		})
	}
}

// TestLinks: members list the correlation and each other; ids are stable.
func TestLinks(t *testing.T) {
	in := []model.Finding{denied("d1", "1", "u", 0), change("c1", "1", "u", "sg-1", time.Minute, 22)}
	out := Run(in, Options{}).Findings
	if len(out) != 3 {
		t.Fatalf("%d findings", len(out))
	}
	c := out[2]
	if c.Rule != FailedThenSucceeded || len(c.Related) != 2 || c.Severity < model.Medium || len(c.Reasons) == 0 {
		t.Errorf("correlation finding %+v", c)
	}
	for _, m := range out[:2] {
		if !slices.Contains(m.Related, model.Related{ID: c.ID, Correlation: FailedThenSucceeded}) || len(m.Related) != 2 {
			t.Errorf("%s related %v", m.ID, m.Related)
		}
	}
	if in[0].Related != nil {
		t.Error("input modified")
	}
	if again := Run(in, Options{}).Findings; again[2].ID != c.ID {
		t.Error("correlation id not stable")
	}
}

// TestAutomationNotRaised: ten groups changed by a configured Terraform
// role are a low mass change, even when a member is critical; the same
// changes by a person (or by one whose user agent only claims Terraform)
// are a high one.
func TestAutomationNotRaised(t *testing.T) {
	tests := []struct {
		name string
		tags []string
		want model.Severity
	}{
		{"configured automation", []string{"iac"}, model.Low},
		{"inside an approved change", []string{model.Approved}, model.Low},
		{"user agent only claims Terraform", []string{"claimed-automation", "iac"}, model.Critical},
		{"a person", nil, model.Critical},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var fs []model.Finding
			for i := range 10 {
				f := change(fmt.Sprint("t", i), "1", "arn:aws:sts::1:assumed-role/terraform/run", fmt.Sprint("sg-", i), time.Duration(i)*time.Second, 8080)
				f.Severity, f.Tags = model.Low, tt.tags
				if i == 3 {
					f.Severity = model.Critical
				}
				fs = append(fs, f)
			}
			res := Run(fs, Options{})
			if res.Made != 1 {
				t.Fatalf("%d correlations", res.Made)
			}
			if got := res.Findings[len(res.Findings)-1].Severity; got != tt.want {
				t.Errorf("severity %s, want %s", got, tt.want)
			}
		})
	}
}

// TestBounded: one actor's window holds at most MaxPerKey changes, the
// result says the window was full, and a correlation lists at most
// MaxMembers related findings while every member links to it.
func TestBounded(t *testing.T) {
	var fs []model.Finding
	for i := range 300 {
		fs = append(fs, change(fmt.Sprint("b", i), "1", "u", fmt.Sprint("sg-", i), time.Duration(i)*time.Millisecond, 22))
	}
	res := Run(fs, Options{MaxPerKey: 100, MaxMembers: 20})
	if res.Made != 3 {
		t.Errorf("%d mass changes, want 3 (windows of 100)", res.Made)
	}
	if len(res.Capped) != 1 || !strings.Contains(res.Capped[0], "mass-change") {
		t.Errorf("capped %q", res.Capped)
	}
	c := res.Findings[len(fs)]
	if len(c.Related) != 20 || !slices.ContainsFunc(c.Reasons, func(r string) bool { return strings.Contains(r, "100 members") }) {
		t.Errorf("related %d, reasons %q", len(c.Related), c.Reasons)
	}
	for _, m := range res.Findings[:len(fs)] {
		if len(m.Related) != 1 || m.Related[0].Correlation != MassChange {
			t.Fatalf("member %s related %v", m.ID, m.Related)
		}
	}
	if res := Run(fs, Options{}); len(res.Capped) != 0 || res.Made != 1 {
		t.Errorf("default caps: made %d, capped %q", res.Made, res.Capped)
	}
}

// TestIdentityKey: the same person through two role sessions is one
// actor when the findings carry the resolved identity.
func TestIdentityKey(t *testing.T) {
	var fs []model.Finding
	for i := range 6 {
		f := change(fmt.Sprint("i", i), "1", fmt.Sprintf("arn:aws:sts::1:assumed-role/admin/session-%d", i%2), fmt.Sprint("sg-", i), time.Duration(i)*time.Minute, 22)
		fs = append(fs, f)
	}
	if got := rules(fs); got != nil {
		t.Errorf("two sessions without identity: %v", got)
	}
	for i := range fs {
		fs[i].Identity = "alice@example.com"
	}
	if got := rules(fs); !slices.Equal(got, []string{MassChange}) {
		t.Errorf("one identity: %v", got)
	}
}

// TestMassChangeFollowsMembers: a batch of small private changes (a
// Terraform apply adding 10.50.0.0/16 rules) is a low mass change that
// does not cite Pacu; a batch with a member of medium or above, or one
// open to the internet whatever its severity, stays high.
func TestMassChangeFollowsMembers(t *testing.T) {
	batch := func(sev model.Severity, exposure string, worldAt int) []model.Finding {
		var fs []model.Finding
		for i := range 7 {
			f := change(fmt.Sprint("p", i), "1", "arn:aws:sts::1:assumed-role/terraform-ci/run", fmt.Sprint("sg-", i), time.Duration(i)*time.Minute, 443)
			f.Severity, f.Exposure = sev, []string{exposure}
			if i == worldAt {
				f.Exposure = []string{"IPv4 internet -> 0/icmp"}
			}
			fs = append(fs, f)
		}
		return fs
	}
	for _, tc := range []struct {
		name        string
		in          []model.Finding
		want        model.Severity
		say, notSay string
	}{
		{"all private and low: low", batch(model.Low, "10.50.0.0/16 -> 443/tcp", -1), model.Low, "none exposing more than low", "Pacu"},
		{"one member open to the internet: high", batch(model.Low, "10.50.0.0/16 -> 443/tcp", 3), model.High, "Pacu", ""},
		{"egress to the internet counts too", func() []model.Finding {
			fs := batch(model.Low, "10.50.0.0/16 -> 443/tcp", -1)
			fs[2].Exposure = []string{"egress to internet -> all protocols and ports"}
			return fs
		}(), model.High, "Pacu", ""},
		{"medium members: high", batch(model.Medium, "a wide public range -> 443/tcp", -1), model.High, "Pacu", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := Run(tc.in, Options{})
			if res.Made != 1 {
				t.Fatalf("%d correlations, want 1", res.Made)
			}
			c := res.Findings[len(res.Findings)-1]
			text := strings.Join(c.Reasons, "\n")
			if c.Rule != MassChange || c.Severity != tc.want {
				t.Errorf("%s %s, want mass-change %s; reasons %q", c.Rule, c.Severity, tc.want, c.Reasons)
			}
			if !strings.Contains(text, tc.say) || tc.notSay != "" && strings.Contains(text, tc.notSay) {
				t.Errorf("reasons %q: want %q, not %q", c.Reasons, tc.say, tc.notSay)
			}
		})
	}
}

// TestFailedThenSucceededSeverity: the correlation weighs the success; a
// dry run before the real call is told as a dry run (not permission
// probing) and is no more severe than the change that followed.
func TestFailedThenSucceededSeverity(t *testing.T) {
	mallory := "arn:aws:iam::1:user/mallory"
	dryRun := func(id string) model.Finding {
		f := denied(id, "1", mallory, 0)
		f.ErrorCode, f.Severity, f.Tags = "Client.DryRunOperation", model.Low, []string{"dry-run"}
		return f
	}
	low := lowOpen(change("c1", "1", mallory, "sg-1", 5*time.Minute, 443))
	for _, tc := range []struct {
		name        string
		in          []model.Finding
		want        model.Severity
		say, notSay string
	}{
		{"denied, then a critical success: critical", []model.Finding{denied("d1", "1", mallory, 0), change("c1", "1", mallory, "sg-1", 5*time.Minute, 22)}, model.Critical, "permission probing", ""},
		{"denied, then a low success: medium", []model.Finding{denied("d1", "1", mallory, 0), low}, model.Medium, "permission probing", ""},
		{"dry run, then a low success: low", []model.Finding{dryRun("r1"), low}, model.Low, "would have succeeded", "denied"},
		{"dry run, then a critical success: critical", []model.Finding{dryRun("r1"), change("c1", "1", mallory, "sg-1", 5*time.Minute, 22)}, model.Critical, "careful operator", "probing"},
		{"a dry run and a denial: told as a denial", []model.Finding{dryRun("r1"), denied("d1", "1", mallory, time.Minute), low}, model.Medium, "permission probing", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := Run(tc.in, Options{})
			if res.Made != 1 {
				t.Fatalf("%d correlations, want 1", res.Made)
			}
			c := res.Findings[len(res.Findings)-1]
			text := c.Title + "\n" + strings.Join(c.Reasons, "\n")
			if c.Rule != FailedThenSucceeded || c.Severity != tc.want {
				t.Errorf("%s %s, want failed-then-succeeded %s; reasons %q", c.Rule, c.Severity, tc.want, c.Reasons)
			}
			if !strings.Contains(text, tc.say) || tc.notSay != "" && strings.Contains(text, tc.notSay) {
				t.Errorf("title and reasons %q: want %q, not %q", text, tc.say, tc.notSay)
			}
		})
	}
}
