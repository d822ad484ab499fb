// Package audit judges firewall snapshots (package snapshot) the way the
// scan judges calls: every rule in force is weighed by package detect, then
// placed in context the snapshot gives: what the firewall is attached to
// (an open group on nothing, or only on a load balancer's web ports, is not
// one on an instance with a public address), evaluation order (an allow
// shadowed by a deny, a deny shadowed by an allow), temporary and stale
// exceptions, default groups with rules. It also judges what a Terraform
// plan would change (Plan) and what changed between two snapshot sets
// (Diff). Findings use the scan's model.Finding, so every output format,
// filter and exit code applies as is.
package audit

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"cloudwall/internal/detect"
	"cloudwall/internal/model"
	"cloudwall/internal/snapshot"
	"cloudwall/internal/state"
)

// Options tunes an audit.
type Options struct {
	// StaleAfter is the age from which a broad rule with a creation date
	// is reported as stale; 0 means 90 days.
	StaleAfter time.Duration
	// Now is when rule ages are measured; zero means time.Now().
	Now time.Time
}

// DefaultStaleAfter is Options.StaleAfter's default.
const DefaultStaleAfter = 90 * 24 * time.Hour

// Auditor judges snapshots with one detector.
type Auditor struct {
	d    *detect.Detector
	opts Options
}

// New returns an Auditor.
func New(d *detect.Detector, opts Options) *Auditor {
	if opts.StaleAfter <= 0 {
		opts.StaleAfter = DefaultStaleAfter
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	return &Auditor{d: d, opts: opts}
}

// Audit returns the findings about the firewalls of set, and about what
// its Terraform plans would change, ranked worst first. set is one read
// in memory (without snapshot.Options.MaxHeld); Each reads any.
func (a *Auditor) Audit(set *snapshot.Set) []model.Finding {
	var out []model.Finding
	// Reading firewalls held in memory cannot fail.
	_ = a.Each(set, func(f model.Finding) error {
		out = append(out, f)
		return nil
	})
	Rank(out)
	return out
}

// Each calls fn with each finding Audit returns, before ranking: the
// firewalls' in their order, then the plans'. A firewall is judged as
// it is read back (snapshot.Set.EachFirewall), so a set read with
// snapshot.Options.MaxHeld is never held whole; it fails when that
// reading or fn does.
func (a *Auditor) Each(set *snapshot.Set, fn func(model.Finding) error) error {
	err := set.EachFirewall(func(fw *model.Firewall) error {
		for _, f := range a.firewall(set, fw) {
			if err := fn(f); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, p := range set.Plans {
		for _, f := range a.plan(p) {
			if err := fn(f); err != nil {
				return err
			}
		}
	}
	return nil
}

// Rank orders findings worst first, then by resource and title, so output
// is stable.
func Rank(fs []model.Finding) { slices.SortStableFunc(fs, RankOrder) }

// RankOrder is the order of Rank, for findings ranked without being held
// (a stable sort on disk).
func RankOrder(x, y model.Finding) int {
	return cmp.Or(cmp.Compare(y.Severity, x.Severity), cmp.Compare(x.Cloud, y.Cloud),
		cmp.Compare(x.Resource.ID, y.Resource.ID), cmp.Compare(x.Rule, y.Rule), cmp.Compare(x.Title, y.Title), cmp.Compare(x.ID, y.ID))
}

// firewall judges one firewall's rules in force.
func (a *Auditor) firewall(set *snapshot.Set, fw *model.Firewall) []model.Finding {
	var out []model.Finding
	// One piece of code decides what a firewall allows: the state
	// engine's evaluation order finds the rules others decide for.
	order := state.Shadows(fw, a.d)
	for i := range fw.Rules {
		r := &fw.Rules[i]
		if r.Disabled || r.Builtin {
			continue
		}
		sh := order[i]
		switch {
		case sh.Full && r.Action == model.Allow:
			out = append(out, a.shadowedAllow(fw, r, sh.By))
			continue
		case sh.Full && r.Action == model.Deny:
			out = append(out, a.shadowedDeny(fw, r, sh.By))
		}
		if r.Action == model.Deny {
			continue
		}
		rc, resolved := resolvePrefixLists(set, r.RuleChange)
		j := a.d.JudgeRule(fw.Resource.Type, rc)
		j.Reasons = append(resolved, j.Reasons...)
		var partly []*model.Rule
		if !sh.Full {
			partly = sh.By
		}
		if f, ok := a.broad(set, fw, r, j, partly); ok {
			out = append(out, f)
		}
		out = append(out, a.hygiene(fw, r, j)...)
	}
	if f, ok := a.defaultGroup(fw); ok {
		out = append(out, f)
	}
	return out
}

// finding builds the output record for one audit rule about one firewall
// rule (r may be nil for a finding about the whole firewall).
func finding(ruleID string, fw *model.Firewall, r *model.Rule, sev model.Severity, title string) model.Finding {
	key := snapshot.Key(fw)
	f := model.Finding{
		Rule:      ruleID,
		Title:     title,
		Severity:  sev,
		Cloud:     fw.Cloud,
		Time:      fw.AsOf.UTC(),
		Account:   fw.Account,
		Region:    fw.Region,
		Resource:  fw.Resource,
		Operation: "snapshot",
		// The finding contract has two outcomes: the state shown is in
		// force, so the "call" that made it took effect.
		Outcome: model.Success,
		Changes: []model.RuleChange{},
		Reasons: []string{},
		Attack:  slices.Clone(model.AttackIDs),
		Event:   model.EventRef{File: fw.Source.File, Index: fw.Source.Index},
		Tags:    []string{"posture"},
	}
	if fw.AsOf.IsZero() {
		f.Time = time.Time{}
	}
	if r != nil {
		// A rule in force reads, in the finding contract, as added.
		rc := r.RuleChange
		rc.Effect = model.Added
		f.Changes = []model.RuleChange{rc}
		key += "\x00" + ruleIdentity(fw, r)
		f.Event.EventID = r.ID
		if r.Address != "" {
			f.Resource.Address = r.Address
		}
	}
	if a := f.Resource.Address; a != "" && !strings.HasPrefix(title, a+" ") {
		// Terraform code is fixed by address: the title names it, as a
		// plan finding's does.
		f.Title = a + ": " + title
	}
	if g, ok := guidance[ruleID]; ok {
		f.Guidance = &model.Guidance{Investigate: slices.Clone(g.Investigate), Respond: slices.Clone(g.Respond)}
	}
	f.ID = findingID(ruleID, key)
	return f
}

// ruleIdentity is the rule's key plus its content, so two rules sharing a
// key (one per peer in a security group) get distinct finding ids.
func ruleIdentity(fw *model.Firewall, r *model.Rule) string {
	var peers []string
	for _, p := range r.Peers {
		peers = append(peers, p.String())
	}
	return snapshot.RuleKey(fw, r) + "|" + string(r.Action) + "|" + r.Protocol + "|" + strings.Join(r.Ports.Strings(), ",") + "|" + strings.Join(peers, ",")
}

func findingID(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:8])
}

// paasKind names the non-SQL servers whose start-end firewall rules share
// the sql_server firewall of the state, from the provider in their id.
func paasKind(id string) string {
	low := strings.ToLower(id)
	for _, k := range [][2]string{
		{"/providers/microsoft.cache/redis/", "Redis cache"},
		{"/providers/microsoft.synapse/workspaces/", "Synapse workspace"},
		{"/providers/microsoft.dbforpostgresql/", "PostgreSQL server"},
		{"/providers/microsoft.dbformysql/", "MySQL server"},
		{"/providers/microsoft.dbformariadb/", "MariaDB server"},
	} {
		if strings.Contains(low, k[0]) {
			return k[1]
		}
	}
	return ""
}

// label names a firewall in titles: "security group sg-0abc (web)".
func label(fw *model.Firewall) string {
	kind := map[string]string{
		"security_group":          "Security group",
		"network_acl":             "Network ACL",
		"nsg":                     "NSG",
		"network":                 "VPC network",
		"sql_server":              "SQL server",
		"rule_collection_group":   "Firewall policy rule collection group",
		"azure_firewall":          "Azure Firewall",
		"firewall_policy":         "Firewall policy",
		"network_firewall_policy": "Network firewall policy",
		"network_firewall":        "Network Firewall",
		"rule_group":              "Network Firewall rule group",
		"storage_account":         "Storage account",
		"cloudsql_instance":       "Cloud SQL instance",
	}[fw.Resource.Type]
	if k := paasKind(fw.Resource.ID); k != "" && fw.Resource.Type == "sql_server" {
		kind = k
	}
	if kind == "" {
		kind = strings.ReplaceAll(fw.Resource.Type, "_", " ")
	}
	id := fw.Resource.ID
	if i := strings.LastIndex(id, "/"); i >= 0 && fw.Cloud != model.GCP {
		id = id[i+1:]
	}
	if fw.Cloud == model.GCP && fw.Resource.Name != "" {
		id = fw.Resource.Name
	}
	if fw.Resource.Name != "" && fw.Resource.Name != id {
		return kind + " " + id + " (" + fw.Resource.Name + ")"
	}
	return kind + " " + id
}

// ruleLabel names a rule in titles when it has a name ("rule ssh-in").
func ruleLabel(r *model.Rule) string {
	if r.Name == "" {
		return ""
	}
	return " rule " + r.Name
}

// open turns detect's "opened to ..." phrase into the present tense.
func open(change string) string {
	if s, ok := strings.CutPrefix(change, "opened"); ok {
		return "open" + s
	}
	return change
}

// lower moves s down by steps, not below floor.
func lower(s model.Severity, steps int, floor model.Severity) model.Severity {
	if s <= floor {
		return s
	}
	return max(s-model.Severity(steps), floor)
}

// resolvePrefixLists replaces AWS managed prefix list peers by the CIDRs
// the snapshot lists for them (get-managed-prefix-list-entries,
// describe-prefix-lists): a rule referencing a list is as wide as the
// list. Lists without entries in the snapshot stay references.
func resolvePrefixLists(set *snapshot.Set, rc model.RuleChange) (model.RuleChange, []string) {
	var reasons []string
	var peers []model.Peer
	for _, p := range rc.Peers {
		pl := (*snapshot.PrefixList)(nil)
		if p.Kind == model.PeerPrefixList {
			pl = set.PrefixList(p.Value)
		}
		if pl == nil || len(pl.CIDRs) == 0 {
			peers = append(peers, p)
			continue
		}
		for _, c := range pl.CIDRs {
			peers = append(peers, model.Peer{Kind: model.PeerCIDR, Value: c})
		}
		reasons = append(reasons, fmt.Sprintf("prefix list %s holds %s (from %s)", p.Value, strings.Join(pl.CIDRs, ", "), pl.Source.File))
	}
	rc.Peers = peers
	return rc, reasons
}
