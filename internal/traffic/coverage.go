package traffic

import (
	"slices"
	"strings"
	"time"

	"cloudwall/internal/model"
)

// coverage records when flows were seen, per cloud, account and scope, so
// that "no inbound flow seen" is told apart from "no flow logs". The scope
// is empty except for Azure, whose flow logs are written per NSG (NSG flow
// logs) or per VNet, subnet or NIC (VNet flow logs), and for GCP Firewall
// Rules Logging, whose entries exist only for rules with logging on: a
// subscription's flow logs do not cover an NSG they do not log, and the
// entries of one rule say nothing of another.
//
// A flow log of a network or interface records what passes all the time,
// so an hour without a single record of the whole scope is a gap in the
// logs (deleted, not delivered, not read), not silence: coverage keeps
// the stretches of time its records fall in, joined across gaps of at
// most coverageGap, and a window is covered only by one stretch that
// spans it. Firewall Rules Logging records hits only, so there any record
// before and after the window covers it.
type coverage map[string]*span

// coverageGap is the longest quiet time taken as the same stretch of a
// flow log, and the slack allowed at a window's ends (a flow record
// spans at most ten minutes; VPC flow logs are delivered every five
// minutes or ten, Azure's blobs per hour).
const coverageGap = time.Hour

// maxStretches bounds the stretches kept per scope: past it a stretch
// that joins none is not kept, so a window may read as not covered
// (no-coverage), never the reverse.
const maxStretches = 4096

type span struct {
	from, to time.Time // the first and last flow of the scope
	set      bool
	// hitsOnly: Firewall Rules Logging, judged by from and to alone.
	hitsOnly bool
	// parts are the stretches, in time order, apart by more than
	// coverageGap; hint is the one the last flow joined.
	parts []stretch
	hint  int
}

type stretch struct{ from, to time.Time }

const maxCoverageKeys = 1 << 16

func coverageKey(cloud, account, scope string) string {
	return cloud + "|" + strings.ToLower(account) + "|" + scope
}

// flowScope is the coverage scope of a flow's record.
func flowScope(f *Flow) string {
	switch {
	case f.Cloud == model.GCP && f.Rule != "":
		return "rule:" + strings.ToLower(f.Rule)
	case f.Cloud != model.Azure:
		return ""
	case f.Firewall != "":
		return "nsg:" + f.Firewall
	case f.Network != "":
		return "net:" + strings.ToLower(f.Network)
	}
	return ""
}

// openingScopes are the coverage scopes that may cover an opening: any
// one of them seen over its window makes the absence of flows mean
// something.
func openingScopes(o *Opening) []string {
	switch {
	case o.Cloud == model.GCP && o.RuleName != "":
		return []string{"", "rule:" + strings.ToLower(o.RuleName)}
	case o.Cloud != model.Azure:
		return []string{""}
	case o.Firewall.ID != "":
		return []string{"nsg:" + strings.ToLower(o.Firewall.ID)}
	case o.Network != "":
		return []string{"net:" + strings.ToLower(o.Network)}
	}
	return []string{""}
}

// ifaceScope is the coverage scope of one AWS network interface: a flow
// log can be set on single interfaces or on a subnet, so records of other
// interfaces of the account say nothing of whether this one was logged.
func ifaceScope(eni string) string { return "eni:" + eni }

// coversOpening reports whether the flow logs read cover opening o over
// its window. Where the interfaces behind an AWS firewall are known (an
// inventory in --baseline, or calls that attached the group), each of them
// must have records spanning the window itself: a flow log of other
// interfaces, or of another subnet, is silent about them. An exposed
// interface gets scans and rejected probes all the time, so one that
// logged nothing was not logged.
// It also returns the interfaces whose records do not cover the window.
func (c coverage) coversOpening(o *Opening) (bool, []string) {
	if o.Cloud == model.AWS && len(o.Interfaces) > 0 {
		var missing []string
		for _, in := range o.Interfaces {
			if !c.covers(string(o.Cloud), o.Account, []string{ifaceScope(in)}, o.Start, o.End) {
				missing = append(missing, in)
			}
		}
		return len(missing) == 0, missing
	}
	return c.covers(string(o.Cloud), o.Account, openingScopes(o), o.Start, o.End), nil
}

// slot returns the span of key, nil when the map is full.
func (c coverage) slot(key string) *span {
	s := c[key]
	if s == nil && len(c) < maxCoverageKeys {
		s = &span{hitsOnly: strings.Contains(key, "|rule:")}
		c[key] = s
	}
	return s
}

func (c coverage) add(key string, from, to time.Time) {
	if s := c.slot(key); s != nil {
		s.add(from, to)
	}
}

func (s *span) add(from, to time.Time) {
	if to.Before(from) {
		to = from
	}
	if !s.set || from.Before(s.from) {
		s.from = from
	}
	if !s.set || to.After(s.to) {
		s.to = to
	}
	s.set = true
	if s.hitsOnly {
		return
	}
	// Flows of one file come in time order: most join the stretch the
	// last one did.
	if s.hint < len(s.parts) && s.parts[s.hint].joins(from, to) {
		s.grow(s.hint, from, to)
		return
	}
	i, _ := slices.BinarySearchFunc(s.parts, from, func(p stretch, t time.Time) int { return p.from.Compare(t) })
	switch {
	case i > 0 && s.parts[i-1].joins(from, to):
		s.grow(i-1, from, to)
	case i < len(s.parts) && s.parts[i].joins(from, to):
		s.grow(i, from, to)
	case len(s.parts) < maxStretches:
		s.parts = slices.Insert(s.parts, i, stretch{from, to})
		s.hint = i
	}
}

// joins reports whether [from, to] lies within coverageGap of p.
func (p stretch) joins(from, to time.Time) bool {
	return !from.After(p.to.Add(coverageGap)) && !to.Before(p.from.Add(-coverageGap))
}

// grow widens part i to hold [from, to] and merges the parts it now
// reaches.
func (s *span) grow(i int, from, to time.Time) {
	p := &s.parts[i]
	if from.Before(p.from) {
		p.from = from
	}
	if to.After(p.to) {
		p.to = to
	}
	for i > 0 && s.parts[i-1].joins(s.parts[i].from, s.parts[i].to) {
		s.parts[i-1].to = later(s.parts[i-1].to, s.parts[i].to)
		s.parts = slices.Delete(s.parts, i, i+1)
		i--
	}
	for i+1 < len(s.parts) && s.parts[i].joins(s.parts[i+1].from, s.parts[i+1].to) {
		s.parts[i].to = later(s.parts[i].to, s.parts[i+1].to)
		s.parts = slices.Delete(s.parts, i+1, i+2)
	}
	s.hint = i
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func (c coverage) merge(o coverage) {
	for k, s := range o {
		if !s.set {
			continue
		}
		d := c.slot(k)
		if d == nil {
			continue
		}
		if s.hitsOnly {
			d.add(s.from, s.to)
			continue
		}
		for _, p := range s.parts {
			d.add(p.from, p.to)
		}
		// The first and last flow, also when their stretch was not kept.
		if !d.set || s.from.Before(d.from) {
			d.from = s.from
		}
		if !d.set || s.to.After(d.to) {
			d.to = s.to
		}
		d.set = true
	}
}

// covers reports whether the span's flows cover [from, to]: a zero from
// means from the span's first flow (the window opened before the data),
// a zero to means to its last (still open at the end).
func (s *span) covers(from, to time.Time) bool {
	if s == nil || !s.set {
		return false
	}
	if from.IsZero() {
		from = s.from
	}
	if to.IsZero() {
		to = later(s.to, from)
	}
	if s.hitsOnly {
		return !s.to.Before(from) && !s.from.After(to)
	}
	for _, p := range s.parts {
		if !p.from.After(from.Add(coverageGap)) && !p.to.Before(to.Add(-coverageGap)) {
			return true
		}
	}
	return false
}

// covers reports whether flows of the cloud (and account, when known) in
// one of the scopes cover [from, to] (see span.covers).
func (c coverage) covers(cloud, account string, scopes []string, from, to time.Time) bool {
	for _, scope := range scopes {
		if account != "" {
			// Records that do not say their account (GCP firewall logs
			// without a resource, custom AWS formats) cover their cloud.
			if c[coverageKey(cloud, account, scope)].covers(from, to) || c[coverageKey(cloud, "", scope)].covers(from, to) {
				return true
			}
			continue
		}
		for k, s := range c {
			if strings.HasPrefix(k, cloud+"|") && strings.HasSuffix(k, "|"+scope) && s.covers(from, to) {
				return true
			}
		}
	}
	return false
}
