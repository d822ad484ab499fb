package state

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"cloudwall/internal/model"
)

// exposure is one rule through which the internet reaches the firewall,
// with the ports on which it is effective.
type exposure struct {
	r   *rule
	eff model.RuleChange
}

// refresh recomputes the exposures of f (and of the firewalls evaluated
// with it: a GCP network's rules, the networks a policy governs), opening
// windows for new ones and closing windows for those gone. edge is the
// call responsible, nil when loading a baseline; added are the rules the
// call added.
func (e *Engine) refresh(f *firewall, edge *model.WindowEdge, added []*rule) (opened, closed []*model.Window) {
	group := []*firewall{f}
	if f.family == gcpVPC || f.family == gcpPolicy {
		group = group[:0]
		project, network := gcpScope(f)
		cands := e.gcpCandidates(project)
		if f.family == gcpPolicy {
			cands = e.order // a policy governs networks of any project
		}
		for _, x := range cands {
			if x.family == gcpPolicy && x == f {
				group = append(group, x)
				continue
			}
			if x.family != gcpVPC {
				continue
			}
			p, n := gcpScope(x)
			if f.family == gcpPolicy || p == project && (n == "" || network == "" || n == network) {
				group = append(group, x)
			}
		}
	}
	// The VPC rules of one network are evaluated together: their rows are
	// built once for the whole group.
	var shared []row
	var sharedP, sharedN string
	for _, x := range group {
		var rows []row
		if x.family == gcpVPC && !x.deleted {
			p, n := gcpScope(x)
			if shared == nil || p != sharedP || n != sharedN {
				shared, sharedP, sharedN = e.rowsAt(x, time.Time{}), p, n
			}
			rows = shared
		}
		o, c := e.refreshOne(x, edge, added, rows)
		opened = append(opened, o...)
		closed = append(closed, c...)
	}
	return opened, closed
}

func (e *Engine) refreshOne(f *firewall, edge *model.WindowEdge, added []*rule, rows []row) (opened, closed []*model.Window) {
	now := e.exposures(f, rows)
	for k := range f.quiet {
		if _, still := now[k]; !still {
			delete(f.quiet, k)
		}
	}
	for _, k := range sortedKeys(f.open) {
		if _, still := now[k]; still {
			continue
		}
		w := f.open[k]
		delete(f.open, k)
		e.close(f, w, edge)
		closed = append(closed, w)
	}
	for _, k := range sortedKeys(now) {
		if _, had := f.open[k]; had {
			continue
		}
		x := now[k]
		if _, q := f.quiet[k]; q {
			continue
		}
		if x.r.opened == nil && defaultEgress(f, &x.r.Rule) {
			// A default egress rule held from the baseline or added by
			// the firewall's creation is the normal state, as GCP's
			// implied allow-egress rule is: no window. A call that adds
			// it back after it was removed opens one.
			if f.quiet == nil {
				f.quiet = map[string]struct{}{}
			}
			f.quiet[k] = struct{}{}
			continue
		}
		w := e.window(f, x, edge, slices.Contains(added, x.r))
		f.open[k] = w
		opened = append(opened, w)
	}
	return opened, closed
}

// window opens a window for exposure x.
func (e *Engine) window(f *firewall, x exposure, edge *model.WindowEdge, addedNow bool) *model.Window {
	w := &model.Window{
		Cloud: f.meta.Cloud, Account: f.meta.Account, Region: f.meta.Region,
		Firewall: f.meta.Resource, Rule: x.eff,
	}
	if edge != nil {
		w.Start, w.StartKnown = edge.Time, true
		o := *edge
		o.Why = "rule added"
		if !addedNow {
			o.Why = "rule became effective: what was evaluated before it no longer blocks it"
		}
		w.Opened = &o
	} else {
		w.Start = f.since // zero until the data begins: see close and Windows
	}
	e.judge(f, w)
	w.ID = windowID(f, w)
	w.Rollback = windowRollback(f, x.r)
	return w
}

// judge sets the window's severity and exposure from the detector.
func (e *Engine) judge(f *firewall, w *model.Window) {
	if e.opts.Detector == nil {
		return
	}
	typ := f.meta.Resource.Type
	switch typ {
	case "nsg":
		typ = "nsg_rule"
	case "sql_server":
		typ = "sql_firewall_rule"
	}
	j := e.opts.Detector.Judge(f.meta.Cloud, typ, w.Rule)
	w.Severity, w.Exposure = j.Severity, j.Exposure
}

// close ends window w at edge.
func (e *Engine) close(f *firewall, w *model.Window, edge *model.WindowEdge) {
	end := e.last
	if edge != nil {
		end = edge.Time
		c := *edge
		c.Why = "rule removed or narrowed"
		switch {
		case f.deleted:
			c.Why = "firewall deleted"
		case e.ruleGone(f, w):
			c.Why = "rule removed or changed"
		default:
			c.Why = "rule no longer effective: disabled, or a rule evaluated before it now blocks it"
		}
		w.Closed = &c
	}
	if w.Start.IsZero() {
		w.Start = e.first
	}
	w.End = &end
	w.Short = w.StartKnown && end.Sub(w.Start) <= e.opts.ShortWindow
	e.closed = append(e.closed, w)
}

// ruleGone says whether the window's rule is no longer in force at all.
func (e *Engine) ruleGone(f *firewall, w *model.Window) bool {
	for _, r := range f.rules {
		if !r.Disabled && tupleKey(&model.Rule{RuleChange: w.Rule}) == tupleKey(&r.Rule) {
			return false
		}
		if r.Disabled {
			continue
		}
		rc := r.RuleChange
		rc.Ports = w.Rule.Ports
		if tupleKey(&model.Rule{RuleChange: rc}) == tupleKey(&model.Rule{RuleChange: w.Rule}) {
			return false
		}
	}
	return true
}

// unseen records a world-open allow rule that a call removed without the
// state having seen it: it was open before the data begins, so its window
// starts unknown and ends now.
func (e *Engine) unseen(f *firewall, r *rule, edge *model.WindowEdge) {
	if !r.world || r.Action == model.Deny || r.Action == model.GotoNext || defaultEgress(f, &r.Rule) {
		return
	}
	w := &model.Window{Cloud: f.meta.Cloud, Account: f.meta.Account, Region: f.meta.Region,
		Firewall: f.meta.Resource, Rule: r.RuleChange, Start: e.first}
	w.Rule.Effect = ""
	e.judge(f, w)
	w.ID = windowID(f, w)
	w.Rollback = []string{"# nothing to undo: this call closed the exposure"}
	e.close(f, w, edge)
}

// exposures returns the rules of f through which the internet reaches it
// now, keyed by rule content and effective ports.
func (e *Engine) exposures(f *firewall, rows []row) map[string]exposure {
	out := map[string]exposure{}
	if f.deleted {
		return out
	}
	if f.family != allowOnly && rows == nil {
		rows = e.rowsAt(f, time.Time{})
	}
	for _, r := range f.rules {
		// Ingress windows say who could reach the firewall's workloads;
		// egress windows where they could send data (exfiltration, command
		// and control), judged by the detector's egress table.
		if !r.world || r.Disabled || r.Action == model.Deny || r.Action == model.GotoNext {
			continue
		}
		whole := r.RuleChange
		whole.Effect = ""
		effs := []model.RuleChange{whole}
		if f.family != allowOnly {
			effs = e.effective(f, rows, r)
		}
		for _, eff := range effs {
			out[tupleKey(&model.Rule{RuleChange: eff})] = exposure{r: r, eff: eff}
		}
	}
	return out
}

// defaultEgress reports an egress rule every firewall of its kind starts
// with: the egress-all rule AWS adds to a new security group, the
// allow-all entry 100 of a VPC's default network ACL, and rules the
// snapshot marks built in (Azure's AllowInternetOutBound).
func defaultEgress(f *firewall, r *model.Rule) bool {
	if dirOf(r.Direction) != model.Egress {
		return false
	}
	if r.Builtin {
		return true
	}
	typ := f.meta.Resource.Type
	if typ != "security_group" && !(typ == "network_acl" && f.meta.Default) || protoName(r.Protocol) != "all" || len(r.Peers) != 1 {
		return false
	}
	p := r.Peers[0]
	return p.Kind == model.PeerCIDR && (strings.TrimSpace(p.Value) == "0.0.0.0/0" || strings.TrimSpace(p.Value) == "::/0")
}

// effective returns the parts of allow rule r through which internet
// traffic reaches the firewall (r decides the packet): r itself when it
// decides everything it matches, else one part per protocol with the
// ports on which it decides. Ports are probed once per stretch between the
// bounds of every rule of the same direction.
func (e *Engine) effective(f *firewall, rows []row, r *rule) []model.RuleChange {
	dir := dirOf(r.Direction)
	proto := protoName(r.Protocol)
	protos := []string{proto}
	if proto == "all" || proto == "" {
		protos = []string{"tcp", "udp", "icmp"}
	}
	ranges := r.Ports
	if len(ranges) == 0 {
		ranges = model.PortList{model.AllPortRange}
	}
	var bounds []int
	for _, x := range rows {
		if dirOf(x.r.Direction) != dir {
			continue
		}
		for _, pr := range x.r.Ports {
			bounds = append(bounds, pr.From, pr.To+1)
		}
	}
	slices.Sort(bounds)
	bounds = slices.Compact(bounds)
	decides := func(p string, port int) bool {
		d := e.decide(f, rows, Query{Direction: dir, Protocol: p, Port: port})
		return d.Allowed && d.Rule == &r.Rule
	}
	whole := r.RuleChange
	whole.Effect = ""
	var parts []model.RuleChange
	full := true
	for _, p := range protos {
		part := whole
		part.Protocol = p
		if !portBearing(p) {
			part.Ports = nil
			if decides(p, 0) {
				parts = append(parts, part)
			} else {
				full = false
			}
			continue
		}
		var eff model.PortList
		for _, pr := range ranges {
			lo := pr.From
			for lo <= pr.To {
				hi := pr.To
				if i, _ := slices.BinarySearch(bounds, lo+1); i < len(bounds) && bounds[i]-1 < hi {
					hi = bounds[i] - 1
				}
				if decides(p, lo) {
					eff = appendRange(eff, model.PortRange{From: lo, To: hi})
				} else {
					full = false
				}
				lo = hi + 1
			}
		}
		if len(eff) > 0 {
			part.Ports = eff
			parts = append(parts, part)
		}
	}
	if full {
		return []model.RuleChange{whole}
	}
	return parts
}

// appendRange adds pr to l, merging with an adjacent or overlapping last
// range and keeping l sorted by start.
func appendRange(l model.PortList, pr model.PortRange) model.PortList {
	for i := range l {
		if pr.From <= l[i].To+1 && pr.To >= l[i].From-1 {
			l[i].From, l[i].To = min(l[i].From, pr.From), max(l[i].To, pr.To)
			return l
		}
	}
	l = append(l, pr)
	slices.SortFunc(l, func(a, b model.PortRange) int { return a.From - b.From })
	return l
}

// windowID hashes the firewall, the rule and the start.
func windowID(f *firewall, w *model.Window) string {
	var b strings.Builder
	b.WriteString(f.key)
	b.WriteByte(0)
	b.WriteString(tupleKey(&model.Rule{RuleChange: w.Rule}))
	b.WriteByte(0)
	if w.Opened != nil {
		b.WriteString(w.Opened.Time.UTC().Format(time.RFC3339Nano))
		b.WriteString(w.Opened.EventID)
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:8])
}
