package state

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"cloudwall/internal/content"
	"cloudwall/internal/model"
)

// Change is what one event did to the state.
type Change struct {
	Cloud    model.Cloud
	Firewall model.Resource
	// Applied is false for events that change no firewall state: failed
	// calls, dry runs, operations the engine does not track.
	Applied bool
	// NoOp says the call set what was already there (a rule re-added, a
	// setting set to its value): not a weakening.
	NoOp bool
	// Unchanged says the call set only what was already there: NoOp, it
	// added and removed no rule, and the firewall is of the call's account.
	Unchanged bool
	// Before and After are the rules the call touched, as they were and
	// as they are.
	Before, After model.RuleSet
	// Opened and Closed are the exposure windows the call opened and
	// closed. They are the engine's own: a window opened here gets its end
	// when a later call closes it (read them after the replay).
	Opened, Closed []*model.Window
	// Notes say what the state could not confirm: a revoke of a rule that
	// is not there, an event on a deleted firewall, unknown prior content.
	Notes []string
	// Rollback lists the commands that undo the call (printed, never run).
	Rollback []string
	// ShadowedBy are the deny rules, known from the baseline or earlier
	// calls, that decide all the traffic of every allow rule the call
	// added: the allows open nothing while those denies stand.
	ShadowedBy []model.Rule
}

// Window is the one window a finding for the call names: the most severe
// it opened, or when it opened none the most severe it closed; the first
// in Opened (or Closed) order on a tie, which is key order. Nil when the
// call touched no window.
func (c *Change) Window() *model.Window {
	ws := c.Opened
	if len(ws) == 0 {
		ws = c.Closed
	}
	var best *model.Window
	for _, w := range ws {
		if best == nil || w.Severity > best.Severity {
			best = w
		}
	}
	return best
}

// Replay applies events in event-time order (file order breaks ties),
// whatever order they were read in, and returns one Change per event in
// that order along with the events' positions in the input.
func (e *Engine) Replay(events []model.Event) (changes []Change, order []int) {
	order = make([]int, len(events))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		x, y := &events[a], &events[b]
		return cmp.Or(x.Time.Compare(y.Time), cmp.Compare(x.Source.File, y.Source.File), cmp.Compare(x.Source.Index, y.Source.Index))
	})
	changes = make([]Change, len(events))
	for _, i := range order {
		changes[i] = e.Apply(&events[i], "")
	}
	return changes, order
}

// applier carries one event's application.
type applier struct {
	// tie says a rule the call set again was put in force by no call
	// strictly before it (the same instant, or not by a logged call): it
	// is not Unchanged.
	tie bool
	e   *Engine
	f   *firewall
	ev  *model.Event
	op  *content.Operation
	// call is the call as a window edge; edge is a copy of it on the
	// heap, made when a rule keeps it as its opener (opener): a call that
	// adds nothing allocates none.
	call model.WindowEdge
	edge *model.WindowEdge
	// ch is held by value: the applier does not escape, nor does ch
	// until Apply returns it.
	ch      Change
	removed []*rule
	added   []*rule
	// prior are the firewall's rules before the call (kept for Cloud SQL
	// instances, whose rollback names the whole earlier list), and
	// priorKnown says they were all known.
	prior      []*rule
	priorKnown bool
	// kept are rules the call changed without adding anything (disabled
	// copies), shown in After.
	kept []*rule
	// access is a PaaS server's public network access before the call
	// set it ("" when not known), and accessSet says the call set it.
	access    string
	accessSet bool
	// v6 is an Azure SQL server's IPv6 rule list when the call switched
	// the server's public access (publicAccess): v6Added are its rules
	// put in force, v6Touched every rule switched, for its refresh.
	v6                 *firewall
	v6Added, v6Touched []*rule
	// priorOff says a GKE cluster's authorized networks were off before
	// the call, and priorPublic is a cluster's public endpoint setting
	// before it ("disabled": off).
	priorOff    bool
	priorPublic string
	// byKey indexes f.rules by content key (first occurrence) for insert,
	// so a call adding n rules costs O(n), not O(n²); nil when not built
	// (a small firewall is scanned instead: withKey) or when f.rules
	// changed other than by insert's append.
	byKey map[string]*rule
}

// Apply replays one event onto the state. Events should come in event-time
// order; findingID, when known, is carried into the windows' edges. Failed
// calls change nothing; an event that contradicts the state is noted on
// the Change, never an error.
func (e *Engine) Apply(ev *model.Event, findingID string) Change {
	e.settle(ev.Time)
	ch := Change{Cloud: ev.Cloud, Firewall: ev.Resource}
	if e.opts.Content == nil {
		return ch
	}
	op, ok := e.opts.Content.Operation(ev.OperationKey)
	if !ok {
		return ch
	}
	if ev.Cloud == model.Azure {
		ch.Firewall = parentOf(ev.Resource)
	}
	if e.first.IsZero() || ev.Time.Before(e.first) {
		e.first = ev.Time
	}
	if ev.Time.After(e.last) {
		e.last = ev.Time
	}
	if e.lastBy == nil {
		e.lastBy = map[acctKey]time.Time{}
	}
	if ak := (acctKey{ev.Cloud, ev.Account}); ev.Time.After(e.lastBy[ak]) {
		e.lastBy[ak] = ev.Time // as logged: no allocation per call
		e.endBy = nil
	}
	if ev.Outcome == model.Failure || strings.Contains(strings.ToLower(ev.ErrorCode), "dryrun") {
		ch.Notes = append(ch.Notes, "the call failed: nothing changed")
		return ch
	}
	var kb [160]byte
	k := appendFirewallKey(kb[:0], ev.Cloud, ch.Firewall)
	f, ok := e.fws[string(k)] // no allocation for the lookup
	if !ok {
		f = e.add(string(k), ev.Cloud, ch.Firewall)
		f.meta.Account, f.meta.Region = ev.Account, ev.Region
	}
	if f.seen.IsZero() {
		f.seen = ev.Time
	}
	// Snapshots often omit the region or account: the events say them.
	f.meta.Region = cmp.Or(f.meta.Region, ev.Region)
	f.meta.Account = cmp.Or(f.meta.Account, ev.Account)
	// A GCP rule's network, from the call that created or wrote it: a
	// later delete's rollback recreates the rule in it.
	f.meta.Network = cmp.Or(f.meta.Network, ev.Network)
	f.apiVersion = cmp.Or(ev.APIVersion, f.apiVersion)
	if f.meta.Resource.Name == "" {
		f.meta.Resource.Name = ch.Firewall.Name
	}
	a := &applier{e: e, f: f, ev: ev, op: op, ch: ch, call: model.WindowEdge{
		Time: ev.Time, Operation: ev.Operation, Actor: ev.Actor, SourceIP: ev.SourceIP,
		EventID: cmp.Or(ev.EventID, ev.OperationID), FindingID: findingID,
	}}
	if f.deleted && op.Kind != content.KindCreate {
		a.note("the firewall was deleted at %s, before this call", f.deletedAt.UTC().Format(time.RFC3339))
	}
	a.seedOriginal()
	wasKnown := f.known
	a.priorKnown = f.known && !f.deleted
	if wholeList(f.meta.Resource.Type) || f.family == gcpVPC {
		// Its rollback names the whole earlier list, or each field of
		// the rule the call changed.
		a.prior = slices.Clone(f.rules)
	}
	if isCluster(f.meta.Resource.Type) {
		keepNarrow(f)
		a.priorOff = f.meta.Settings[model.SettingEnabled] == "false"
		a.priorPublic = f.meta.Settings[model.SettingPublicAccess]
	}
	if ev.Outcome == model.Unknown {
		a.note("completion not seen: applied as if it succeeded")
	}
	a.apply()
	e.reindex(f)
	a.ch.Applied = true
	a.trim(wasKnown)
	opened, closed := e.refresh(f, &a.call, a.added, slices.Concat(a.removed, a.added, a.kept), false)
	if l := a.v6; l != nil {
		// The server's switch holds for its IPv6 rules too.
		e.reindex(l)
		o, c := e.refresh(l, &a.call, a.v6Added, a.v6Touched, false)
		opened, closed = append(opened, o...), append(closed, c...)
		e.snapshot(l, ev.Time)
	}
	a.ch.Opened, a.ch.Closed = opened, closed
	if len(opened) == 0 {
		a.ch.ShadowedBy = e.shadowedAdds(f, a.added)
	}
	e.snapshot(f, ev.Time)
	a.ch.Rollback = capRollback(a.rollback())
	// One note per peer could make thousands: keep each once, at most
	// model.MaxNotes, with a count of the rest.
	a.ch.Notes = model.CapNotes(a.ch.Notes)
	return a.ch
}

// opener returns the call as the edge a new rule keeps.
func (a *applier) opener() *model.WindowEdge {
	if a.edge == nil {
		edge := a.call
		a.edge = &edge
	}
	return a.edge
}

func (a *applier) note(format string, args ...any) {
	a.ch.Notes = append(a.ch.Notes, fmt.Sprintf(format, args...))
}

// apply changes the firewall as the operation's kind says.
func (a *applier) apply() {
	f, ev := a.f, a.ev
	switch a.op.Kind {
	case content.KindCreate:
		a.create()
	case content.KindDelete:
		a.removed = append(a.removed, f.rules...)
		f.rules = nil
		f.deleted, f.deletedAt = true, ev.Time
		f.known, f.since = true, ev.Time
	case content.KindRules:
		a.rules()
	case content.KindRemove:
		if f.family == gcpVPC {
			// compute.firewalls.delete: the whole rule goes.
			a.removed = append(a.removed, f.rules...)
			f.rules = nil
			f.deleted, f.deletedAt = true, ev.Time
			f.known, f.since = true, ev.Time
			return
		}
		for _, c := range ev.Changes {
			c.Effect = model.Removed
			a.remove(c)
		}
	case content.KindSwap, content.KindDetach:
		if len(ev.Targets) > 0 {
			if f.meta.Settings == nil {
				f.meta.Settings = map[string]string{}
			}
			prev, had := f.meta.Settings["targets"]
			now := strings.Join(ev.Targets, ",")
			if a.op.Kind == content.KindDetach {
				now = "-" + now
			}
			f.meta.Settings["targets"] = now
			if had && prev == now {
				a.ch.NoOp = true
				a.note("already set to %s: nothing changed", now)
			} else if had {
				a.note("was %s", prev)
			}
		}
	}
	a.settings()
}

// create starts a firewall afresh: its rules are known from now on,
// unless the rules it was created with are not logged.
func (a *applier) create() {
	f := a.f
	if !f.deleted && len(f.rules) > 0 {
		a.note("created again while its earlier rules were still known: they are replaced")
	}
	a.removed = append(a.removed, f.rules...)
	f.rules, f.deleted = nil, false
	a.byKey = nil
	if a.unlogged() {
		a.notLogged("created")
		return
	}
	f.known, f.since, f.unloggedAt = true, a.ev.Time, time.Time{}
	switch f.meta.Resource.Type {
	case "security_group":
		// A new VPC group allows all egress.
		a.insert(model.Rule{RuleChange: model.RuleChange{Direction: model.Egress, Action: model.Allow, Protocol: "all",
			Ports: model.PortList{model.AllPortRange}, Peers: []model.Peer{{Kind: model.PeerCIDR, Value: "0.0.0.0/0"}}}}, false)
	case "network_acl":
		for _, d := range []model.Direction{model.Ingress, model.Egress} {
			a.insert(model.Rule{RuleChange: model.RuleChange{Direction: d, Action: model.Deny, Protocol: "all",
				Ports: model.PortList{model.AllPortRange}, Peers: []model.Peer{{Kind: model.PeerCIDR, Value: "0.0.0.0/0"}},
				Priority: model.IntPtr(32767), Name: "32767"}}, false)
		}
	}
	for _, c := range a.ev.Changes {
		a.insert(model.Rule{RuleChange: c}, true)
	}
}

// rules applies a rule-changing call.
func (a *applier) rules() {
	f, ev := a.f, a.ev
	key := ev.OperationKey
	switch {
	case f.meta.Resource.Type == "prefix_list":
		for _, c := range ev.Changes {
			a.prefixList(c)
		}
		return
	case f.family == nsg && ev.Resource.Type == "nsg":
		// networkSecurityGroups/write: the body's rules replace the set.
		a.replaceAll()
		return
	case f.family == gcpVPC && (strings.HasSuffix(key, ".insert") || strings.HasSuffix(key, ".update")):
		a.replaceAll()
		return
	case f.family == gcpVPC && strings.HasSuffix(key, ".patch"):
		a.patch()
		return
	case f.meta.Resource.Type == "aks_cluster" && DropsRanges(ev):
		a.rangesDropped()
		return
	case wholeList(f.meta.Resource.Type) && (len(ev.Changes) > 0 || emptyAllowlist(f, ev)):
		// The authorized networks sent (create, patch, update) are the
		// instance's or cluster's whole list.
		a.replaceAll()
		if isCluster(f.meta.Resource.Type) {
			a.endpointOn()
		}
		if f.meta.Resource.Type == "gke_cluster" && len(ev.Changes) > 0 && ev.Settings[model.SettingEnabled] == "" && f.meta.Settings != nil {
			// Networks sent are networks on (the parser says "off" only
			// with the world-wide stand-in): an earlier off is over.
			delete(f.meta.Settings, model.SettingEnabled)
		}
		return
	case ev.ContentNotLogged && len(ev.Changes) == 0 && f.known:
		// A rule changed, and the log does not say how (a patch seen by
		// its last entry, a rule write without a body): the known rules
		// may no longer be the rules in force.
		a.notLogged("changed")
		return
	}
	for _, c := range ev.Changes {
		switch c.Effect {
		case model.Removed:
			a.remove(c)
		case model.Altered:
			a.alter(c)
		default:
			a.insert(model.Rule{RuleChange: c}, true)
		}
	}
}

// replaceAll replaces every rule with the event's: the whole rule set is
// known from here on, unless the call's content is not logged.
func (a *applier) replaceAll() {
	f := a.f
	if a.unlogged() {
		f.deleted = false
		if strings.HasSuffix(a.ev.OperationKey, ".insert") {
			// A new rule: whatever was known under its name is gone.
			a.removed = append(a.removed, f.rules...)
			f.rules, a.byKey = nil, nil
			a.notLogged("created")
			return
		}
		// The earlier rules may or may not have survived the write:
		// they stay, so exposures they opened stay open, but the rule
		// set is not known.
		a.notLogged("written whole")
		return
	}
	old := f.rules
	oldKeys := keyLookup(old)
	f.rules = nil
	parked, cluster := a.endpointOff(), isCluster(f.meta.Resource.Type)
	for _, c := range a.ev.Changes {
		for _, r := range a.e.split(f, model.Rule{RuleChange: c, Disabled: parked}, a.opener()) {
			prev := oldKeys(r.key)
			if prev != nil && (prev.Disabled == r.Disabled || !cluster) {
				a.notEarlier(prev)
				r.opened = prev.opened // unchanged rule: keep who opened it
				f.rules = append(f.rules, r)
				continue
			}
			if prev != nil {
				// The same list parked or put back in force (a cluster's
				// endpoint turned off or on): a change, as setDisabled's.
				a.removed = append(a.removed, prev)
				if r.Disabled {
					f.rules = append(f.rules, r)
					a.kept = append(a.kept, r) // shown in After, disabled
					continue
				}
			}
			f.rules = append(f.rules, r)
			a.added = append(a.added, r)
		}
	}
	newKeys := keyLookup(f.rules)
	for _, r := range old {
		if newKeys(r.key) == nil {
			a.removed = append(a.removed, r)
		}
	}
	if len(a.added) == 0 && len(a.removed) == 0 && f.known {
		a.ch.NoOp = true
		a.note("the written rules equal the known ones: nothing changed")
	}
	f.deleted = false
	f.known, f.since = true, cmp.Or(f.since, a.ev.Time)
	if !f.fromBaseline || !f.unloggedAt.IsZero() {
		f.since = a.ev.Time
	}
	f.unloggedAt = time.Time{}
}

// unlogged says the call creates or writes a rule set whose content its
// record does not carry (model.Event.ContentNotLogged; a GCP VPC rule
// written without a single allowed or denied entry). An AWS create never
// is: its API takes no rules, so what it creates is known (a new security
// group allows all egress, a new network ACL denies all).
func (a *applier) unlogged() bool {
	if a.ev.Cloud == model.AWS && a.op.Kind == content.KindCreate {
		return false
	}
	return a.ev.ContentNotLogged || a.f.family == gcpVPC && len(a.ev.Changes) == 0
}

// notLogged leaves the firewall's rules unknown after a create or whole
// write (what says which) whose content is not logged.
func (a *applier) notLogged(what string) {
	f := a.f
	f.known, f.unloggedAt, f.unloggedBy = false, a.ev.Time, what
	a.note("%s, but the rule content is not logged: its rules are unknown from here on", what)
}

// patch merges a GCP firewalls.patch: only the fields sent change.
func (a *applier) patch() {
	f := a.f
	if len(a.ev.Changes) == 0 {
		if a.ev.ContentNotLogged && f.known {
			a.notLogged("changed")
		}
		return // a settings-only patch (disabled), handled by settings
	}
	old := f.rules
	if len(old) == 0 {
		a.note("patched rule's earlier content is not known: only the sent fields are known")
	}
	var base model.Rule
	if len(old) > 0 {
		base = old[0].Rule
	}
	sentProto := false
	for _, c := range a.ev.Changes {
		if c.Protocol != "" {
			sentProto = true
		}
	}
	merge := func(c model.RuleChange, b model.Rule) model.Rule {
		r := b
		r.Effect = ""
		// A rule's direction cannot change; the parser guesses a patch's
		// from the fields it sent, so a known rule keeps its own.
		if r.Direction == "" {
			r.Direction = c.Direction
		}
		if c.Priority != nil {
			r.Priority = c.Priority
		}
		// Each list field sent replaces that field only: a patch of the
		// target tags keeps the source ranges and destination ranges.
		cur, sent := fieldsOf(r.Peers, r.Targets, r.Direction), fieldsOf(c.Peers, c.Targets, c.Direction)
		for i, ok := range sentFields(a.ev, &sent) {
			if ok {
				cur[i] = sent[i]
			}
		}
		cur.apply(&r, r.Direction)
		if c.Name != "" {
			r.Name = c.Name
		}
		if c.Protocol != "" {
			r.Action, r.Protocol, r.Ports = c.Action, c.Protocol, c.Ports
		}
		return r
	}
	var next []model.Rule
	if sentProto {
		for _, c := range a.ev.Changes {
			next = append(next, merge(c, base))
		}
	} else {
		for _, o := range old {
			next = append(next, merge(a.ev.Changes[0], o.Rule))
		}
		if len(old) == 0 {
			next = append(next, merge(a.ev.Changes[0], base))
		}
	}
	f.rules = nil
	oldKeys := keyLookup(old)
	for _, r := range next {
		for _, x := range a.e.split(f, r, a.opener()) {
			if prev := oldKeys(x.key); prev != nil {
				x.opened = prev.opened
			} else {
				a.added = append(a.added, x)
			}
			f.rules = append(f.rules, x)
		}
	}
	newKeys := keyLookup(f.rules)
	for _, r := range old {
		if newKeys(r.key) == nil {
			a.removed = append(a.removed, r)
		}
	}
	if len(old) > 0 && len(a.added) == 0 && len(a.removed) == 0 {
		a.ch.NoOp = true
		a.note("the patched fields already had these values: nothing changed")
	}
}

// insert adds a rule; a rule with the same identity is replaced (NACL
// number, NSG rule name, policy priority), an identical one is a no-op.
func (a *applier) insert(r model.Rule, logged bool) {
	f := a.f
	if a.e.accessOff(f) {
		r.Disabled = true // not in force until public access is on
	}
	var edge *model.WindowEdge
	if logged {
		edge = a.opener()
	}
	for _, x := range a.e.split(f, r, edge) {
		// A rule of the same content is the same rule, unless rules are
		// named apart (two SQL firewall rules may hold one range): then
		// only the one of the same name is.
		named := hasIdentity(f, &x.Rule)
		i := -1
		if named {
			i = slices.IndexFunc(f.rules, func(o *rule) bool { return sameIdentity(f, &o.Rule, &x.Rule) })
		}
		if same := a.withKey(x.key); same != nil && (!named || i >= 0 && f.rules[i].key == x.key) {
			if named {
				same = f.rules[i]
			}
			a.notEarlier(same)
			a.ch.NoOp = true
			a.note("rule %s is already in force: nothing changed (not a weakening)", describe(&same.Rule))
			a.ch.Before.Rules = append(a.ch.Before.Rules, same.Rule)
			continue
		}
		if named {
			if i >= 0 {
				if a.ev.OperationKey == "ec2:createnetworkaclentry" {
					a.note("entry %s already existed (AWS refuses a duplicate rule number): replaced", x.Name)
				}
				a.replaced(f.rules[i])
				f.rules = slices.Delete(f.rules, i, i+1)
				a.byKey = nil
			}
		}
		f.rules = append(f.rules, x)
		if a.byKey != nil && a.byKey[x.key] == nil {
			a.byKey[x.key] = x
		}
		if logged {
			a.added = append(a.added, x)
		}
	}
}

// smallFirewall is how many rules a firewall can have for a content key
// to be looked up by a scan rather than an index.
const smallFirewall = 32

// withKey returns the first rule in force with content key k: by a scan
// of a small firewall, else through byKey, built on first use.
func (a *applier) withKey(k string) *rule {
	if a.byKey == nil && len(a.f.rules) <= smallFirewall {
		for _, r := range a.f.rules {
			if r.key == k {
				return r
			}
		}
		return nil
	}
	if a.byKey == nil {
		a.byKey = keyIndex(a.f.rules)
	}
	return a.byKey[k]
}

// alter replaces a rule named by its id (ModifySecurityGroupRules) or its
// identity; the old content is what the state knew.
func (a *applier) alter(c model.RuleChange) {
	f := a.f
	r := model.Rule{RuleChange: c}
	i := slices.IndexFunc(f.rules, func(o *rule) bool {
		// NACL entry numbers repeat across directions: the name alone
		// does not say which entry.
		byName := c.Name != "" && (o.ID == c.Name || o.Name == c.Name) && (f.family != numbered || c.Direction == "" || dirOf(o.Direction) == dirOf(c.Direction))
		return byName || sameIdentity(f, &o.Rule, &r)
	})
	if i < 0 {
		a.note("the rule it replaced (%s) is not known: its earlier content is not in the baseline or the logs", describe(&r))
		a.insert(r, true)
		return
	}
	old := f.rules[i]
	if r.Direction == "" {
		r.Direction = old.Direction
	}
	if r.ID == "" {
		r.ID = old.ID
	}
	if xs := a.e.split(f, r, nil); len(xs) == 1 && xs[0].key == old.key {
		// Replaced by the same content (a NACL entry written again).
		a.notEarlier(old)
		a.ch.NoOp = true
		a.note("rule %s is already in force: nothing changed (not a weakening)", describe(&old.Rule))
		a.ch.Before.Rules = append(a.ch.Before.Rules, old.Rule)
		return
	}
	f.rules = slices.Delete(f.rules, i, i+1)
	a.byKey = nil
	a.replaced(old)
	a.insert(r, true)
}

// notEarlier marks a tie when r, set again by the call, was not put in
// force by a logged call strictly before it.
func (a *applier) notEarlier(r *rule) {
	if r.opened == nil || !r.opened.Time.Before(a.ev.Time) {
		a.tie = true
	}
}

// replaced records that the call took r out to put another rule in its
// place. A rule this same call added (a record that logs two contents
// for one NACL entry) was never in force before it: the call's net
// change is the later content, and its rollback must not put the earlier
// one back.
func (a *applier) replaced(r *rule) {
	for j := len(a.added) - 1; j >= 0; j-- { // the replaced rule is most often the last added
		if a.added[j] == r {
			a.added = slices.Delete(a.added, j, j+1)
			return
		}
	}
	a.removed = append(a.removed, r)
}

// remove takes out the rules a change names: by id, by identity (NACL
// number, NSG name, policy priority) or by content.
func (a *applier) remove(c model.RuleChange) {
	f := a.f
	want := a.e.split(f, model.Rule{RuleChange: c}, nil)
	// A revoke naming n peers of a group with m rules costs O(n+m): rules
	// named only by content are found by key (by a scan in a small
	// firewall), removals are marked and the slice compacted once.
	var byKey map[string][]int
	gone, nGone := make([]bool, len(f.rules)), 0
	find := func(w *rule) int {
		if w.Name == "" && !hasIdentity(f, &w.Rule) {
			if len(w.Peers) == 0 && w.Protocol == "" {
				return -1
			}
			if len(f.rules) <= smallFirewall {
				for i, o := range f.rules {
					if !gone[i] && o.key == w.key {
						return i
					}
				}
				return -1
			}
			if byKey == nil {
				byKey = map[string][]int{}
				for i, o := range f.rules {
					byKey[o.key] = append(byKey[o.key], i)
				}
			}
			for _, i := range byKey[w.key] {
				if !gone[i] {
					return i
				}
			}
			return -1
		}
		for i, o := range f.rules {
			if !gone[i] && sameRule(f, o, w) {
				return i
			}
		}
		return -1
	}
	defer func() {
		if nGone == 0 {
			return
		}
		kept := make([]*rule, 0, len(f.rules)-nGone)
		for i, o := range f.rules {
			if !gone[i] {
				kept = append(kept, o)
			}
		}
		f.rules = kept
		a.byKey = nil
	}()
	for _, w := range want {
		if i := find(w); i >= 0 {
			a.removed = append(a.removed, f.rules[i])
			gone[i], nGone = true, nGone+1
			continue
		}
		if f.known {
			a.note("contradiction: removed rule %s is not in the known state; nothing to remove", describe(&w.Rule))
			continue
		}
		a.note("removed rule %s was not seen before (no baseline): it existed before the logs begin", describe(&w.Rule))
		a.e.unseen(f, w, &a.call)
	}
}

// sameRule says whether o is the rule w names.
func sameRule(f *firewall, o, w *rule) bool {
	if w.Name != "" && (o.ID == w.Name || o.Name == w.Name) && (f.family != numbered || dirOf(o.Direction) == dirOf(w.Direction)) {
		return true
	}
	if sameIdentity(f, &w.Rule, &o.Rule) {
		return true
	}
	if len(w.Peers) == 0 && w.Protocol == "" {
		return false
	}
	return o.key == w.key
}

// identity is the key under which a family stores at most one rule: NACL
// direction and number, NSG rule name, GCP policy priority; "" when rules
// are identified by content only.
func identity(f *firewall, r *model.Rule) string {
	switch f.family {
	case allowOnly:
		// Named allow rules (SQL firewall rules) are replaced by name;
		// security group rules are identified by content.
		if r.Name != "" && f.meta.Resource.Type != "security_group" {
			return strings.ToLower(r.Name)
		}
	case numbered:
		if r.Priority != nil {
			return fmt.Sprintf("%s|%d", dirOf(r.Direction), *r.Priority)
		}
	case nsg, ordered:
		if r.Name != "" {
			return strings.ToLower(r.Name)
		}
	case gcpPolicy:
		if r.Priority != nil {
			return fmt.Sprintf("%d|%s|%s", *r.Priority, protoName(r.Protocol), portsKey(r.Protocol, r.Ports))
		}
	}
	return ""
}

// hasIdentity says identity(f, r) != "" without building it.
func hasIdentity(f *firewall, r *model.Rule) bool {
	switch f.family {
	case allowOnly:
		return r.Name != "" && f.meta.Resource.Type != "security_group"
	case numbered, gcpPolicy:
		return r.Priority != nil
	case nsg, ordered:
		return r.Name != ""
	}
	return false
}

// sameIdentity says whether a and b have the same identity, not "":
// identity(f, a) == identity(f, b) != "", without building the strings
// for the families that compare rules one by one on every call.
func sameIdentity(f *firewall, a, b *model.Rule) bool {
	switch {
	case f.family == numbered:
		return a.Priority != nil && b.Priority != nil && *a.Priority == *b.Priority && dirOf(a.Direction) == dirOf(b.Direction)
	case f.family == nsg, f.family == ordered, f.family == allowOnly && f.meta.Resource.Type != "security_group":
		if a.Name == "" || b.Name == "" {
			return false
		}
		// identity lowers the names: strings.EqualFold folds some
		// letters that ToLower does not (ſ, K), so it is not used.
		la, lb := strings.ToLower(a.Name), strings.ToLower(b.Name)
		return la == lb
	case f.family == allowOnly:
		return false
	}
	id := identity(f, a)
	return id != "" && id == identity(f, b)
}

// prefixList applies ModifyManagedPrefixList entries.
func (a *applier) prefixList(c model.RuleChange) {
	f := a.f
	if len(f.rules) == 0 {
		f.rules = []*rule{a.e.newRule(model.Rule{}, nil)}
	}
	entries := f.rules[0]
	peers := slices.Clone(entries.Peers)
	for _, p := range c.Peers {
		i := slices.IndexFunc(peers, func(q model.Peer) bool { return strings.EqualFold(q.Value, p.Value) })
		switch {
		case c.Effect == model.Removed && i >= 0:
			peers = slices.Delete(peers, i, i+1)
		case c.Effect == model.Removed:
			a.note("prefix list entry %s was not known", p.Value)
		case i < 0:
			peers = append(peers, p)
		}
	}
	nr := entries.Rule
	nr.Peers = peers
	a.removed = append(a.removed, entries)
	x := a.e.newRule(nr, a.opener())
	f.rules[0] = x
	a.added = append(a.added, x)
}

// settings applies the event's non-rule settings.
func (a *applier) settings() {
	f := a.f
	for k, v := range a.ev.Settings {
		if k == model.SettingDisabled && (f.family == gcpVPC || f.family == gcpPolicy) {
			if !a.setDisabled(model.SettingIs(a.ev.Settings, k, "true")) {
				a.note("disabled=%s on a rule whose content is not known", v)
			}
			continue
		}
		if k == model.SettingPublicAccess && isCluster(f.meta.Resource.Type) && (v == "disabled" || v == "enabled") {
			// A cluster's API server without a public endpoint admits no
			// one from the internet; turned back on, its list applies
			// again (EKS keeps publicAccessCidrs meanwhile).
			a.setDisabled(v == "disabled")
		}
		if k == model.SettingPublicAccess && f.meta.Resource.Type == "sql_server" {
			a.publicAccess(v)
		}
		if f.meta.Settings == nil {
			f.meta.Settings = map[string]string{}
		}
		if old, ok := f.meta.Settings[k]; ok && old == v {
			a.ch.NoOp = a.ch.NoOp || len(a.ev.Changes) == 0
			a.note("%s was already %q: nothing changed", k, v)
		}
		f.meta.Settings[k] = v
	}
}

// setDisabled switches every rule of the firewall off or on (GCP
// disabled, a cluster's public endpoint), and says whether it holds any.
func (a *applier) setDisabled(dis bool) bool {
	f := a.f
	var next []*rule
	for _, r := range f.rules {
		if r.Disabled == dis {
			next = append(next, r)
			continue
		}
		nr := r.Rule
		nr.Disabled = dis
		x := a.e.newRule(nr, a.opener())
		if !dis {
			a.added = append(a.added, x)
		} else {
			a.kept = append(a.kept, x) // shown in After, disabled
		}
		a.removed = append(a.removed, r)
		next = append(next, x)
	}
	f.rules = next
	return len(next) > 0
}

// createdWrite says an Azure write's records say it created its resource
// (Event.Written): there was nothing before it.
func (a *applier) createdWrite() bool {
	return a.ev.Cloud == model.Azure && a.ev.Written == model.WriteCreated
}

// trim fills the change's Before and After with the rules the call
// touched.
func (a *applier) trim(wasKnown bool) {
	f := a.f
	for _, r := range a.removed {
		a.ch.Before.Rules = append(a.ch.Before.Rules, r.Rule)
	}
	var after []model.Rule
	for _, r := range a.added {
		after = append(after, r.Rule)
	}
	for _, r := range a.kept {
		after = append(after, r.Rule)
	}
	if a.ch.NoOp {
		after = append(after, a.ch.Before.Rules...)
	}
	a.ch.After.Rules = after
	// Ids are unique per account at most (a Lightsail instance name):
	// what another account's call put in force proves nothing here.
	a.ch.Unchanged = a.ch.NoOp && len(a.added) == 0 && len(a.removed) == 0 && strings.EqualFold(f.meta.Account, a.ev.Account) && !a.tie
	a.ch.Before.Known = wasKnown || a.op.Kind == content.KindCreate || a.createdWrite()
	a.ch.After.Known = f.known
	if !a.ch.Before.Known {
		a.ch.Before.Note = f.unknownNote()
	}
	if !a.ch.After.Known {
		a.ch.After.Note = f.unknownNote()
	}
	if a.ch.Before.Rules == nil {
		a.ch.Before.Rules = []model.Rule{}
	}
	if a.ch.After.Rules == nil {
		a.ch.After.Rules = []model.Rule{}
	}
}

// keyLookup returns a function that finds the first rule of rules with a
// content key: by a scan of a few rules (most calls write one), through
// keyIndex past smallFirewall.
func keyLookup(rules []*rule) func(k string) *rule {
	if len(rules) <= smallFirewall {
		return func(k string) *rule {
			for _, r := range rules {
				if r.key == k {
					return r
				}
			}
			return nil
		}
	}
	m := keyIndex(rules)
	return func(k string) *rule { return m[k] }
}

// keyIndex maps each content key to the first rule that has it.
func keyIndex(rules []*rule) map[string]*rule {
	m := make(map[string]*rule, len(rules))
	for _, r := range rules {
		if m[r.key] == nil {
			m[r.key] = r
		}
	}
	return m
}

// describe renders a rule for notes: "ingress 100 deny tcp 22 from 0.0.0.0/0".
func describe(r *model.Rule) string {
	parts := []string{string(dirOf(r.Direction))}
	if r.Name != "" {
		parts = append(parts, r.Name)
	} else if r.Priority != nil {
		parts = append(parts, fmt.Sprint(*r.Priority))
	}
	if r.Action != "" {
		parts = append(parts, string(r.Action))
	}
	if r.Protocol != "" {
		parts = append(parts, protoName(r.Protocol))
	}
	if len(r.Ports) > 0 {
		parts = append(parts, strings.Join(r.Ports.Strings(), ","))
	}
	if len(r.Peers) > 0 {
		var ps []string
		for _, p := range r.Peers {
			ps = append(ps, p.String())
		}
		word := "from"
		if r.Direction == model.Egress {
			word = "to"
		}
		parts = append(parts, word, strings.Join(ps, ","))
	}
	return strings.Join(parts, " ")
}
