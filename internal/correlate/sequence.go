package correlate

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"cloudwall/internal/model"
)

// ReconThenChange is the rule id of reconnaissance before a change.
const ReconThenChange = "recon-then-change"

// ContextEvent is an operation kept around firewall changes: what it was
// (class, operation, outcome) and the session (access key or token) it
// used.
type ContextEvent struct {
	Session string
	model.TimelineEntry
}

// Context holds the context events of a scan by ContextKey.
type Context map[string][]ContextEvent

// ContextKey is who an event or finding is grouped under for session
// context: cloud, account and principal as logged.
func ContextKey(cloud model.Cloud, account string, a model.Actor) string {
	return string(AppendContextKey(nil, cloud, account, a))
}

// AppendContextKey appends ContextKey's bytes to dst (nothing when the
// key is ""), so that a caller can look a key up without making it.
func AppendContextKey(dst []byte, cloud model.Cloud, account string, a model.Actor) []byte {
	who := cmp.Or(a.ID, a.Name)
	if who == "" {
		return dst
	}
	dst = append(append(append(append(dst, cloud...), 0), account...), 0)
	for i := 0; i < len(who); i++ {
		if who[i] >= utf8.RuneSelf {
			return append(dst, strings.ToLower(who)...)
		}
	}
	for i := 0; i < len(who); i++ {
		c := who[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// SessionOf is the session a call used: its access key, else its session
// or token id.
func SessionOf(a model.Actor) string { return cmp.Or(a.AccessKey, a.Session) }

// Sequence windows and bounds.
const (
	// SessionWindow is how far before and after a change its timeline
	// reaches.
	SessionWindow = time.Hour
	// ReconWindow is how long before a change reconnaissance counts.
	ReconWindow = 30 * time.Minute
	// MaxTimeline bounds a finding's timeline: the entries nearest in time.
	MaxTimeline = 20
)

// Sequences gives each change that took effect its session timeline (the
// actor's other operations in the same session within SessionWindow,
// context events and other findings) and reports reconnaissance or
// permission probing by the same actor and session within ReconWindow
// before a change as recon-then-change, joining the changes that follow
// the same reconnaissance. It returns fs with those findings appended.
func Sequences(fs []model.Finding, ctx Context, o Options) []model.Finding {
	o = o.withDefaults()
	idx := make(map[string]int, len(fs))
	byKey := map[string][]int{}
	var order []int
	for i := range fs {
		f := &fs[i]
		idx[f.ID] = i
		if slices.Contains(f.Tags, "correlation") {
			continue
		}
		if k := ContextKey(f.Cloud, f.Account, f.Actor); k != "" {
			byKey[k] = append(byKey[k], i)
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return fs[a].Time.Compare(fs[b].Time) })
	type last struct {
		i       int
		recon   string
		members []*model.Finding
		how     []string
	}
	lastBy := map[string]last{}
	var out []made
	for _, i := range order {
		f := &fs[i]
		k := ContextKey(f.Cloud, f.Account, f.Actor)
		sess := SessionOf(f.Actor)
		var tl []model.TimelineEntry
		var recon []ContextEvent
		for _, e := range ctx[k] {
			d := f.Time.Sub(e.Time)
			if d > SessionWindow || d < -SessionWindow || sess != "" && e.Session != "" && e.Session != sess {
				continue
			}
			tl = append(tl, e.TimelineEntry)
			if d > 0 && d <= ReconWindow && (e.Class == ClassRecon || e.Class == ClassDenied) {
				recon = append(recon, e)
			}
		}
		if len(tl) == 0 {
			continue // no context: the timeline would list findings the report shows anyway
		}
		for _, j := range byKey[k] {
			g := &fs[j]
			d := f.Time.Sub(g.Time)
			if j == i || d > SessionWindow || d < -SessionWindow || sess != "" && SessionOf(g.Actor) != "" && SessionOf(g.Actor) != sess {
				continue
			}
			tl = append(tl, model.TimelineEntry{Time: g.Time, Operation: g.Operation, Outcome: g.Outcome, Resource: g.Resource.ID, Class: "firewall", FindingID: g.ID})
		}
		f.Timeline = nearest(tl, f.Time, MaxTimeline)
		// Only a change that matters: a pipeline reads before it writes,
		// and its routine changes are low.
		if len(recon) == 0 || !changed(f) || f.Severity < model.Medium {
			continue
		}
		slices.SortFunc(recon, func(a, b ContextEvent) int { return a.Time.Compare(b.Time) })
		var key strings.Builder
		var how []string
		for _, e := range recon {
			fmt.Fprintf(&key, "%s\x00%s\x00", e.Time, e.Operation)
			if len(how) < 10 {
				how = append(how, fmt.Sprintf("%s%s at %s", e.Operation, outcomeNote(e), e.Time.Format("15:04:05Z")))
			}
		}
		if len(recon) > len(how) {
			how = append(how, fmt.Sprintf("and %d more", len(recon)-len(how)))
		}
		if l, ok := lastBy[k]; ok && l.recon == key.String() {
			l.members = append(l.members, f)
			out[l.i] = reconFinding(l.members, l.how, o)
			lastBy[k] = l
			continue
		}
		lastBy[k] = last{i: len(out), recon: key.String(), members: []*model.Finding{f}, how: how}
		out = append(out, reconFinding([]*model.Finding{f}, how, o))
	}
	return link(fs, out, idx)
}

func reconFinding(members []*model.Finding, how []string, o Options) made {
	f := members[0]
	what := f.Operation
	if len(members) > 1 {
		what = fmt.Sprintf("%d firewall changes", len(members))
	}
	by := "the same identity"
	if s := SessionOf(f.Actor); s != "" {
		by = "the same session " + s
	}
	return newFinding(ReconThenChange,
		fmt.Sprintf("%s looked around, then made %s", cmpOr(f.Actor.Name, actorName(f)), what),
		model.Medium, members,
		[]string{fmt.Sprintf("within %s before %s at %s, %s read firewalls or probed permissions: %s",
			ReconWindow, f.Operation, f.Time.Format("15:04:05Z"), by, strings.Join(how, ", ")),
			"reconnaissance shortly before a firewall change is how an intruder picks what to open; a pipeline refreshing its state does the same, so configure it as automation"}, o.MaxMembers)
}

func outcomeNote(e ContextEvent) string {
	if e.Outcome == model.Failure {
		return " (denied)"
	}
	return ""
}

// nearest keeps the n entries nearest to t, in time order.
func nearest(tl []model.TimelineEntry, t time.Time, n int) []model.TimelineEntry {
	if len(tl) > n {
		abs := func(d time.Duration) time.Duration { return max(d, -d) }
		slices.SortStableFunc(tl, func(a, b model.TimelineEntry) int { return cmp.Compare(abs(a.Time.Sub(t)), abs(b.Time.Sub(t))) })
		tl = tl[:n]
	}
	slices.SortStableFunc(tl, func(a, b model.TimelineEntry) int {
		return cmp.Or(a.Time.Compare(b.Time), strings.Compare(a.Operation, b.Operation))
	})
	return tl
}
