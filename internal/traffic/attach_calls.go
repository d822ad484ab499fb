package traffic

import (
	"slices"
	"strings"
	"time"

	"cloudwall/internal/model"
)

// groupSet is one call that replaced an interface's whole set of security
// groups (ModifyNetworkInterfaceAttribute or ModifyInstanceAttribute with
// groupSet): from At on, the interface carries Groups and no other.
type groupSet struct {
	at     time.Time
	groups []string
}

// AddCalls records the security group sets that successful calls in the
// audit logs put on AWS network interfaces. An instance's call applies to
// the interfaces a snapshot lists for the instance; without one it is not
// tied to an interface.
func (a *Attachments) AddCalls(findings []model.Finding) {
	for i := range findings {
		f := &findings[i]
		if f.Outcome != model.Success || f.Cloud != model.AWS || len(f.Targets) == 0 {
			continue
		}
		var groups []string
		for _, t := range f.Targets {
			if strings.HasPrefix(t, "sg-") {
				groups = append(groups, t)
			}
		}
		if len(groups) == 0 {
			continue
		}
		switch id := f.Resource.ID; {
		case strings.HasPrefix(id, "eni-"):
			a.addSet(id, f.Time, groups)
		case strings.HasPrefix(id, "i-"):
			for _, eni := range a.instances[id] {
				a.addSet(eni, f.Time, groups)
			}
		}
	}
}

func (a *Attachments) addSet(eni string, at time.Time, groups []string) {
	l := append(a.sets[eni], groupSet{at: at, groups: groups})
	slices.SortStableFunc(l, func(x, y groupSet) int { return x.at.Compare(y.at) })
	a.sets[eni] = l
}

// carries says whether interface eni carried security group sg at some
// time in [from, to] (to zero: from on): yes, no, or unknown (decided
// false). Before the first call the snapshot says, when it listed the
// interface; an interface no call and no snapshot names is unknown.
func (a *Attachments) carries(eni, sg string, from, to time.Time) (yes, decided bool) {
	sets := a.sets[eni]
	if len(sets) == 0 {
		return false, false
	}
	pre := from.Before(sets[0].at)
	if pre && slices.Contains(a.groups[sg], eni) {
		return true, true // the snapshot's state before the first call
	}
	for i, s := range sets {
		// s is in force over [s.at, next.at); it counts if that meets [from, to].
		if i+1 < len(sets) && !sets[i+1].at.After(from) {
			continue
		}
		if !to.IsZero() && s.at.After(to) {
			break
		}
		if slices.Contains(s.groups, sg) {
			return true, true
		}
	}
	if pre && !a.known[eni] {
		return false, false // before the first call, and no snapshot listed it
	}
	return false, true
}

// tieAt ties a flow on interface eni during [from, to] to opening o by
// the group sets calls put on the interface: evInterface when it carried
// the opening's group then, evNone when it was behind other groups only,
// evNetwork before the first call when no snapshot listed it. decided is
// false for an interface no call names.
func (a *Attachments) tieAt(o *Opening, eni string, from, to time.Time) (ev int, decided bool) {
	if a == nil || eni == "" || len(a.sets[eni]) == 0 || !strings.HasPrefix(o.Firewall.ID, "sg-") {
		return evNone, false
	}
	yes, ok := a.carries(eni, o.Firewall.ID, from, to)
	switch {
	case !ok:
		return evNetwork, true
	case yes:
		return evInterface, true
	}
	return evNone, true
}
