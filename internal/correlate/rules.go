package correlate

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"cloudwall/internal/model"
)

// massWindows: one actor changing at least MassMin distinct firewalls
// within MassWindow (Pacu ec2__backdoor_ec2_sec_groups opens every group
// it can list). Each actor's window starts at its oldest change; when a
// change falls past it, the window is judged and, if it is a mass change,
// reported and emptied, else its oldest change leaves. Clusters do not
// overlap.
type massWindows struct {
	by     map[string][]*model.Finding
	capped int
}

func (m *massWindows) add(out []made, f *model.Finding, o Options) []made {
	k := actorKey(f)
	if k == "" || !changed(f) {
		return out
	}
	w := m.by[k]
	for len(w) > 0 && f.Time.Sub(w[0].Time) > o.MassWindow {
		w, out = m.judge(out, w, o)
	}
	if len(w) >= o.MaxPerKey {
		m.capped++
		w, out = m.judge(out, w, o)
	}
	m.by[k] = append(w, f)
	return out
}

// judge reports w if it is a mass change (and empties it), else drops
// its oldest change.
func (m *massWindows) judge(out []made, w []*model.Finding, o Options) ([]*model.Finding, []made) {
	res := map[string]bool{}
	for _, f := range w {
		res[f.Resource.ID] = true
	}
	if len(res) < o.MassMin {
		w[0] = nil
		return w[1:], out
	}
	members := slices.Clone(w)
	span := members[len(members)-1].Time.Sub(members[0].Time)
	floor, why := model.High, fmt.Sprintf("%d changes to %d firewalls by one actor within %s (at least %d within %s is a mass change, the pattern of Pacu's ec2__backdoor_ec2_sec_groups)",
		len(members), len(res), span.Round(1e9), o.MassMin, o.MassWindow)
	if top := maxSeverity(members); top < model.Medium && !slices.ContainsFunc(members, worldOpen) {
		// Pacu opens groups to the world; a batch of small changes,
		// none open to the internet, is an ordinary apply.
		floor, why = model.Low, fmt.Sprintf("%d changes to %d firewalls by one actor within %s, none exposing more than %s and none open to the internet: reported at low (a batch of small changes is what a pipeline's apply looks like)",
			len(members), len(res), span.Round(1e9), top)
	}
	out = append(out, newFinding(MassChange,
		fmt.Sprintf("%s changed %d firewalls in %s", actorName(members[0]), len(res), span.Round(1e9)),
		floor, members, []string{why}, o.MaxMembers))
	clear(w)
	return w[:0], out
}

// sweep judges the windows of actors idle since before now-MassWindow
// and forgets them.
func (m *massWindows) sweep(out []made, now time.Time, o Options) []made {
	for k, w := range m.by {
		if len(w) > 0 && now.Sub(w[len(w)-1].Time) <= o.MassWindow {
			continue
		}
		for len(w) > 0 {
			w, out = m.judge(out, w, o)
		}
		delete(m.by, k)
	}
	return out
}

// flush judges what is left, actors in a stable order.
func (m *massWindows) flush(out []made, o Options) []made {
	for _, k := range slices.Sorted(maps.Keys(m.by)) {
		w := m.by[k]
		for len(w) > 0 {
			w, out = m.judge(out, w, o)
		}
	}
	m.by = map[string][]*model.Finding{}
	return out
}

// failWindows: a change that took effect after denied or failed attempts
// at the same firewall or operation in the same account within
// FailWindow, by the same identity, the same access key, or another
// identity from the same source address. Failed attempts are kept per
// account for FailWindow.
type failWindows struct {
	by map[string][]*model.Finding
	// last is, per account, the last correlation made and the failures
	// it holds: a later success after the same failures joins it.
	last   map[string]lastFail
	capped int
}

type lastFail struct {
	i     int // index in out
	fails string
	// members are the failures, then the successes so far.
	members []*model.Finding
	how     []string
}

func accountKey(f *model.Finding) string { return string(f.Cloud) + "\x00" + f.Account }

func (m *failWindows) add(out []made, s *model.Finding, o Options) []made {
	k := accountKey(s)
	w := prune(m.by[k], s.Time, o.FailWindow)
	if failed(s) {
		if len(w) >= o.MaxPerKey {
			m.capped++
			w[0] = nil
			w = w[1:]
		}
		m.by[k] = append(w, s)
		return out
	}
	m.by[k] = w
	if !changed(s) || len(w) == 0 {
		return out
	}
	var members []*model.Finding
	var how []string
	for _, f := range w {
		if !f.Time.Before(s.Time) {
			continue
		}
		// What was denied is what later succeeded: the same firewall
		// or the same operation.
		if f.Resource.ID != s.Resource.ID && f.Operation != s.Operation {
			continue
		}
		var why string
		switch {
		case actorKey(f) != "" && actorKey(f) == actorKey(s):
			why = "by the same identity"
		case f.Actor.Session != "" && f.Actor.Session == s.Actor.Session:
			why = "with the same key or session " + s.Actor.Session
		case f.SourceIP != "" && f.SourceIP == s.SourceIP && !strings.HasSuffix(f.SourceIP, ".amazonaws.com"):
			why = fmt.Sprintf("by another identity (%s) from the same address %s", actorName(f), f.SourceIP)
		default:
			continue
		}
		members = append(members, f)
		if len(how) < 10 {
			how = append(how, fmt.Sprintf("%s %s at %s (%s)", f.Operation, cmpOr(f.ErrorCode, "failed"), f.Time.Format("15:04:05Z"), why))
		}
	}
	if len(members) == 0 {
		return out
	}
	var ids strings.Builder
	for _, f := range members {
		ids.WriteString(f.ID + "\x00")
	}
	fails := len(members)
	if l, ok := m.last[k]; ok && l.fails == ids.String() && l.i < len(out) {
		// The same failures, then another success: one sequence.
		l.members = append(l.members, s)
		out[l.i] = failFinding(l.members, fails, l.how, o)
		m.last[k] = l
		return out
	}
	members = append(members, s)
	if m.last == nil {
		m.last = map[string]lastFail{}
	}
	m.last[k] = lastFail{i: len(out), fails: ids.String(), members: members, how: how}
	return append(out, failFinding(members, fails, how, o))
}

// failFinding is the correlation of failures members[:fails] and the
// successes after them. When every failure is a dry run the sequence is
// told as one (a dry run is not a denial: it said the request would have
// succeeded) and weighs what succeeded, no more.
func failFinding(members []*model.Finding, fails int, how []string, o Options) made {
	s := members[fails]
	what := s.Operation + " succeeded"
	if n := len(members) - fails; n > 1 {
		what = fmt.Sprintf("%d changes succeeded", n)
	}
	target := cmpOr(s.Resource.Name, s.Resource.ID, s.Operation)
	if !slices.ContainsFunc(members[:fails], func(f *model.Finding) bool { return !slices.Contains(f.Tags, "dry-run") }) {
		return newFinding(FailedThenSucceeded,
			fmt.Sprintf("%d dry run(s) on %s, then %s", fails, target, what),
			model.Low, members,
			[]string{fmt.Sprintf("%s succeeded at %s after dry runs within %s: %s",
				s.Operation, s.Time.Format("15:04:05Z"), o.FailWindow, strings.Join(how, "; ")),
				"a dry run said the request would have succeeded, then the call was made for real: what a careful operator or a tool checking its permissions first does; weighed as the change that followed"}, o.MaxMembers)
	}
	return newFinding(FailedThenSucceeded,
		fmt.Sprintf("%d failed attempt(s) on %s, then %s", fails, target, what),
		model.Medium, members,
		[]string{fmt.Sprintf("%s succeeded at %s after failed attempts within %s: %s",
			s.Operation, s.Time.Format("15:04:05Z"), o.FailWindow, strings.Join(how, "; ")),
			"denied calls followed by a success often mean permission probing, or a second identity or key found that had the right"}, o.MaxMembers)
}

func (m *failWindows) sweep(now time.Time, window time.Duration) {
	for k, w := range m.by {
		if w = prune(w, now, window); len(w) == 0 {
			delete(m.by, k)
		} else {
			m.by[k] = w
		}
	}
}

// prune drops the findings older than now-window from the front of w.
func prune(w []*model.Finding, now time.Time, window time.Duration) []*model.Finding {
	n := 0
	for n < len(w) && now.Sub(w[n].Time) > window {
		w[n] = nil
		n++
	}
	return w[n:]
}

// openWindows: an allow rule added and removed again on the same
// firewall within ShortWindow (opened, used, cleaned up). Openings are
// kept per firewall for ShortWindow.
type openWindows struct {
	by     map[string][]opening
	capped int
}

type opening struct {
	f  *model.Finding
	ch model.RuleChange
}

func (m *openWindows) add(out []made, c *model.Finding, o Options) []made {
	if c.Outcome != model.Success {
		return out
	}
	k := accountKey(c) + "\x00" + c.Resource.ID
	w := m.by[k]
	n := 0
	for n < len(w) && c.Time.Sub(w[n].f.Time) > o.ShortWindow {
		n++
	}
	w = w[n:]
	var pairs map[string]bool
	for _, ch := range c.Changes {
		if ch.Effect != model.Removed {
			continue
		}
		for _, op := range w {
			if !op.f.Time.Before(c.Time) || !sameRule(op.ch, ch) || pairs[op.f.ID] {
				continue
			}
			if pairs == nil {
				pairs = map[string]bool{}
			}
			pairs[op.f.ID] = true
			d := c.Time.Sub(op.f.Time)
			out = append(out, newFinding(ShortLived,
				fmt.Sprintf("%s was opened and closed again within %s", cmpOr(op.f.Resource.Name, op.f.Resource.ID), d.Round(1e9)),
				max(model.Medium, op.f.Severity), []*model.Finding{op.f, c},
				[]string{fmt.Sprintf("rule %s added at %s by %s and removed at %s by %s: an exposure this short is how access is used and cleaned up",
					describeRule(op.ch), op.f.Time.Format("15:04:05Z"), actorName(op.f), c.Time.Format("15:04:05Z"), actorName(c))}, o.MaxMembers))
		}
	}
	// An opening is an allow added by a change of at least medium severity (a
	// narrow, low-severity allow coming and going is housekeeping).
	exposes := c.Severity >= model.Medium
	for _, ch := range c.Changes {
		if exposes && ch.Effect == model.Added && ch.Action != model.Deny {
			if len(w) >= o.MaxPerKey {
				m.capped++
				w = w[1:]
			}
			w = append(w, opening{c, ch})
		}
	}
	if len(w) == 0 {
		delete(m.by, k)
	} else {
		m.by[k] = w
	}
	return out
}

func (m *openWindows) sweep(now time.Time, window time.Duration) {
	for k, w := range m.by {
		if now.Sub(w[len(w)-1].f.Time) > window {
			delete(m.by, k)
		}
	}
}

// sameRule compares what two logged rules admit.
// Rules that name themselves (a rule name, a priority) must name the
// same; a rule whose content is not logged is the same only by name.
func sameRule(a, b model.RuleChange) bool {
	if a.Direction != b.Direction && a.Direction != "" && b.Direction != "" {
		return false
	}
	samePrio := a.Priority != nil && b.Priority != nil && *a.Priority == *b.Priority
	if a.Name != "" && b.Name != "" && a.Name != b.Name || a.Priority != nil && b.Priority != nil && !samePrio {
		return false
	}
	sameName := a.Name != "" && a.Name == b.Name
	if len(a.Peers)+len(a.Ports) == 0 || len(b.Peers)+len(b.Ports) == 0 {
		// One side's content is not logged: only its name can tell.
		return sameName || samePrio
	}
	if !strings.EqualFold(a.Protocol, b.Protocol) || !slices.Equal(a.Ports, b.Ports) || len(a.Peers) != len(b.Peers) {
		return false
	}
	for i := range a.Peers {
		if a.Peers[i] != b.Peers[i] {
			return false
		}
	}
	return true
}

func describeRule(ch model.RuleChange) string {
	var peers []string
	for _, p := range ch.Peers {
		peers = append(peers, p.String())
	}
	return fmt.Sprintf("%s %s from %s", ch.Protocol, strings.Join(ch.Ports.Strings(), ","), strings.Join(peers, ","))
}

func actorName(f *model.Finding) string {
	return cmpOr(f.Identity, f.Actor.ID, f.Actor.Name, "an unknown actor")
}

func cmpOr(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}
