package pipeline

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"cloudwall/internal/detect"
	"cloudwall/internal/model"
	"cloudwall/internal/state"
)

// StateOptions configures the replay of firewall events onto state.
type StateOptions struct {
	// Baseline are snapshot firewalls the replay starts from; without
	// them state is built from the logs alone.
	Baseline []model.Firewall
	// ShortWindow marks exposure windows closed this quickly; 0 means
	// state.DefaultShortWindow.
	ShortWindow time.Duration
	// Timeline asks for the per-firewall timeline in the result.
	Timeline bool
}

// evaluated is one firewall event and its finding.
type evaluated struct {
	ev *model.Event
	f  model.Finding
	ch state.Change
	// quiet marks a call the detector passed over, judged only if state
	// shows it changed access (rangesFinding).
	quiet bool
}

// replay applies the firewall events to state in event-time order and
// enriches their findings: windows and rollback commands always, before
// and after and a severity that uses them when a baseline was given. It
// holds state only for firewall events, which are rare.
//
// After a stop it leaves the rest of the findings as detected.
func replay(opts Options, det *detect.Detector, evs []evaluated, hist *detect.History, stop *stopper) (*state.Engine, []model.Window, []string) {
	rp := newReplayer(opts, det)
	order := make([]int, len(evs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		x, y := evs[a].ev, evs[b].ev
		return cmp.Or(x.Time.Compare(y.Time), cmp.Compare(x.Source.File, y.Source.File), cmp.Compare(x.Source.Index, y.Source.Index))
	})
	for _, i := range order {
		if stop.check() != nil {
			break
		}
		evs[i].ch = rp.apply(evs[i].ev, evs[i].f.ID)
	}
	windows := rp.eng.Windows() // fixes the start of windows open from the beginning
	for i := range evs {
		if stop.check() != nil {
			break
		}
		enrich(det, evs[i].ev, &evs[i].f, &evs[i].ch, rp.baseline, rp.again)
	}
	return rp.eng, windows, rp.notices(hist)
}

// enrich adds what state knows to one finding; again lowers a call that
// set only what earlier calls in the logs put in force (alreadyInForce).
func enrich(det *detect.Detector, ev *model.Event, f *model.Finding, ch *state.Change, baseline, again bool) {
	knownRemoval(det, ev, f, ch)
	knownToggle(det, ev, f, ch)
	knownEndpoint(det, ev, f, ch)
	knownShadow(f, ch)
	knownUnshadowed(ev, f, ch, baseline)
	knownEgressRestriction(det, ev, f, ch)
	f.Rollback = ch.Rollback
	if cw := ch.Window(); cw != nil {
		w := *cw
		f.Window = &w
	}
	if refusesDuplicate(ev) && f.Outcome == model.Success && (ch.Unchanged || ch.NoOp) {
		// What state holds in force the call could not have added: the
		// cloud refuses a duplicate. A removal the logs (or the baseline)
		// do not show came first; the call opened what it added.
		f.Reasons = append(f.Reasons, "state: the logs or the baseline show what the call added already in force, but "+string(ev.Cloud)+
			" refuses to add a rule that exists, so it had been removed in a way they do not show: judged as the opening it is")
		return
	}
	if again {
		alreadyInForce(f, ch)
	}
	if !baseline || !ch.Applied {
		return
	}
	before, after := ch.Before.Capped(), ch.After.Capped()
	f.Before, f.After = &before, &after
	for _, n := range ch.Notes {
		f.Reasons = append(f.Reasons, "state: "+n)
	}
	worst := model.Info
	for _, w := range ch.Opened {
		worst = max(worst, w.Severity)
	}
	switch {
	case len(ch.Opened) > 0 && worst > f.Severity && f.Outcome == model.Success:
		f.Reasons = append(f.Reasons, fmt.Sprintf("with the baseline: this call let the internet reach %s (%s): raised from %s to %s",
			joinExposure(ch.Opened), ch.Opened[0].Firewall.ID, f.Severity, worst))
		f.Severity = worst
	case ch.NoOp && len(ch.Opened) == 0 && f.Severity > model.Info:
		f.Reasons = append(f.Reasons, fmt.Sprintf("with the baseline: what the call set was already in force; nothing changed (not a weakening): lowered from %s to info", f.Severity))
		f.Severity = model.Info
	case ch.Before.Known && len(ch.Opened) == 0 && onlyAllowsRemoved(ch) && f.Severity > model.Info:
		f.Reasons = append(f.Reasons, fmt.Sprintf("with the baseline: the removed rules were allow rules and nothing became reachable: access narrows; lowered from %s to info", f.Severity))
		f.Severity = model.Info
	}
}

// refusesDuplicate says the cloud fails the call when what it adds is
// already there: AWS an AuthorizeSecurityGroupIngress or Egress of a rule
// the group holds (InvalidPermission.Duplicate) and a CreateNetworkAclEntry
// of a rule number in use (NetworkAclEntryAlreadyExists), GCP a
// firewalls.insert of a rule name in use (alreadyExists). Such a call's
// success proves what it added was not in force, whatever state says.
func refusesDuplicate(ev *model.Event) bool {
	switch ev.OperationKey {
	case "ec2:authorizesecuritygroupingress", "ec2:authorizesecuritygroupegress", "ec2:createnetworkaclentry", "compute.firewalls.insert":
		return true
	}
	return false
}

// alreadyInForce lowers, from the logs alone, a call that set only rules
// or settings an earlier call in these logs had put in force and no logged
// call had taken away since (an allow to the internet written again): it
// opened no window, the earlier call's finding reports the exposure. Low,
// not info as with a baseline: a change the logs miss could have closed
// the rule in between. Not under --since, which may filter the earlier
// call's finding out.
func alreadyInForce(f *model.Finding, ch *state.Change) {
	if !ch.Applied || !ch.Unchanged || len(ch.Opened) > 0 || f.Outcome != model.Success || f.Severity <= model.Low {
		return
	}
	f.Reasons = append(f.Reasons, fmt.Sprintf("state: everything the call set was already in force, put there by an earlier call in these logs (its finding reports the exposure); it opened nothing: lowered from %s to low", f.Severity))
	f.Severity = model.Low
}

// onlyAllowsRemoved says the call only took allow rules away.
func onlyAllowsRemoved(ch *state.Change) bool {
	if len(ch.Before.Rules) == 0 || len(ch.After.Rules) > 0 {
		return false
	}
	for _, r := range ch.Before.Rules {
		if r.Action != model.Allow {
			return false
		}
	}
	return true
}

func joinExposure(ws []*model.Window) string {
	var parts []string
	for _, w := range ws {
		parts = append(parts, w.Exposure...)
	}
	slices.Sort(parts)
	parts = slices.Compact(parts)
	if len(parts) > 3 {
		parts = append(parts[:3], fmt.Sprintf("and %d more", len(parts)-3))
	}
	if len(parts) == 0 {
		return "a new exposure"
	}
	return fmt.Sprint(parts)
}

// timeline groups the replayed calls and windows per firewall, most
// exposed first.
func timeline(eng *state.Engine, evs []evaluated, shown []model.Finding, windows []model.Window, flt Filter) []model.FirewallTimeline {
	// The findings as shown (after enrichment and configuration); a
	// suppressed finding's call is left out.
	final := make(map[string]*model.Finding, len(shown))
	for i := range shown {
		final[shown[i].ID] = &shown[i]
	}
	byKey := map[string]*model.FirewallTimeline{}
	var keys []string
	get := func(cloud model.Cloud, res model.Resource, account, region string) *model.FirewallTimeline {
		k := state.Key(cloud, res)
		t, ok := byKey[k]
		if !ok {
			fw, _ := eng.Firewall(cloud, res)
			known, note := eng.Status(cloud, res)
			t = &model.FirewallTimeline{Cloud: cloud, Account: cmp.Or(account, fw.Account), Region: cmp.Or(region, fw.Region),
				Firewall: cmp.Or(fw.Resource, res), Known: known, Note: note, Windows: []model.Window{}, Changes: []model.Change{}}
			byKey[k] = t
			keys = append(keys, k)
		}
		return t
	}
	for _, w := range windows {
		if !flt.keepWindow(w) {
			continue
		}
		t := get(w.Cloud, w.Firewall, w.Account, w.Region)
		t.Windows = append(t.Windows, w)
		t.Severity = max(t.Severity, w.Severity)
	}
	for _, t := range byKey {
		t.End = eng.End(t.Cloud, t.Account)
		t.Exposed = exposed(t.Windows, t.End)
	}
	for i := range evs {
		x := &evs[i]
		f, ok := final[x.f.ID]
		if !ok || !flt.keep(*f) {
			continue
		}
		x.f = *f
		t := get(x.ev.Cloud, x.ch.Firewall, x.ev.Account, x.ev.Region)
		c := model.Change{
			Time: x.f.Time, Operation: x.f.Operation, Outcome: x.f.Outcome, Actor: x.f.Actor, SourceIP: x.f.SourceIP,
			FindingID: x.f.ID, Severity: x.f.Severity, Title: x.f.Title, Before: x.f.Before, After: x.f.After,
			Notes: x.ch.Notes, Rollback: x.ch.Rollback, Event: x.f.Event,
		}
		for _, w := range x.ch.Opened {
			c.Opened = append(c.Opened, w.ID)
		}
		for _, w := range x.ch.Closed {
			c.Closed = append(c.Closed, w.ID)
		}
		t.Changes = append(t.Changes, c)
		t.Severity = max(t.Severity, x.f.Severity)
	}
	out := make([]model.FirewallTimeline, 0, len(keys))
	for _, k := range keys {
		t := byKey[k]
		slices.SortStableFunc(t.Changes, func(a, b model.Change) int {
			return cmp.Or(a.Time.Compare(b.Time), cmp.Compare(a.FindingID, b.FindingID))
		})
		out = append(out, *t)
	}
	sortTimeline(out)
	return out
}

// sortTimeline puts the firewalls most severe first, then most exposed.
func sortTimeline(out []model.FirewallTimeline) {
	slices.SortStableFunc(out, func(a, b model.FirewallTimeline) int {
		return cmp.Or(cmp.Compare(b.Severity, a.Severity), cmp.Compare(b.Exposed, a.Exposed),
			cmp.Compare(string(a.Cloud), string(b.Cloud)), cmp.Compare(a.Firewall.ID, b.Firewall.ID))
	})
}

// ExtendEnds moves the end of each firewall's account data to later, when
// end (the latest flow record of that cloud and account, zero when none)
// says the data runs on, then measures the exposure again and re-sorts the
// firewalls most exposed first.
func ExtendEnds(fts []model.FirewallTimeline, end func(cloud model.Cloud, account string) time.Time) {
	for i := range fts {
		t := &fts[i]
		if e := end(t.Cloud, t.Account); e.After(t.End) {
			t.End = e
			t.Exposed = exposed(t.Windows, t.End)
		}
	}
	sortTimeline(fts)
}

// keepWindow applies the filters to a window: its severity, its cloud and
// account, and whether it overlaps --since/--until.
func (f Filter) keepWindow(w model.Window) bool {
	if w.Severity < f.MinSeverity {
		return false
	}
	if !f.Until.IsZero() && w.Start.After(f.Until) {
		return false
	}
	if !f.Since.IsZero() && w.End != nil && w.End.Before(f.Since) {
		return false
	}
	x := model.Finding{Severity: w.Severity, Cloud: w.Cloud, Account: w.Account, Time: f.Since}
	if f.Since.IsZero() {
		x.Time = w.Start
	}
	return f.keep(x)
}

// exposed is how long at least one of the windows was open: the length of
// their union, open windows counted up to end.
func exposed(ws []model.Window, end time.Time) time.Duration {
	type span struct{ from, to time.Time }
	spans := make([]span, 0, len(ws))
	for _, w := range ws {
		to := end
		if w.End != nil {
			to = *w.End
		}
		if to.After(w.Start) {
			spans = append(spans, span{w.Start, to})
		}
	}
	slices.SortFunc(spans, func(a, b span) int { return a.from.Compare(b.from) })
	var total time.Duration
	var cur span
	for i, s := range spans {
		switch {
		case i == 0:
			cur = s
		case !s.from.After(cur.to):
			if s.to.After(cur.to) {
				cur.to = s.to
			}
		default:
			total += cur.to.Sub(cur.from)
			cur = s
		}
	}
	if len(spans) > 0 {
		total += cur.to.Sub(cur.from)
	}
	return total
}
