package correlate

import (
	"fmt"
	"slices"
	"strings"

	"cloudwall/internal/model"
)

// massChange: one actor changing at least MassMin distinct firewalls
// within MassWindow (Pacu ec2__backdoor_ec2_sec_groups opens every group
// it can list). Clusters do not overlap.
func massChange(fs []model.Finding, o Options) []model.Finding {
	groups := map[string][]*model.Finding{}
	var keys []string
	for i := range fs {
		f := &fs[i]
		k := actorKey(f)
		if k == "" || !changed(f) {
			continue
		}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], f)
	}
	slices.Sort(keys)
	var out []model.Finding
	for _, k := range keys {
		g := groups[k]
		byTime(g)
		for start := 0; start < len(g); {
			end := start
			res := map[string]bool{}
			for end < len(g) && g[end].Time.Sub(g[start].Time) <= o.MassWindow {
				res[g[end].Resource.ID] = true
				end++
			}
			if len(res) < o.MassMin {
				start++
				continue
			}
			members := g[start:end]
			span := members[len(members)-1].Time.Sub(members[0].Time)
			who := members[0].Actor
			out = append(out, newFinding(MassChange,
				fmt.Sprintf("%s changed %d firewalls in %s", actorName(who), len(res), span.Round(1e9)),
				max(model.High, maxSeverity(members)), members,
				[]string{fmt.Sprintf("%d changes to %d firewalls by one actor within %s (at least %d within %s is a mass change, the pattern of Pacu's ec2__backdoor_ec2_sec_groups)",
					len(members), len(res), span.Round(1e9), o.MassMin, o.MassWindow)}))
			start = end
		}
	}
	return out
}

// failedThenSucceeded: a change that took effect after denied or failed
// attempts at the same firewall or operation in the same account within
// FailWindow, by the same identity,
// the same access key, or another identity from the same source address.
func failedThenSucceeded(fs []model.Finding, o Options) []model.Finding {
	var fails []*model.Finding
	for i := range fs {
		if failed(&fs[i]) {
			fails = append(fails, &fs[i])
		}
	}
	if len(fails) == 0 {
		return nil
	}
	byTime(fails)
	var out []model.Finding
	for i := range fs {
		s := &fs[i]
		if !changed(s) {
			continue
		}
		var members []*model.Finding
		var how []string
		for _, f := range fails {
			if f.Cloud != s.Cloud || f.Account != s.Account || !f.Time.Before(s.Time) || s.Time.Sub(f.Time) > o.FailWindow {
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
				why = fmt.Sprintf("by another identity (%s) from the same address %s", actorName(f.Actor), f.SourceIP)
			default:
				continue
			}
			members = append(members, f)
			how = append(how, fmt.Sprintf("%s %s at %s (%s)", f.Operation, cmpOr(f.ErrorCode, "failed"), f.Time.Format("15:04:05Z"), why))
		}
		if len(members) == 0 {
			continue
		}
		members = append(members, s)
		out = append(out, newFinding(FailedThenSucceeded,
			fmt.Sprintf("%d failed attempt(s), then %s succeeded", len(members)-1, s.Operation),
			max(model.Medium, s.Severity), members,
			append([]string{fmt.Sprintf("%s succeeded at %s after failed attempts within %s: %s",
				s.Operation, s.Time.Format("15:04:05Z"), o.FailWindow, strings.Join(how, "; "))},
				"denied calls followed by a success often mean permission probing, or a second identity or key found that had the right")))
	}
	return out
}

// shortLived: an allow rule added and removed again on the same firewall
// within ShortWindow (opened, used, cleaned up).
func shortLived(fs []model.Finding, o Options) []model.Finding {
	type opening struct {
		f  *model.Finding
		ch model.RuleChange
	}
	var opens []opening
	for i := range fs {
		f := &fs[i]
		if f.Outcome != model.Success {
			continue
		}
		for _, ch := range f.Changes {
			if ch.Effect == model.Added && ch.Action != model.Deny {
				opens = append(opens, opening{f, ch})
			}
		}
	}
	var out []model.Finding
	seen := map[string]bool{}
	for i := range fs {
		c := &fs[i]
		if c.Outcome != model.Success {
			continue
		}
		for _, ch := range c.Changes {
			if ch.Effect != model.Removed {
				continue
			}
			for _, op := range opens {
				d := c.Time.Sub(op.f.Time)
				if op.f.Cloud != c.Cloud || op.f.Account != c.Account || op.f.Resource.ID != c.Resource.ID ||
					d <= 0 || d > o.ShortWindow || !sameRule(op.ch, ch) || seen[op.f.ID+c.ID] {
					continue
				}
				seen[op.f.ID+c.ID] = true
				out = append(out, newFinding(ShortLived,
					fmt.Sprintf("%s was opened and closed again within %s", op.f.Resource.ID, d.Round(1e9)),
					max(model.Medium, op.f.Severity), []*model.Finding{op.f, c},
					[]string{fmt.Sprintf("rule %s added at %s by %s and removed at %s by %s: an exposure this short is how access is used and cleaned up",
						describeRule(op.ch), op.f.Time.Format("15:04:05Z"), actorName(op.f.Actor), c.Time.Format("15:04:05Z"), actorName(c.Actor))}))
			}
		}
	}
	return out
}

// sameRule compares what two logged rules admit.
func sameRule(a, b model.RuleChange) bool {
	if a.Direction != b.Direction && a.Direction != "" && b.Direction != "" {
		return false
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

func actorName(a model.Actor) string {
	return cmpOr(a.ID, a.Name, "an unknown actor")
}

func cmpOr(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}
