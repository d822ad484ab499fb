package correlate

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"cloudwall/internal/model"
)

// First-seen rule ids, most significant first: a finding new in several
// ways gets the rule of the first.
const (
	FirstSeenActor     = "first-seen-actor"
	FirstSeenAccessKey = "first-seen-access-key"
	FirstSeenNetwork   = "first-seen-network"
	// FirstSeenNetworkClass is a configured network class (a cloud
	// provider's ranges, Tor exits) new for the account.
	FirstSeenNetworkClass = "first-seen-network-class"
	FirstSeenUserAgent    = "first-seen-user-agent"
	FirstSeenRegion       = "first-seen-region"
)

// Fact kinds (model.FirstSeen.Kind) and the rule each one fires.
var factRules = []struct{ kind, rule string }{
	{"actor", FirstSeenActor},
	{"access-key", FirstSeenAccessKey},
	{"network-class", FirstSeenNetworkClass},
	{"network", FirstSeenNetwork},
	{"user-agent", FirstSeenUserAgent},
	{"region", FirstSeenRegion},
}

// Learns reports whether a finding's facts are learned: a change that
// took effect (also one that closed access), not a failed attempt, not a
// correlation.
func Learns(f *model.Finding) bool {
	return f.Outcome == model.Success && !slices.Contains(f.Tags, "correlation") && !slices.Contains(f.Tags, "dry-run")
}

// FactsOf lists what a finding tells about who changed firewalls in its
// account, and how: the identity, a long-term access key, the source /24
// (IPv4) or /48 (IPv6) and the network classes that hold the address
// (classes may be nil), the user agent family, the region.
func FactsOf(f *model.Finding, classes func(netip.Addr) []string) []model.FirstSeen {
	var out []model.FirstSeen
	add := func(kind, v string) {
		if v = strings.TrimSpace(v); v != "" && len(v) <= 512 {
			out = append(out, model.FirstSeen{Kind: kind, Value: v})
		}
	}
	add("actor", strings.ToLower(cmpOr(f.Identity, f.Actor.ID, f.Actor.Name)))
	if k := f.Actor.AccessKey; strings.HasPrefix(k, "AKIA") {
		add("access-key", k)
	}
	if a, err := netip.ParseAddr(f.SourceIP); err == nil {
		a = a.Unmap()
		bits := 24
		if a.Is6() {
			bits = 48
		}
		if p, err := a.Prefix(bits); err == nil {
			add("network", p.String())
		}
		if classes != nil {
			for _, c := range classes(a) {
				add("network-class", c)
			}
		}
	}
	add("user-agent", UserAgentFamily(f.UserAgent))
	if r := strings.ToLower(f.Region); r != "global" {
		add("region", r)
	}
	return out
}

// UserAgentFamily reduces a user agent to its first product name, lower
// case, without version: "aws-cli/2.15.30 Python/3.11" is "aws-cli",
// "[Boto3/1.34.0 ...]" is "boto3".
func UserAgentFamily(ua string) string {
	ua = strings.TrimLeft(strings.TrimSpace(ua), "[(\"'")
	end := strings.IndexAny(ua, "/ ;()[]\"")
	if end >= 0 {
		ua = ua[:end]
	}
	if len(ua) > 64 {
		ua = ua[:64]
	}
	return strings.ToLower(ua)
}

// FirstSeen marks findings[i] with the new facts news[i] (tag, FirstSeen)
// and returns findings with one first-seen finding appended per marked
// finding, carrying the rule of its most significant new fact and linked
// to it. floors gives each rule's base severity (from the catalogue): a
// first-seen finding is at most that and at most its member's severity,
// at least low.
func FirstSeen(findings []model.Finding, news map[int][]model.FirstSeen, floors map[string]model.Severity) []model.Finding {
	var idx []int
	for i := range news {
		idx = append(idx, i)
	}
	slices.Sort(idx)
	var out []made
	ids := make(map[string]int, len(idx))
	for _, i := range idx {
		f := &findings[i]
		facts := news[i]
		slices.SortStableFunc(facts, func(a, b model.FirstSeen) int { return kindRank(a.Kind) - kindRank(b.Kind) })
		rule := factRules[kindRank(facts[0].Kind)].rule
		var what, kinds, classes []string
		for _, x := range facts {
			what = append(what, x.Kind+" "+x.Value)
			if k := strings.ReplaceAll(x.Kind, "-", " "); !slices.Contains(kinds, k) {
				kinds = append(kinds, k)
			}
			if x.Kind == "network-class" {
				classes = append(classes, x.Value)
			}
		}
		from := ""
		if len(classes) > 0 {
			// The class says more than the address: a Tor exit, a
			// cloud provider's range.
			from = fmt.Sprintf(" from %s (%s)", f.SourceIP, strings.Join(classes, ", "))
		}
		f.FirstSeen = facts
		ids[f.ID] = i
		m := newFinding(rule,
			fmt.Sprintf("New in %s %s: %s changed a firewall%s (new %s)", f.Cloud, cmpOr(f.Account, "account"), cmpOr(f.Actor.Name, actorName(f)), from, strings.Join(kinds, ", ")),
			floors[rule], []*model.Finding{f},
			[]string{fmt.Sprintf("not seen changing firewalls in %s %s before, in the store's history: %s", f.Cloud, cmpOr(f.Account, "(no account)"), strings.Join(what, "; ")),
				"first sightings are read with the rest of the story: the identity's other findings, its session, its address"}, 1)
		// Context on one finding: at most the rule's base and never above
		// the finding it points at (low when that is automation).
		m.f.Severity = max(model.Low, min(m.f.Severity, floors[rule], f.Severity))
		out = append(out, m)
	}
	return link(findings, out, ids)
}

func kindRank(kind string) int {
	for i, r := range factRules {
		if r.kind == kind {
			return i
		}
	}
	return len(factRules) - 1
}
