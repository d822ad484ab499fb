// Package correlate finds what single findings cannot show: sequences.
// Each correlation is a rule with its own id; it emits findings of its
// own, carrying that id, reasons and the ids of the findings it links,
// and links each member back (model.Finding.Related).
//
//	mass-change            one actor changing many firewalls in a short window
//	failed-then-succeeded  denied attempts, then a success, by the same identity or key, or another identity from the same address
//	short-lived-exposure   a rule opened, then removed again within an hour
//	first-seen-*           the first time a principal, source network, network class, user agent family or access key changes firewalls in an account, learned from the store
//
// Correlations read findings only (and, for first-seen, the store); they
// never change a member's severity.
package correlate

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"cloudwall/internal/model"
)

// Rule ids.
const (
	MassChange          = "mass-change"
	FailedThenSucceeded = "failed-then-succeeded"
	ShortLived          = "short-lived-exposure"
)

// Options tune the correlations; zero values take the defaults.
type Options struct {
	// MassWindow and MassMin: at least MassMin firewalls changed by one
	// actor within MassWindow (default 10 minutes, 5 firewalls).
	MassWindow time.Duration
	MassMin    int
	// FailWindow: how long before a success a denied attempt counts
	// (default 1 hour).
	FailWindow time.Duration
	// ShortWindow: an opening removed within it is short-lived (default 1 hour).
	ShortWindow time.Duration
	// MaxPerKey bounds what one window holds: the changes of one actor,
	// the failed attempts in one account, the openings of one firewall
	// (default 1000). Past it the oldest leave the window early and the
	// result says so.
	MaxPerKey int
	// MaxMembers bounds the findings one correlation lists in Related
	// (default 100); its reasons count the rest.
	MaxMembers int
}

func (o Options) withDefaults() Options {
	o.MassWindow = cmp.Or(o.MassWindow, 10*time.Minute)
	o.MassMin = cmp.Or(o.MassMin, 5)
	o.FailWindow = cmp.Or(o.FailWindow, time.Hour)
	o.ShortWindow = cmp.Or(o.ShortWindow, time.Hour)
	o.MaxPerKey = cmp.Or(o.MaxPerKey, 1000)
	o.MaxMembers = cmp.Or(o.MaxMembers, 100)
	return o
}

// Result is what Run found.
type Result struct {
	// Findings are the input findings, members linked, followed by the
	// correlations' own findings.
	Findings []model.Finding
	// Made counts the correlation findings at the end of Findings.
	Made int
	// Capped says which windows hit Options.MaxPerKey and how often: the
	// correlations there may have missed a sequence.
	Capped []string
	// Caps counts the same, for adding up the runs of several groups.
	Caps Caps
}

// Caps counts how often a window of each kind hit Options.MaxPerKey.
type Caps struct{ Mass, Fails, Opens int }

// Add returns the sum of c and d.
func (c Caps) Add(d Caps) Caps {
	return Caps{Mass: c.Mass + d.Mass, Fails: c.Fails + d.Fails, Opens: c.Opens + d.Opens}
}

// Notices says which windows hit Options.MaxPerKey and how often.
func (c Caps) Notices(o Options) []string {
	o = o.withDefaults()
	var out []string
	for _, x := range []struct {
		what string
		n    int
	}{{"changes by one actor (mass-change)", c.Mass}, {"failed attempts in one account (failed-then-succeeded)", c.Fails}, {"openings of one firewall (short-lived-exposure)", c.Opens}} {
		if x.n > 0 {
			out = append(out, fmt.Sprintf("correlation window full: %d time(s) more than %d %s fell in one window; the oldest left it early, so a sequence may be missed", x.n, o.MaxPerKey, x.what))
		}
	}
	return out
}

// Span is the longest time two findings can be apart and still be joined
// by a correlation or appear in each other's timeline: findings further
// apart than Span from every other can be correlated separately.
func (o Options) Span() time.Duration {
	o = o.withDefaults()
	return max(o.MassWindow, o.FailWindow, o.ShortWindow, SessionWindow, ReconWindow)
}

// Run correlates findings in one pass in event-time order, holding only
// what the windows need (Options.MaxPerKey per actor, account or
// firewall). The input slice is not modified.
func Run(findings []model.Finding, opts Options) Result {
	opts = opts.withDefaults()
	out := slices.Clone(findings)
	idx := make(map[string]int, len(out))
	order := make([]*model.Finding, len(out))
	for i := range out {
		idx[out[i].ID] = i
		order[i] = &out[i]
	}
	byTime(order)
	r := newRunner(opts)
	for _, f := range order {
		r.add(f)
	}
	ms := r.finish()
	res := Result{Findings: link(out, ms, idx), Made: len(ms)}
	res.Caps = Caps{Mass: r.mass.capped, Fails: r.fails.capped, Opens: r.opens.capped}
	res.Capped = res.Caps.Notices(opts)
	return res
}

// runner holds the windows of every correlation during one pass.
type runner struct {
	o     Options
	mass  massWindows
	fails failWindows
	opens openWindows
	made  []made
	n     int
}

func newRunner(o Options) *runner {
	return &runner{o: o, mass: massWindows{by: map[string][]*model.Finding{}},
		fails: failWindows{by: map[string][]*model.Finding{}}, opens: openWindows{by: map[string][]opening{}}}
}

// sweepEvery is how many findings pass between sweeps of idle windows.
const sweepEvery = 4096

func (r *runner) add(f *model.Finding) {
	r.made = r.mass.add(r.made, f, r.o)
	r.made = r.fails.add(r.made, f, r.o)
	r.made = r.opens.add(r.made, f, r.o)
	if r.n++; r.n%sweepEvery == 0 {
		r.made = r.mass.sweep(r.made, f.Time, r.o)
		r.fails.sweep(f.Time, r.o.FailWindow)
		r.opens.sweep(f.Time, r.o.ShortWindow)
	}
}

func (r *runner) finish() []made {
	return r.mass.flush(r.made, r.o)
}

// made is a correlation finding and every member's id (Related lists at
// most Options.MaxMembers of them).
type made struct {
	f       model.Finding
	members []string
}

// linkOthers is the largest correlation whose members also list each
// other; members of a larger one list only the correlation.
const linkOthers = 10

// link appends correlation findings to fs and adds to each member a
// Related entry for the correlation finding and, in small correlations,
// for the other members.
func link(fs []model.Finding, ms []made, idx map[string]int) []model.Finding {
	for _, c := range ms {
		for _, id := range c.members {
			i, ok := idx[id]
			if !ok {
				continue
			}
			m := &fs[i]
			m.Related = addRelated(m.Related, model.Related{ID: c.f.ID, Correlation: c.f.Rule})
			if len(c.members) <= linkOthers {
				for _, other := range c.members {
					if other != m.ID {
						m.Related = addRelated(m.Related, model.Related{ID: other, Correlation: c.f.Rule})
					}
				}
			}
			m.Tags = addTag(m.Tags, c.f.Rule)
		}
	}
	for _, c := range ms {
		fs = append(fs, c.f)
	}
	return fs
}

func addRelated(rs []model.Related, r model.Related) []model.Related {
	if slices.Contains(rs, r) {
		return rs
	}
	return append(rs, r)
}

func addTag(tags []string, t string) []string {
	if slices.Contains(tags, t) {
		return tags
	}
	return append(tags, t)
}

// actorKey groups findings by who did them, per cloud and account: the
// resolved identity where there is one.
func actorKey(f *model.Finding) string {
	who := cmp.Or(f.Identity, f.Actor.ID, f.Actor.Name)
	if who == "" {
		return ""
	}
	return string(f.Cloud) + "\x00" + f.Account + "\x00" + strings.ToLower(who)
}

// changed reports whether f is a change that took effect and weakened or
// touched a firewall (not a failed attempt, not a closing change).
func changed(f *model.Finding) bool {
	return f.Outcome == model.Success && f.Severity > model.Info && !slices.Contains(f.Tags, "dry-run")
}

// worldOpen reports whether f opened something to the whole internet:
// detect names a world-open peer group "internet", "IPv4 internet" or
// "IPv6 internet" at the start of an exposure line ("egress to " first
// for egress).
func worldOpen(f *model.Finding) bool {
	for _, line := range f.Exposure {
		line = strings.TrimPrefix(line, "egress to ")
		for _, w := range []string{"internet", "IPv4 internet", "IPv6 internet"} {
			if line == w || strings.HasPrefix(line, w+" ") {
				return true
			}
		}
	}
	return false
}

// failed reports whether f is a denied or failed attempt.
func failed(f *model.Finding) bool {
	return f.Outcome == model.Failure || slices.Contains(f.Tags, "dry-run")
}

// automated reports whether f was made by an identity known as
// automation (configured, service-linked, a controller) or inside an
// approved change: identity facts and human decisions, never what the
// caller chose.
func automated(f *model.Finding) bool {
	if slices.Contains(f.Tags, "claimed-automation") || slices.Contains(f.Tags, model.OutsideApproval) {
		return false
	}
	return slices.ContainsFunc(f.Tags, func(t string) bool {
		return t == "iac" || t == "service-linked" || t == "controller" || t == model.Approved
	})
}

// severityOf is a correlation's severity: at least floor and its highest
// member's, unless every member is automation or approved, when it is low
// (a Terraform run changing ten groups is what pipelines do; the members
// keep their own severity, a world-open admin port stays high there).
func severityOf(floor model.Severity, members []*model.Finding) (model.Severity, []string) {
	if !slices.ContainsFunc(members, func(m *model.Finding) bool { return !automated(m) }) {
		return model.Low, []string{"every member was made by known automation or inside an approved change: the sequence is reported at low; each member keeps its own severity"}
	}
	return max(floor, maxSeverity(members)), nil
}

// newFinding builds a correlation finding from its members (oldest
// first); its id is stable for the same members. At most maxMembers are
// listed in Related; the reasons count the rest.
func newFinding(rule, title string, floor model.Severity, members []*model.Finding, reasons []string, maxMembers int) made {
	sev, why := severityOf(floor, members)
	reasons = append(reasons, why...)
	h := sha256.New()
	h.Write([]byte(rule))
	var rel []model.Related
	ids := make([]string, len(members))
	for i, m := range members {
		ids[i] = m.ID
		h.Write([]byte{0})
		h.Write([]byte(m.ID))
		if i < maxMembers {
			rel = append(rel, model.Related{ID: m.ID, Correlation: rule})
		}
	}
	if len(members) > maxMembers {
		reasons = append(reasons, fmt.Sprintf("%d members; the first %d are listed in related", len(members), maxMembers))
	}
	first := members[0]
	return made{members: ids, f: model.Finding{
		ID:        hex.EncodeToString(h.Sum(nil)[:8]),
		Rule:      rule,
		Title:     title,
		Severity:  sev,
		Cloud:     first.Cloud,
		Time:      first.Time,
		Account:   first.Account,
		Region:    first.Region,
		Resource:  first.Resource,
		Operation: first.Operation,
		Outcome:   model.Success,
		Actor:     first.Actor,
		Identity:  first.Identity,
		SourceIP:  first.SourceIP,
		UserAgent: first.UserAgent,
		Changes:   []model.RuleChange{},
		Tags:      []string{"correlation"},
		Reasons:   reasons,
		Attack:    slices.Clone(model.AttackIDs),
		Event:     first.Event,
		Related:   rel,
	}}
}

func byTime(fs []*model.Finding) {
	slices.SortFunc(fs, func(a, b *model.Finding) int { return cmp.Or(a.Time.Compare(b.Time), strings.Compare(a.ID, b.ID)) })
}

func maxSeverity(fs []*model.Finding) model.Severity {
	s := model.Info
	for _, f := range fs {
		s = max(s, f.Severity)
	}
	return s
}
