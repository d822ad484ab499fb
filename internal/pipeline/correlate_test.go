package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"cloudwall/internal/config"
	"cloudwall/internal/content"
	"cloudwall/internal/model"
	"cloudwall/internal/store"
)

// TestCorrelationsInScan: the samples' dry run followed by two openings of
// the same group is one failed-then-succeeded finding, its members link
// to it, the catalogue knows its rule and gives it guidance; with
// NoCorrelate there is none and the members are as detected.
func TestCorrelationsInScan(t *testing.T) {
	c, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	res := scan(t, []string{"../../testdata/samples"}, Options{Content: c})
	var made []model.Finding
	byID := map[string]model.Finding{}
	for _, f := range res.Findings {
		byID[f.ID] = f
		if slices.Contains(f.Tags, "correlation") {
			made = append(made, f)
		}
	}
	if len(made) == 0 || res.Summary.Correlations != int64(len(made)) {
		t.Fatalf("%d correlation findings, summary says %d", len(made), res.Summary.Correlations)
	}
	for _, m := range made {
		if _, ok := c.Correlation(m.Rule); !ok {
			t.Errorf("rule %q is not in the correlation catalogue", m.Rule)
		}
		if m.Guidance == nil || len(m.Guidance.Investigate) == 0 {
			t.Errorf("%s: no guidance", m.Rule)
		}
		for _, r := range m.Related {
			member, ok := byID[r.ID]
			if !ok {
				t.Errorf("%s lists %s, which is not reported", m.Rule, r.ID)
				continue
			}
			if !slices.Contains(member.Related, model.Related{ID: m.ID, Correlation: m.Rule}) || member.Severity > m.Severity {
				t.Errorf("member %s: related %v, severity %s above the correlation's %s", r.ID, member.Related, member.Severity, m.Severity)
			}
		}
	}
	// Parsing beside splitting (large inputs) keeps the same context.
	large := scan(t, []string{"../../testdata/samples"}, Options{Content: c, LargeInput: 1})
	if len(large.Findings) != len(res.Findings) || large.Summary.Correlations != res.Summary.Correlations {
		t.Errorf("large-input path: %d findings, %d correlations; want %d, %d", len(large.Findings), large.Summary.Correlations, len(res.Findings), res.Summary.Correlations)
	}
	off := scan(t, []string{"../../testdata/samples"}, Options{Content: c, NoCorrelate: true})
	if len(off.Findings) != len(res.Findings)-len(made) || off.Summary.Correlations != 0 {
		t.Errorf("NoCorrelate: %d findings, want %d", len(off.Findings), len(res.Findings)-len(made))
	}
	for _, f := range off.Findings {
		if len(f.Related) > 0 || byID[f.ID].Severity != f.Severity {
			t.Errorf("NoCorrelate: %s related %v, severity %s vs %s", f.ID, f.Related, f.Severity, byID[f.ID].Severity)
		}
	}
}

// TestFirstSeenWithStore: after learning the samples, a change by a new
// user with a new key, address and tool gives one first-seen-actor
// finding listing every new fact; scanning it again gives none (it was
// learned); an account without history learns and says so.
func TestFirstSeenWithStore(t *testing.T) {
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "cw.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	later := []string{"../../testdata/context/firstseen/later.jsonl"}

	first := scan(t, later, Options{Store: st})
	if first.Summary.Correlations != 0 || !slices.ContainsFunc(first.Summary.Notices, func(n string) bool { return strings.Contains(n, "no history for aws account 123456789012") }) {
		t.Errorf("no history: %d correlations, notices %q", first.Summary.Correlations, first.Summary.Notices)
	}

	st2, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "cw.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	learned := scan(t, []string{"../../testdata/samples"}, Options{Store: st2, Learn: true, NoCorrelate: true})
	if learned.Summary.FactsLearned == 0 {
		t.Fatal("learn learned nothing")
	}
	if n, _ := st2.CountFindings(ctx); n != 0 {
		t.Errorf("learn stored %d findings", n)
	}
	res := scan(t, later, Options{Store: st2})
	var fs []model.Finding
	for _, f := range res.Findings {
		if strings.HasPrefix(f.Rule, "first-seen-") {
			fs = append(fs, f)
		}
	}
	if len(fs) != 1 || fs[0].Rule != "first-seen-actor" {
		t.Fatalf("first-seen findings %+v", fs)
	}
	var kinds []string
	for _, f := range res.Findings {
		for _, x := range f.FirstSeen {
			kinds = append(kinds, x.Kind)
		}
	}
	if want := []string{"actor", "access-key", "network", "user-agent"}; !slices.Equal(kinds, want) {
		t.Errorf("new facts %v, want %v (the region and account are known)", kinds, want)
	}
	again := scan(t, later, Options{Store: st2})
	for _, f := range again.Findings {
		if strings.HasPrefix(f.Rule, "first-seen-") || len(f.FirstSeen) > 0 {
			t.Errorf("second scan: %s %v", f.Rule, f.FirstSeen)
		}
	}
}

// TestFirstSeenNetworkClass: with a configured Tor exit list that holds
// the later change's address, the change lists the class among its new
// facts and the first-seen finding names it; a class that does not hold
// the address (a near miss: a provider's ranges elsewhere) adds nothing.
func TestFirstSeenNetworkClass(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for name, body := range map[string]string{
		"tor.txt":  "192.0.2.66\n192.0.2.44\n",
		"aws.json": `{"syncToken":"1","createDate":"2026-03-01-00-00-00","prefixes":[{"ip_prefix":"203.0.113.0/24","region":"us-east-1","service":"EC2","network_border_group":"us-east-1"}],"ipv6_prefixes":[]}`,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := config.Parse(filepath.Join(dir, "cloudwall.yaml"), []byte("network_classes:\n  - {name: tor-exits, file: tor.txt}\n  - {name: aws-ec2, file: aws.json, services: [EC2]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.OpenSQLite(ctx, filepath.Join(dir, "cw.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	scan(t, []string{"../../testdata/samples"}, Options{Store: st, Learn: true, NoCorrelate: true, Config: cfg})
	res := scan(t, []string{"../../testdata/context/firstseen/later.jsonl"}, Options{Store: st, Config: cfg})
	var classes []string
	var titles []string
	for _, f := range res.Findings {
		for _, x := range f.FirstSeen {
			if x.Kind == "network-class" {
				classes = append(classes, x.Value)
			}
		}
		if strings.HasPrefix(f.Rule, "first-seen-") {
			titles = append(titles, f.Title)
		}
	}
	if !slices.Equal(classes, []string{"tor-exits"}) {
		t.Errorf("new network classes %v, want [tor-exits] (aws-ec2 does not hold 192.0.2.44)", classes)
	}
	if len(titles) != 1 || !strings.Contains(titles[0], "from 192.0.2.44 (tor-exits)") {
		t.Errorf("first-seen titles %q do not name the class of the source", titles)
	}
}

// TestFindingsCarryOriginalCaller: a finding names the identity behind a
// role session, an Identity Center user, a federated subject or an
// impersonation chain, and keeps the principal as logged in its actor.
func TestFindingsCarryOriginalCaller(t *testing.T) {
	for _, tc := range []struct {
		file, identity, caller, federation string
	}{
		{"../normalize/aws/testdata/identity_source_identity.json", "carol@example.com", "carol@example.com", ""},
		{"../normalize/aws/testdata/identity_on_behalf_of.json", "544894e8-80c1-707f-60e3-3ba6510dfac1", "544894e8-80c1-707f-60e3-3ba6510dfac1", ""},
		{"../normalize/aws/testdata/identity_saml_user.json", "samlexample", "SamlExample", "saml:bdGOnTesti4+ExamplexL/jEvs="},
		{"../normalize/aws/testdata/identity_web_identity_session.json", "system:serviceaccount:kube-system:netpol-controller", "system:serviceaccount:kube-system:netpol-controller", "web-identity:arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"},
		// A role session with no original caller is its role: the session name
		// (here like a person) is the caller's choice.
		{"../normalize/aws/testdata/ec2_revoke_ingress_structured.json", "arn:aws:iam::111122223333:role/networkadmins", "", ""},
	} {
		t.Run(filepath.Base(tc.file), func(t *testing.T) {
			res := scan(t, []string{tc.file}, Options{Filter: Filter{MinSeverity: model.Info}})
			if len(res.Findings) == 0 {
				t.Fatal("no finding")
			}
			f := res.Findings[0]
			if f.Identity != tc.identity || f.Actor.OriginalCaller != tc.caller || f.Actor.Federation != tc.federation {
				t.Errorf("identity %q, original caller %q, federation %q; want %q, %q, %q", f.Identity, f.Actor.OriginalCaller, f.Actor.Federation, tc.identity, tc.caller, tc.federation)
			}
		})
	}
}

// TestRoleSessionIsTheRole: an AWS role session is its role, whatever the
// caller named the session. A new instance of a learned instance-profile
// role is no new actor, and one role's five openings through two sessions
// are one mass change.
func TestRoleSessionIsTheRole(t *testing.T) {
	st, err := store.OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "cw.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	scan(t, []string{"testdata/rolesessions/learn.jsonl"}, Options{Store: st, Learn: true, NoCorrelate: true})
	tests := []struct {
		file, rule string
		want       int
	}{
		{"testdata/rolesessions/later.jsonl", "first-seen-actor", 0},
		{"testdata/rolesessions/two-sessions.jsonl", "mass-change", 1},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			res := scan(t, []string{tt.file}, Options{Store: st, Filter: Filter{MinSeverity: model.Info}})
			n := 0
			for _, f := range res.Findings {
				if f.Rule == tt.rule {
					n++
				}
				if !strings.HasPrefix(f.Identity, "arn:aws:iam::111122223333:role/") {
					t.Errorf("%s: identity %q, want the role", f.Rule, f.Identity)
				}
				for _, x := range f.FirstSeen {
					if x.Kind == "actor" && tt.rule == "first-seen-actor" {
						t.Errorf("%s: first seen actor %q", f.Rule, x.Value)
					}
				}
			}
			if n != tt.want {
				t.Errorf("%d %s findings, want %d", n, tt.rule, tt.want)
			}
		})
	}
}

// TestRefusedCallsOfCatalogedOperationsAreContext: a refused call of an
// operation the catalogue knows, which changed no firewall (an instance's
// user data, a storage account's write), gives no finding; it stays in
// its actor's timeline as a denial and makes the change ten minutes later
// a recon-then-change, as a refused call of any other operation does.
// Before, the scan sent it to detection only, which dropped it.
func TestRefusedCallsOfCatalogedOperationsAreContext(t *testing.T) {
	for _, tc := range []struct{ file, refused string }{
		{"testdata/denied-context/aws.jsonl", "ModifyInstanceAttribute"},
		{"testdata/denied-context/azure.jsonl", "MICROSOFT.STORAGE/STORAGEACCOUNTS/WRITE"},
	} {
		for _, maxHeld := range []int{0, 1} { // held in memory, and spilled
			t.Run(fmt.Sprintf("%s max-held %d", filepath.Base(tc.file), maxHeld), func(t *testing.T) {
				res := scan(t, []string{tc.file}, Options{Workers: 1, MaxHeld: maxHeld, Filter: Filter{MinSeverity: model.Info}})
				fs := res.Findings
				if res.Spill != nil {
					defer res.Spill.Close()
					if err := res.Spill.Findings(func(f model.Finding) error { fs = append(fs, f); return nil }); err != nil {
						t.Fatal(err)
					}
				}
				if (res.Spill != nil) != (maxHeld == 1) {
					t.Fatalf("spilled: %v, at max-held %d", res.Spill != nil, maxHeld)
				}
				checkRefusedInContext(t, fs, tc.refused)
			})
		}
	}
}

// checkRefusedInContext: one recon-then-change, and the refused call in
// one finding's timeline as a denial.
func checkRefusedInContext(t *testing.T, fs []model.Finding, refused string) {
	t.Helper()
	var recon, denial int
	for _, f := range fs {
		if f.Rule == "recon-then-change" {
			recon++
		}
		for _, e := range f.Timeline {
			if e.Operation == refused && e.Class == "denied" {
				denial++
			}
		}
	}
	if recon != 1 || denial != 1 {
		t.Errorf("%d recon-then-change, %d timelines with the refused %s; want 1 and 1", recon, denial, refused)
	}
}

// TestCorrelationSequences: each correlation fires on the sequence built
// for it, in each cloud, and stays quiet on its near misses (a day later,
// another account, a read that is not of firewalls, one change short, the
// order reversed). See testdata/correlations/README.md.
func TestCorrelationSequences(t *testing.T) {
	fires := map[string]string{
		"aws-mass5": "mass-change", "azure-mass5": "mass-change", "gcp-mass5": "mass-change",
		"aws-fts": "failed-then-succeeded", "azure-fts": "failed-then-succeeded", "gcp-fts": "failed-then-succeeded",
		"aws-dry": "failed-then-succeeded", "aws-fts-other-ip": "failed-then-succeeded",
		"aws-short": "short-lived-exposure", "aws-recon": "recon-then-change", "gcp-recon": "recon-then-change", "azure-recon-denied": "recon-then-change",
		"azure-short": "short-lived-exposure", "gcp-short": "short-lived-exposure",
	}
	files, err := filepath.Glob("testdata/correlations/*.jsonl")
	if err != nil || len(files) < 40 {
		t.Fatalf("%d sequences (%v)", len(files), err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".jsonl")
		t.Run(name, func(t *testing.T) {
			res := scan(t, []string{file}, Options{Filter: Filter{MinSeverity: model.Info}})
			var got []string
			for _, f := range res.Findings {
				if slices.Contains(f.Tags, "correlation") {
					got = append(got, f.Rule)
				}
			}
			var want []string
			if r := fires[name]; r != "" {
				want = []string{r}
			}
			if !slices.Equal(got, want) {
				t.Errorf("correlations %v, want %v", got, want)
			}
		})
	}
}
