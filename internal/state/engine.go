// Package state holds what every firewall allowed, and when. An Engine
// starts from configuration snapshots (a baseline of model.Firewall) or
// from nothing, replays audit events onto it in event-time order, and
// answers three questions: what a firewall's rules were around a call
// (before and after), whether traffic from a peer to a port was admitted
// at an instant (each cloud's evaluation order), and when the internet
// could reach what (exposure windows).
//
// Evaluation follows each cloud's semantics:
//   - AWS security groups allow only; the union of rules decides. A group
//     created in the logs starts with the egress-all rule AWS adds.
//   - AWS network ACLs: entries by rule number, first match wins, deny
//     counts; the catch-all * entry denies what nothing matched.
//   - Azure NSGs: rules by priority, first match wins, then the default
//     rules 65000-65500 (AllowVnetInBound, AllowAzureLoadBalancerInBound,
//     DenyAllInBound and the outbound ones). A rule applies only to its
//     destination prefixes (Targets): a deny to one address does not stop
//     traffic to another, and one to a subnet covers its addresses.
//   - GCP VPC firewall rules of one network together: lowest priority
//     first, deny wins a tie, then the implied deny-ingress and
//     allow-egress rules (65535). Hierarchical firewall policies come
//     before the VPC rules and network firewall policies after them (or
//     before, with the BEFORE_CLASSIC_FIREWALL enforcement order); a
//     goto_next rule hands the packet to the next stage.
//   - Managed prefix lists and referenced groups are resolved where the
//     baseline or the logs hold them; otherwise the decision says so.
//
// Exposure is judged by the scan's detector (package detect): a rule is an
// internet exposure when the detector says its peers cover the internet,
// and it is effective when the cloud's evaluation lets internet traffic
// reach it (no deny evaluated first covers it).
//
// The engine is fed one event at a time (Apply), so a live service can use
// it as logs arrive; a batch caller sorts its events first (Replay). It is
// not safe for concurrent use.
package state

import (
	"cmp"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"cloudwall/internal/content"
	"cloudwall/internal/detect"
	"cloudwall/internal/model"
)

// DefaultShortWindow is how quickly an exposure must be closed to be
// called out as a short window (opened, used, cleaned up).
const DefaultShortWindow = time.Hour

// Options configures an Engine.
type Options struct {
	Content  *content.Content
	Detector *detect.Detector
	// ShortWindow marks windows closed within this long; 0 means
	// DefaultShortWindow.
	ShortWindow time.Duration
	// History keeps every version of every firewall so that At can answer
	// for any instant; without it At answers for the present only.
	History bool
}

// Engine is the replayed state of every firewall it has seen.
type Engine struct {
	opts  Options
	fws   map[string]*firewall
	order []*firewall // in order of first sight, for stable output
	// prefixLists resolves AWS managed prefix lists by id.
	prefixLists map[string]*firewall
	closed      []*model.Window
	// first and last are the earliest and latest event times applied.
	first, last time.Time
	// lastBy is the last event time of each account, keyed as logged;
	// endBy the same with account ids folded to lower case (accountKey),
	// built from it when End is first asked: the end of the data a window
	// still open in that account runs to.
	lastBy, endBy map[acctKey]time.Time
	// baseline is the latest AsOf of the loaded snapshots.
	baseline time.Time
	// pending are dated snapshots held until the replay reaches their
	// AsOf, in time order (settle).
	pending []model.Firewall
	// defaults are the Azure NSG default rules, built once.
	defaults []*rule
	// gcpRules indexes GCP VPC rules by the project their id names ("" when
	// it names none); gcpOther holds GCP policies and networks. Both keep
	// first-sight order, so evaluation need not walk every firewall.
	gcpRules map[string][]*firewall
	gcpOther []*firewall
	// gcpExposers indexes, by the same project keys, the world-open
	// allow rules in force of GCP VPC firewalls: the only rules whose
	// exposure a change elsewhere in their network can alter.
	gcpExposers map[string][]exposer
	// gcpInternet indexes the same way every enabled rule of a GCP VPC
	// firewall that internet traffic can match (world-open or prefix-list
	// peers, any action): the only rows an exposure depends on. Each list
	// is kept in evaluation order (key, then seq, then rule order), so
	// the rows gathered from it need no sort.
	gcpInternet map[string][]exposer
	// unwindowed counts exposures past MaxOpenWindows on their firewall.
	unwindowed int64
	// worlds remembers the detector's judgement of single peers (worldOf).
	worlds map[model.Peer]worldness
	// judged remembers the detector's judgements of window rules
	// (judgeRule).
	judged map[string]judgement
	// scratch holds the evaluation rows of one refresh, reused by the
	// next: nothing keeps rows past it.
	scratch rowSet
}

// exposer is one rule of a GCP VPC firewall in an index, with the
// firewall's project and network (gcpScope) as of its indexing: the
// indexes are read on every change of a network, so they are kept
// without a visit to each firewall.
type exposer struct {
	f                *firewall
	r                *rule
	project, network string
	// key and seq are r's row sort key (rowKey, stage 2) and f's seq.
	key int64
	seq int
}

// reindex updates f's entries in the GCP exposer and internet indexes
// after its rules changed.
func (e *Engine) reindex(f *firewall) {
	if f.family != gcpVPC {
		return
	}
	if e.gcpExposers == nil {
		e.gcpExposers, e.gcpInternet = map[string][]exposer{}, map[string][]exposer{}
	}
	notF := func(x exposer) bool { return x.f == f }
	exp := slices.DeleteFunc(e.gcpExposers[f.bucket], notF)
	in := slices.DeleteFunc(e.gcpInternet[f.bucket], notF)
	f.exposes = false
	if !f.deleted {
		p, n := gcpScope(f)
		for _, r := range f.rules {
			if r.Disabled || !internetMatchable(r) {
				continue
			}
			x := exposer{f: f, r: r, project: p, network: n, key: rowKey(r, 2), seq: f.seq}
			// After the entries that sort with it: f's rules keep their order.
			i := sort.Search(len(in), func(i int) bool { return in[i].key > x.key || in[i].key == x.key && in[i].seq > x.seq })
			in = slices.Insert(in, i, x)
			if r.world && r.Action != model.Deny && r.Action != model.GotoNext {
				exp = append(exp, x)
				f.exposes = true
			}
		}
	}
	e.gcpExposers[f.bucket], e.gcpInternet[f.bucket] = exp, in
}

// New returns an empty engine.
func New(opts Options) *Engine {
	if opts.ShortWindow <= 0 {
		opts.ShortWindow = DefaultShortWindow
	}
	if opts.Detector == nil && opts.Content != nil {
		opts.Detector = detect.New(opts.Content)
	}
	return &Engine{opts: opts, fws: map[string]*firewall{}, prefixLists: map[string]*firewall{}}
}

// Load adds snapshot firewalls as the baseline. One with no AsOf is the
// state before every event. A dated one is the state at its AsOf: the
// events before it replay without it, and it sets the state when the
// replay reaches its time (rebase.go); dated before every event, it is
// the state before them all. A firewall loaded twice keeps the later
// snapshot.
func (e *Engine) Load(fws []model.Firewall) {
	fws = splitNetworks(fws)
	var now, dated []model.Firewall
	for _, s := range fws {
		if s.AsOf.IsZero() {
			now = append(now, s)
		} else {
			dated = append(dated, s)
		}
	}
	e.hold(dated)
	if len(now) > 0 {
		e.load(now)
	}
}

// load sets snapshot firewalls as the state before the events.
func (e *Engine) load(fws []model.Firewall) {
	for i := range fws {
		s := &fws[i]
		k := firewallKey(s.Cloud, s.Resource)
		f, ok := e.fws[k]
		if ok && !s.AsOf.IsZero() && s.AsOf.Before(f.meta.AsOf) {
			continue
		}
		if !ok {
			f = e.add(k, s.Cloud, s.Resource)
		}
		meta := *s
		meta.Rules = nil
		meta.Settings = maps.Clone(s.Settings) // calls change it; the caller's snapshot stays as read
		f.meta = meta
		f.rules = nil
		off := e.accessOff(f) // the server's switch, for its IPv6 rules loaded after it
		for _, r := range s.Rules {
			r.Disabled = r.Disabled || off // not in force while public access is off
			f.rules = append(f.rules, e.split(f, r, nil)...)
		}
		f.known, f.fromBaseline = !s.Partial, true
		e.reindex(f)
		f.since = s.AsOf
		if s.AsOf.After(e.baseline) {
			e.baseline = s.AsOf
		}
		e.snapshot(f, s.AsOf)
	}
	// A GCP rule's refresh covers its whole network: once per network.
	done := map[[2]string]bool{}
	for _, f := range e.order {
		if f.family == gcpVPC {
			p, n := gcpScope(f)
			if done[[2]string{p, n}] {
				continue
			}
			done[[2]string{p, n}] = true
		}
		e.refresh(f, nil, nil, nil, true)
	}
}

// idProject is the project a GCP id names, "" when it names none.
func idProject(res model.Resource) string {
	id := res.ID
	if id == "" {
		id = res.Name
	}
	if rest, ok := strings.CutPrefix(normID(model.GCP, id), "projects/"); ok {
		p, _, _ := strings.Cut(rest, "/")
		return p
	}
	return ""
}

// gcpCandidates returns the GCP firewalls that can share evaluation with
// a rule of project: that project's rules, rules whose id names no
// project, policies and networks, in first-sight order.
func (e *Engine) gcpCandidates(project string) []*firewall {
	own, other := e.gcpRules[project], e.gcpOther
	var none []*firewall
	if project != "" {
		none = e.gcpRules[""]
	}
	if len(other) == 0 && len(none) == 0 {
		return own // already in first-sight order; callers only read it
	}
	out := slices.Concat(own, other, none)
	slices.SortFunc(out, func(a, b *firewall) int { return a.seq - b.seq })
	return out
}

// splitNetworks turns a GCP network holding its VPC firewall rules (the
// snapshot readers' shape) into one firewall per rule, the unit audit
// events name (projects/P/global/firewalls/NAME); the network itself is
// kept, without rules, for its settings.
func splitNetworks(fws []model.Firewall) []model.Firewall {
	if !slices.ContainsFunc(fws, func(s model.Firewall) bool {
		return s.Cloud == model.GCP && s.Resource.Type == "network" && len(s.Rules) > 0
	}) {
		return fws // nothing to split: no copy
	}
	out := make([]model.Firewall, 0, len(fws))
	for _, s := range fws {
		if s.Cloud != model.GCP || s.Resource.Type != "network" || len(s.Rules) == 0 {
			out = append(out, s)
			continue
		}
		project := s.Account
		if rest, ok := strings.CutPrefix(normID(model.GCP, s.Resource.ID), "projects/"); ok {
			project, _, _ = strings.Cut(rest, "/")
		}
		var names []string
		byName := map[string][]model.Rule{}
		for _, r := range s.Rules {
			if _, ok := byName[r.Name]; !ok {
				names = append(names, r.Name)
			}
			byName[r.Name] = append(byName[r.Name], r)
		}
		for _, n := range names {
			fw := s
			fw.Resource = model.Resource{Type: "vpc_firewall_rule", ID: "projects/" + project + "/global/firewalls/" + n, Name: n}
			fw.Account = cmp.Or(s.Account, project)
			fw.Network = cmp.Or(s.Network, lastSegment(s.Resource.ID))
			fw.Rules = byName[n]
			fw.Partial = false
			out = append(out, fw)
		}
		s.Rules = nil
		out = append(out, s)
	}
	return out
}

// firewall is one firewall's current state.
type firewall struct {
	key string
	// seq is the order of first sight.
	seq    int
	family family
	meta   model.Firewall // Rules unused: see rules
	rules  []*rule
	// known says rules is the full set: from a baseline, or the firewall
	// was created in the logs. since is from when.
	known        bool
	fromBaseline bool
	since        time.Time
	// unloggedAt is when a create or whole write whose content is not
	// logged left the rules unknown; zero once a logged one makes them
	// known again.
	unloggedAt time.Time
	unloggedBy string // "created", "written whole" or "changed"
	// seen is the first event that touched the firewall.
	seen    time.Time
	deleted bool
	// deletedAt is when it was deleted, for contradiction notes.
	deletedAt time.Time
	// open are the exposure windows in force, by exposure key.
	open map[string]*model.Window
	// quiet are exposures in force that open no window: the default
	// egress-all rule of a security group that no logged call added.
	quiet map[string]struct{}
	// unwindowed are exposures in force past MaxOpenWindows: no window.
	unwindowed map[string]struct{}
	history    []version
	scope      scopeCache
	// bucket is the key of a GCP VPC rule in gcpRules and gcpExposers.
	bucket string
	// exposes says a GCP VPC rule has an enabled world-open allow rule
	// (it is in gcpExposers), as of its last reindex.
	exposes bool
	// implicit is the allow-all a Redis cache applies while it has no
	// firewall rule (redisOpen), made on first need.
	implicit *rule
	// narrow is a cluster's last allowlist that admitted only narrow
	// ranges (keepNarrow): what closes a window a later call opened.
	narrow []string
	// apiVersion is the REST api-version of the last call on it that
	// logged one (Event.APIVersion): what an undo through az rest uses
	// when the resource type accepts it (restAPIVersion).
	apiVersion string
}

// version is a firewall's rules from one instant on (Options.History).
type version struct {
	at      time.Time
	rules   []*rule
	deleted bool
}

func (e *Engine) add(k string, cloud model.Cloud, res model.Resource) *firewall {
	f := &firewall{key: k, family: familyOf(cloud, res.Type), open: map[string]*model.Window{}, seq: len(e.order)}
	f.meta.Cloud, f.meta.Resource = cloud, res
	e.fws[k] = f
	e.order = append(e.order, f)
	switch {
	case cloud != model.GCP:
	case f.family == gcpVPC:
		if e.gcpRules == nil {
			e.gcpRules = map[string][]*firewall{}
		}
		p := idProject(res)
		f.bucket = p
		e.gcpRules[p] = append(e.gcpRules[p], f)
	case f.family == gcpPolicy || res.Type == "network":
		e.gcpOther = append(e.gcpOther, f)
	}
	if res.Type == "prefix_list" {
		e.prefixLists[normID(cloud, res.ID)] = f
	}
	return f
}

// snapshot records f's rules as of at, when history is kept.
func (e *Engine) snapshot(f *firewall, at time.Time) {
	if !e.opts.History {
		return
	}
	v := version{at: at, rules: slices.Clone(f.rules), deleted: f.deleted}
	if n := len(f.history); n > 0 && f.history[n-1].at.Equal(at) {
		f.history[n-1] = v
		return
	}
	f.history = append(f.history, v)
}

// RuleCount is how many rules the firewall of key k (Key) holds now, a
// rule that names many peers counting once for each (what it costs to
// hold).
func (e *Engine) RuleCount(k string) int {
	f, ok := e.fws[k]
	if !ok {
		return 0
	}
	n := 0
	for _, r := range f.rules {
		n += max(1, len(r.Peers))
	}
	return n
}

// Firewall returns the current state of the firewall a resource names.
func (e *Engine) Firewall(cloud model.Cloud, res model.Resource) (model.Firewall, bool) {
	e.settle(time.Time{})
	f, ok := e.fws[firewallKey(cloud, res)]
	if !ok {
		return model.Firewall{}, false
	}
	return f.export(f.rules), true
}

// At returns the firewall's rules in force at instant t: the present when
// history is not kept. Known is false when the rules at t are not all
// known (before the baseline, or before the firewall's creation was seen).
func (e *Engine) At(cloud model.Cloud, res model.Resource, t time.Time) (model.Firewall, model.RuleSet, bool) {
	e.settle(time.Time{})
	f, ok := e.fws[firewallKey(cloud, res)]
	if !ok {
		return model.Firewall{}, model.RuleSet{}, false
	}
	rules := f.rules
	if e.opts.History {
		rules = nil
		for _, v := range f.history {
			if v.at.After(t) {
				break
			}
			rules = v.rules
			if v.deleted {
				rules = nil
			}
		}
	}
	fw := f.export(rules)
	set := model.RuleSet{Rules: fw.Rules, Known: f.known && (t.IsZero() || !t.Before(f.since))}
	if !set.Known {
		set.Note = f.unknownNote()
	}
	return fw, set, true
}

// Firewalls returns every firewall's current state, in order of first
// sight.
func (e *Engine) Firewalls() []model.Firewall {
	e.settle(time.Time{})
	out := make([]model.Firewall, 0, len(e.order))
	for _, f := range e.order {
		out = append(out, f.export(f.rules))
	}
	return out
}

// Known reports whether the firewall's full rule set is known now.
func (e *Engine) Known(cloud model.Cloud, res model.Resource) bool {
	e.settle(time.Time{})
	f, ok := e.fws[firewallKey(cloud, res)]
	return ok && f.known
}

func (f *firewall) export(rules []*rule) model.Firewall {
	fw := f.meta
	fw.Rules = make([]model.Rule, 0, len(rules))
	for _, r := range rules {
		fw.Rules = append(fw.Rules, r.Rule)
	}
	return fw
}

// unknownNote says what is not known about f's rules.
func (f *firewall) unknownNote() string {
	switch {
	case !f.known && !f.unloggedAt.IsZero():
		return f.unloggedBy + " at " + f.unloggedAt.UTC().Format(time.RFC3339) + ", but the rule content is not logged: rules unknown"
	case f.fromBaseline && !f.known:
		return "the baseline lists some of its rules (a partial snapshot, such as a rule list): rules it does not list are unknown"
	case f.known && !f.since.IsZero():
		return "rules before " + f.since.UTC().Format(time.RFC3339) + " unknown"
	case !f.seen.IsZero():
		return "no baseline: rules before " + f.seen.UTC().Format(time.RFC3339) + " unknown; only rules the logs added are known"
	}
	return "no baseline: rules unknown"
}

// Windows returns every exposure window: closed ones and those still open
// at the end of the data, most severe first, then longest, then oldest.
func (e *Engine) Windows() []model.Window {
	e.settle(time.Time{})
	n := len(e.closed)
	for _, f := range e.order {
		n += len(f.open)
	}
	if n == 0 {
		return nil
	}
	// Sorted as pointers, then copied once: a window is hundreds of bytes.
	ptrs := make([]*model.Window, 0, n)
	ptrs = append(ptrs, e.closed...)
	for _, f := range e.order {
		for _, k := range sortedKeys(f.open) {
			w := f.open[k]
			if w.Start.IsZero() {
				w.Start = e.first // in force when the data begins
			}
			ptrs = append(ptrs, w)
		}
	}
	// Open windows are measured to the end of their account's data, read
	// once per account as given.
	ends := map[acctKey]time.Time{}
	endOf := func(w *model.Window) time.Time {
		if w.End != nil {
			return *w.End
		}
		k := acctKey{w.Cloud, w.Account}
		t, ok := ends[k]
		if !ok {
			t = e.End(w.Cloud, w.Account)
			ends[k] = t
		}
		return t
	}
	slices.SortStableFunc(ptrs, func(a, b *model.Window) int { return compareWindowsUntil(a, b, endOf) })
	out := make([]model.Window, len(ptrs))
	for i, w := range ptrs {
		out[i] = *w
	}
	return out
}

// SortWindows orders windows most severe first, then longest (open
// windows measured up to end), then oldest, then by id.
func SortWindows(ws []model.Window, end time.Time) {
	slices.SortStableFunc(ws, func(a, b model.Window) int { return compareWindows(&a, &b, end) })
}

// compareWindows is SortWindows' order, each key read only when the
// ones before it tie.
func compareWindows(a, b *model.Window, end time.Time) int {
	return compareWindowsUntil(a, b, func(*model.Window) time.Time { return end })
}

// compareWindowsUntil is compareWindows with each open window measured
// up to endOf it (the end of its own account's data), read only when the
// severities tie.
func compareWindowsUntil(a, b *model.Window, endOf func(*model.Window) time.Time) int {
	if c := cmp.Compare(b.Severity, a.Severity); c != 0 {
		return c
	}
	if c := cmp.Compare(b.Duration(endOf(b)), a.Duration(endOf(a))); c != 0 {
		return c
	}
	if c := a.Start.Compare(b.Start); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}

// Span returns the first and last event times applied.
func (e *Engine) Span() (first, last time.Time) {
	e.settle(time.Time{})
	return e.first, e.last
}

// End is the end of the data of one account (cloud and account): the last
// event applied in it. A window still open there runs to it, not to the
// latest event of another account or cloud. An account with no event
// applied gets the last event time of all.
func (e *Engine) End(cloud model.Cloud, account string) time.Time {
	e.settle(time.Time{})
	if e.endBy == nil {
		e.endBy = make(map[acctKey]time.Time, len(e.lastBy))
		for k, t := range e.lastBy {
			if n := accountKey(k.cloud, k.account); t.After(e.endBy[n]) {
				e.endBy[n] = t
			}
		}
	}
	if t, ok := e.endBy[accountKey(cloud, account)]; ok {
		return t
	}
	return e.last
}

// acctKey names an account of a cloud; account ids compare without case
// (Azure writes subscription ids in either).
type acctKey struct {
	cloud   model.Cloud
	account string
}

func accountKey(cloud model.Cloud, account string) acctKey {
	return acctKey{cloud, strings.ToLower(account)}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Key names the firewall a resource belongs to (an Azure NSG rule's NSG),
// the same for snapshots and events: group changes by it.
func Key(cloud model.Cloud, res model.Resource) string { return firewallKey(cloud, res) }

// Status says whether the firewall's full rule set is known now, and
// what is not known when it is not.
func (e *Engine) Status(cloud model.Cloud, res model.Resource) (known bool, note string) {
	e.settle(time.Time{})
	f, ok := e.fws[firewallKey(cloud, res)]
	if !ok {
		return false, "only failed or untracked calls: no state"
	}
	if f.deleted {
		return true, "deleted at " + f.deletedAt.UTC().Format(time.RFC3339)
	}
	if f.known && f.fromBaseline {
		return true, ""
	}
	if f.known {
		return true, "rules known from " + f.since.UTC().Format(time.RFC3339) + " (created or written whole in the logs)"
	}
	return false, f.unknownNote()
}
