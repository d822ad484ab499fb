// Package policy applies a configuration's human decisions to findings:
// approved change records and suppressions.
//
// A finding whose account and resource an approval record covers is
// judged against it: inside the record in every respect (actor, window,
// ports, peers) it shows the ticket and drops to low; otherwise it keeps
// its severity and says how it is outside the approval. A finding matched
// by an active suppression is taken out of the report, counted and kept
// for --show-suppressed; an expired suppression no longer hides anything
// and says so. Nothing here raises or hides a finding silently.
package policy

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"cloudwall/internal/config"
	"cloudwall/internal/model"
)

// Result is the outcome of Apply.
type Result struct {
	// Shown are the findings to report, Suppressed the ones an active
	// suppression hides (each with its Suppression set).
	Shown, Suppressed []model.Finding
	// Notices tell the reader about expired suppressions and
	// suppressions that matched nothing.
	Notices []string
}

// Apply judges findings against cfg's approvals and suppressions at now
// (suppression expiry is a wall-clock matter; approval windows are
// compared with the event time).
func Apply(cfg *config.Config, findings []model.Finding, now time.Time) Result {
	var res Result
	if cfg == nil {
		res.Shown = findings
		return res
	}
	j := NewJudge(cfg, now)
	for _, f := range findings {
		if f, hidden := j.Judge(f); hidden {
			res.Suppressed = append(res.Suppressed, f)
		} else {
			res.Shown = append(res.Shown, f)
		}
	}
	res.Notices = j.Notices()
	return res
}

// Approve judges each finding against cfg's approval records, in place,
// before anything else reads them (the correlations read whether a member
// was approved); Judge does not judge a finding twice.
func Approve(cfg *config.Config, findings []model.Finding) {
	if cfg == nil {
		return
	}
	for i := range findings {
		approve(cfg.Approvals, &findings[i])
	}
}

// Judge is Apply one finding at a time, for a scan that does not hold
// every finding at once.
type Judge struct {
	cfg               *config.Config
	now               time.Time
	hits, expiredHits []int
}

// NewJudge returns a Judge for cfg (nil: nothing configured) at now.
func NewJudge(cfg *config.Config, now time.Time) *Judge {
	j := &Judge{cfg: cfg, now: now}
	if cfg != nil {
		j.hits = make([]int, len(cfg.Suppressions))
		j.expiredHits = make([]int, len(cfg.Suppressions))
	}
	return j
}

// Judge returns f judged against the approvals, and whether an active
// suppression hides it.
func (j *Judge) Judge(f model.Finding) (model.Finding, bool) {
	cfg := j.cfg
	if cfg == nil {
		return f, false
	}
	if f.Approval == nil {
		approve(cfg.Approvals, &f)
	}
	i, active := suppressedBy(cfg.Suppressions, &f, j.now)
	switch {
	case i < 0:
		return f, false
	case active:
		s := cfg.Suppressions[i]
		j.hits[i]++
		f.Suppression = &model.SuppressionRef{ID: s.ID, Owner: s.Owner, Reason: s.Reason, Expires: s.Expires}
		f.Tags = appendUnique(f.Tags, "suppressed")
		f.Reasons = append(f.Reasons, fmt.Sprintf("suppressed by %s (owner %s, until %s): %s", s.ID, s.Owner, day(s.Expires), s.Reason))
		return f, true
	default:
		s := cfg.Suppressions[i]
		j.expiredHits[i]++
		f.Tags = appendUnique(f.Tags, "suppression-expired")
		f.Reasons = append(f.Reasons, fmt.Sprintf("suppression %s (owner %s) expired on %s and no longer hides this finding", s.ID, s.Owner, day(s.Expires)))
		return f, false
	}
}

// Notices tell about expired suppressions and suppressions that matched
// none of the findings judged so far.
func (j *Judge) Notices() []string {
	if j.cfg == nil {
		return nil
	}
	var out []string
	for i, s := range j.cfg.Suppressions {
		switch {
		case !j.now.Before(s.Expires):
			out = append(out, fmt.Sprintf("suppression %s (owner %s, %s) expired on %s: %d matching finding(s) shown again; renew or remove it",
				s.ID, s.Owner, s.Source, day(s.Expires), j.expiredHits[i]))
		case j.hits[i] == 0:
			out = append(out, fmt.Sprintf("suppression %s (owner %s, %s) matched no finding in this scan", s.ID, s.Owner, s.Source))
		}
	}
	return out
}

// day renders the last day a suppression applied (Expires is exclusive).
func day(t time.Time) string {
	if t.Equal(t.Truncate(24 * time.Hour)) {
		return t.Add(-time.Nanosecond).Format("2006-01-02")
	}
	return t.Format(time.RFC3339)
}

// suppressedBy returns the first suppression matching f, preferring an
// active one, and whether it is active at now; -1 when none matches.
func suppressedBy(sups []config.Suppression, f *model.Finding, now time.Time) (int, bool) {
	expired := -1
	for i, s := range sups {
		if !matches(s.Match, f) {
			continue
		}
		if now.Before(s.Expires) {
			return i, true
		}
		if expired < 0 {
			expired = i
		}
	}
	return expired, false
}

// matches reports whether every field the scope sets matches f.
func matches(s config.Scope, f *model.Finding) bool {
	return (len(s.Rules) == 0 || config.AnyMatch(s.Rules, f.Rule)) &&
		(len(s.Findings) == 0 || config.AnyMatch(s.Findings, f.ID)) &&
		(len(s.Clouds) == 0 || config.AnyMatch(s.Clouds, string(f.Cloud))) &&
		(len(s.Accounts) == 0 || config.AnyMatch(s.Accounts, f.Account)) &&
		(len(s.Resources) == 0 || config.AnyMatch(s.Resources, f.Resource.ID, f.Resource.Name)) &&
		(len(s.Actors) == 0 || config.AnyMatch(s.Actors, actorValues(f.Actor)...))
}

// actorValues are the strings an actor pattern may match: the logged id
// and name, and the resolved identities (role ARN of a session).
func actorValues(a model.Actor) []string {
	v := []string{a.ID, a.Name}
	id := config.IdentitiesOf(a)
	for _, l := range [][]string{id.Roles, id.Users, id.ServiceAccounts, id.AppIDs} {
		v = append(v, l...)
	}
	return v
}

func appendUnique(s []string, v string) []string {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}

// approve judges f against the approval records covering its account and
// resource.
func approve(aps []config.Approval, f *model.Finding) {
	var best *config.Approval
	var bestOut []string
	for i := range aps {
		a := &aps[i]
		if len(a.Accounts) > 0 && !config.AnyMatch(a.Accounts, f.Account) ||
			len(a.Resources) > 0 && !config.AnyMatch(a.Resources, f.Resource.ID, f.Resource.Name) {
			continue
		}
		out := outside(a, f)
		if best == nil || len(out) < len(bestOut) {
			best, bestOut = a, out
		}
		if len(out) == 0 {
			break
		}
	}
	if best == nil {
		return
	}
	ref := &model.ApprovalRef{Ticket: best.Ticket, Source: best.Source}
	f.Approval = ref
	if len(bestOut) > 0 {
		ref.Status, ref.Outside = model.OutsideApproval, bestOut
		f.Tags = appendUnique(f.Tags, model.OutsideApproval)
		f.Reasons = append(f.Reasons, fmt.Sprintf("outside approved change %s: %s", best.Ticket, strings.Join(bestOut, "; ")))
		return
	}
	ref.Status = model.Approved
	f.Tags = appendUnique(f.Tags, model.Approved)
	if f.Severity > model.Low {
		f.Reasons = append(f.Reasons, fmt.Sprintf("inside approved change %s (%s): lowered from %s to low", best.Ticket, best.Source, f.Severity))
		f.Severity = model.Low
	} else {
		f.Reasons = append(f.Reasons, fmt.Sprintf("inside approved change %s (%s)", best.Ticket, best.Source))
	}
}

// outside lists every way f differs from approval a.
func outside(a *config.Approval, f *model.Finding) []string {
	var out []string
	if !config.AnyMatch(a.Who, actorValues(f.Actor)...) {
		out = append(out, fmt.Sprintf("made by %s, approved for %s", actorName(f.Actor), globs(a.Who)))
	}
	switch {
	case f.Time.Before(a.From):
		out = append(out, fmt.Sprintf("at %s, before the approved window (%s to %s)", f.Time.Format(time.RFC3339), a.From.Format(time.RFC3339), a.Until.Format(time.RFC3339)))
	case !f.Time.Before(a.Until):
		out = append(out, fmt.Sprintf("at %s, after the approved window ended (%s)", f.Time.Format(time.RFC3339), a.Until.Format(time.RFC3339)))
	}
	for _, ch := range f.Changes {
		if ch.Effect == model.Removed || ch.Action == model.Deny {
			continue
		}
		out = append(out, portsOutside(a, ch)...)
		out = append(out, peersOutside(a, ch)...)
		if ch.PeersOmitted > 0 {
			// The finding lists a bounded number of peers: the rest
			// cannot be shown to be inside the approval.
			out = append(out, fmt.Sprintf("%d more peers not listed in the finding, so not checked against the approval", ch.PeersOmitted))
		}
	}
	return dedupe(out)
}

func portsOutside(a *config.Approval, ch model.RuleChange) []string {
	if len(a.Ports) == 0 {
		return nil
	}
	var out []string
	for _, r := range ch.Ports {
		if !slices.ContainsFunc(a.Ports, func(ap model.PortRange) bool { return ap.From <= r.From && r.To <= ap.To }) {
			out = append(out, fmt.Sprintf("port %s not approved (approved: %s)", r, strings.Join(a.Ports.Strings(), ", ")))
		}
	}
	return out
}

func peersOutside(a *config.Approval, ch model.RuleChange) []string {
	var out []string
	for _, p := range ch.Peers {
		pfx, ok := peerPrefix(p)
		switch {
		case len(a.Peers) == 0 && ok && pfx.Bits() == 0, len(a.Peers) == 0 && worldName(p):
			out = append(out, fmt.Sprintf("peer %s is world-open and the approval names no peers", p))
		case len(a.Peers) == 0:
		case !ok && worldName(p):
			out = append(out, fmt.Sprintf("peer %s is world-open, wider than the approved %s", p, prefixes(a.Peers)))
		case !ok:
			out = append(out, fmt.Sprintf("peer %s is not among the approved %s", p, prefixes(a.Peers)))
		case !slices.ContainsFunc(a.Peers, func(ap netip.Prefix) bool {
			return ap.Addr().Is4() == pfx.Addr().Is4() && ap.Bits() <= pfx.Bits() && ap.Contains(pfx.Addr())
		}):
			out = append(out, fmt.Sprintf("peer %s is wider than or outside the approved %s", p, prefixes(a.Peers)))
		}
	}
	return out
}

// peerPrefix reads a CIDR or address peer.
func peerPrefix(p model.Peer) (netip.Prefix, bool) {
	if p.Kind != model.PeerCIDR {
		return netip.Prefix{}, false
	}
	v := strings.TrimSpace(p.Value)
	if pfx, err := netip.ParsePrefix(v); err == nil {
		return pfx.Masked(), true
	}
	if a, err := netip.ParseAddr(v); err == nil {
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	return netip.Prefix{}, false
}

// worldName recognises the non-CIDR spellings of every address.
func worldName(p model.Peer) bool {
	v := strings.ToLower(strings.TrimSpace(p.Value))
	return p.Kind == model.PeerAny || p.Kind == model.PeerServiceTag && v == "internet" ||
		p.Kind == model.PeerRange && (strings.HasPrefix(v, "0.0.0.0-255.255.255.255"))
}

func actorName(a model.Actor) string {
	if a.ID != "" {
		return a.ID
	}
	if a.Name != "" {
		return a.Name
	}
	return "an unknown actor"
}

func globs(gs []config.Glob) string {
	s := make([]string, len(gs))
	for i, g := range gs {
		s[i] = g.String()
	}
	return strings.Join(s, ", ")
}

func prefixes(ps []netip.Prefix) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ", ")
}

func dedupe(s []string) []string {
	var out []string
	for _, v := range s {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
