package pipeline

import (
	"cmp"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"cloudwall/internal/model"
	"cloudwall/internal/store"
)

// correlationInputs writes CloudTrail records with a sequence of each
// correlation in two accounts, three rounds two hours apart: a mass
// change by one user (six groups in three minutes), a denied opening then
// the same opening allowed, reconnaissance (DescribeSecurityGroups) then
// two changes by the same key, an opening removed again after twenty
// minutes, and a change by a user seen once. Each round's sequences are
// more than an hour apart; at most 6 findings of one account fall within
// an hour of each other. Records are spread over two files. accounts and
// rounds choose a part of it (nil, 0: all of it); spacing, when not 0,
// is the time between a round's sequences instead of 90 minutes.
func correlationInputs(t *testing.T, accounts []string, rounds int, spacing time.Duration) string {
	t.Helper()
	var base map[string]any
	if err := json.Unmarshal([]byte(attackLine(t)), &base); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	var lines []string
	rec := func(acct, user, ip, name, group string, port int, at time.Duration, errorCode string) {
		lines = append(lines, callLine(t, base, len(lines)+1, call{acct, user, ip, name, group, port, t0.Add(at), errorCode}))
	}
	spacing = cmp.Or(spacing, 90*time.Minute)
	if accounts == nil {
		accounts = []string{"111111111111", "222222222222"}
	}
	for _, acct := range accounts {
		for round := range cmp.Or(rounds, 3) {
			at := time.Duration(round) * 8 * time.Hour
			// Each round on its own groups: a round on the groups of the
			// one before would set again what it put in force (low).
			for i := range 6 {
				rec(acct, "mallory", "198.51.100.7", "AuthorizeSecurityGroupIngress", fmt.Sprintf("sg-mass-%d-%d", round, i), 22, at+time.Duration(i)*30*time.Second, "")
			}
			at += spacing
			rec(acct, "eve", "203.0.113.9", "AuthorizeSecurityGroupIngress", fmt.Sprintf("sg-fail-%d", round), 3389, at, "Client.UnauthorizedOperation")
			rec(acct, "eve", "203.0.113.9", "AuthorizeSecurityGroupIngress", fmt.Sprintf("sg-fail-%d", round), 3389, at+2*time.Minute, "")
			at += spacing
			rec(acct, "rita", "192.0.2.10", "DescribeSecurityGroups", "", 0, at, "")
			rec(acct, "rita", "192.0.2.10", "AuthorizeSecurityGroupIngress", fmt.Sprintf("sg-recon-a-%d", round), 5432, at+3*time.Minute, "")
			rec(acct, "rita", "192.0.2.10", "AuthorizeSecurityGroupIngress", fmt.Sprintf("sg-recon-b-%d", round), 5432, at+4*time.Minute, "")
			at += spacing
			rec(acct, "sam", "192.0.2.20", "AuthorizeSecurityGroupIngress", fmt.Sprintf("sg-short-%d", round), 6379, at, "")
			rec(acct, "sam", "192.0.2.20", "RevokeSecurityGroupIngress", fmt.Sprintf("sg-short-%d", round), 6379, at+20*time.Minute, "")
			rec(acct, fmt.Sprintf("once-%d", round), "192.0.2.30", "AuthorizeSecurityGroupIngress", fmt.Sprintf("sg-once-%d", round), 8080, at+25*time.Minute, "")
		}
	}
	return trailFiles(t, lines, 2)
}

// call is one CloudTrail call for callLine.
type call struct {
	acct, user, ip, name, group string
	port                        int
	at                          time.Time
	errorCode                   string
}

// callLine is base (a CloudTrail record of AuthorizeSecurityGroupIngress)
// made into c, with event id n: DescribeSecurityGroups reads all groups,
// other calls open port to the world on group.
func callLine(t *testing.T, base map[string]any, n int, c call) string {
	t.Helper()
	r := clone(t, base)
	r["eventID"] = fmt.Sprintf("corr-%04d", n)
	r["eventName"] = c.name
	r["eventTime"] = c.at.Format(time.RFC3339)
	r["recipientAccountId"] = c.acct
	r["sourceIPAddress"] = c.ip
	ui := r["userIdentity"].(map[string]any)
	ui["accountId"], ui["userName"] = c.acct, c.user
	ui["arn"] = "arn:aws:iam::" + c.acct + ":user/" + c.user
	ui["accessKeyId"] = "AKIA" + strings.ToUpper(fmt.Sprintf("%-16s", c.user+c.acct[:4]))[:16]
	ui["principalId"] = "AIDA" + c.user
	delete(r, "responseElements")
	if c.name == "DescribeSecurityGroups" {
		r["requestParameters"] = map[string]any{}
		r["readOnly"] = true
	} else {
		rp := r["requestParameters"].(map[string]any)
		rp["groupId"], rp["cidrIp"], rp["fromPort"], rp["toPort"] = c.group, "0.0.0.0/0", c.port, c.port
	}
	if c.errorCode != "" {
		r["errorCode"], r["errorMessage"] = c.errorCode, "You are not authorized to perform this operation."
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// learnedStore is a fresh SQLite store that learned the first account's
// first round (its users, keys and addresses), so a scan of everything
// reports first-seen findings for the later users only in that account
// and learns the second account without reporting.
func learnedStore(t *testing.T) store.Store {
	t.Helper()
	st, err := store.OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "cw.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	dir := correlationInputs(t, []string{"111111111111"}, 1, 0)
	scan(t, []string{dir}, Options{Workers: 1, Store: st, Learn: true, NoCorrelate: true})
	return st
}

// Past --max-held, a scan still correlates: findings sorted on disk by
// account and correlated one account at a time (cut where an hour passes
// with none) are those of a scan held in memory, with their related
// links, timelines, guidance, first-seen facts from the store and the
// counters; so is what the store keeps.
func TestSpillCorrelatesSameAsInMemory(t *testing.T) {
	// Two accounts are sorted by account on disk; one goes straight
	// through in time order.
	for name, accounts := range map[string][]string{"two accounts": nil, "one account": {"111111111111"}} {
		t.Run(name, func(t *testing.T) { spillCorrelatesSameAsInMemory(t, accounts) })
	}
}

func spillCorrelatesSameAsInMemory(t *testing.T, accounts []string) {
	dir := correlationInputs(t, accounts, 0, 0)
	base := Options{Workers: 1, Filter: Filter{MinSeverity: model.Info}}
	mo := base
	mo.Store = learnedStore(t)
	mem := scan(t, []string{dir}, mo)
	if mem.Spill != nil {
		t.Fatal("held in memory at the default --max-held, yet spilled")
	}
	rules := map[string]int{}
	var timelines int
	for _, f := range mem.Findings {
		if slices.Contains(f.Tags, "correlation") {
			rules[f.Rule]++
		}
		if len(f.Timeline) > 0 {
			timelines++
		}
	}
	for _, r := range []string{"mass-change", "failed-then-succeeded", "recon-then-change", "short-lived-exposure", "first-seen-actor"} {
		if rules[r] == 0 {
			t.Errorf("the corpus makes no %s finding in memory (made %v)", r, rules)
		}
	}
	if timelines == 0 {
		t.Error("no finding has a session timeline in memory")
	}
	t.Logf("%d findings, correlations %v, %d with timelines", len(mem.Findings), rules, timelines)
	for _, maxHeld := range []int{6, 10, 30} {
		o := base
		o.MaxHeld = maxHeld
		o.Store = learnedStore(t)
		disk := scan(t, []string{dir}, o)
		sameAsInMemory(t, maxHeld, disk, mem)
		for name, st := range map[string]store.Store{"memory": mo.Store, "disk": o.Store} {
			if n, err := st.CountFindings(t.Context()); err != nil || n != int64(len(mem.Findings)) {
				t.Errorf("max-held %d: the %s scan's store holds %d findings (%v), want %d", maxHeld, name, n, err, len(mem.Findings))
			}
		}
		if err := disk.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// An account with more findings than --max-held and no quiet hour between
// them is correlated in pieces: the summary says so and what may be
// missed; at a --max-held that holds each sequence, it does not.
func TestSpillCorrelationCutSaysSo(t *testing.T) {
	dir := correlationInputs(t, nil, 0, 0)
	cut := func(n string) bool { return strings.Contains(n, "correlated in pieces of") }
	for _, c := range []struct {
		maxHeld int
		cut     bool
	}{{3, true}, {6, false}} {
		res := scan(t, []string{dir}, Options{Workers: 1, MaxHeld: c.maxHeld})
		if res.Spill == nil {
			t.Fatalf("max-held %d: not spilled", c.maxHeld)
		}
		i := slices.IndexFunc(res.Summary.Notices, cut)
		if (i >= 0) != c.cut {
			t.Errorf("max-held %d: notices %q; want a notice of cuts: %v", c.maxHeld, res.Summary.Notices, c.cut)
		}
		if i >= 0 && (!strings.Contains(res.Summary.Notices[i], "(aws 111111111111, aws 222222222222)") || !strings.Contains(res.Summary.Notices[i], "mass change")) {
			t.Errorf("the notice %q names neither the account nor what may be missed", res.Summary.Notices[i])
		}
		if slices.ContainsFunc(res.Summary.Notices, func(n string) bool { return strings.Contains(n, "not computed") }) {
			t.Errorf("max-held %d: a notice still says correlations were not computed", c.maxHeld)
		}
		res.Close()
	}
}

// An account whose sequences follow each other within the hour, past
// --max-held, is cut where they are furthest apart: each sequence is
// still found whole, the findings are those of a scan in memory, and the
// summary still says it was cut.
func TestSpillCorrelationCutAtWidestGap(t *testing.T) {
	dir := correlationInputs(t, nil, 0, 30*time.Minute)
	base := Options{Workers: 1, Filter: Filter{MinSeverity: model.Info}}
	mem := scan(t, []string{dir}, base)
	o := base
	o.MaxHeld = 7
	disk := scan(t, []string{dir}, o)
	defer disk.Close()
	if disk.Spill == nil {
		t.Fatal("not spilled")
	}
	if !slices.ContainsFunc(disk.Summary.Notices, func(n string) bool { return strings.Contains(n, "correlated in pieces of 7") }) {
		t.Errorf("no notice of cuts: %q", disk.Summary.Notices)
	}
	var got []model.Finding
	if err := disk.EachFinding(func(f model.Finding) error { got = append(got, f); return nil }); err != nil {
		t.Fatal(err)
	}
	if mem.Summary.Correlations < 20 {
		t.Fatalf("%d correlations in memory: the corpus does not exercise them", mem.Summary.Correlations)
	}
	same(t, "findings", got, mem.Findings)
}
