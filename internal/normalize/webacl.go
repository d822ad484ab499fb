package normalize

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"cloudwall/internal/model"
)

// cloudFrontUpdate is the operation whose web ACL CompareWebACLs follows.
const cloudFrontUpdate = "cloudfront:updatedistribution"

// CompareWebACLs follows each CloudFront distribution's web ACL through
// the UpdateDistribution calls of one scan, oldest first. The parser
// reports a call that clears the web ACL as a detachment; a call that
// sets one is only the whole configuration sent again, unless an earlier
// call shows that the distribution had a different web ACL: then it is a
// replacement (Settings["policy"] = the new web ACL, and a note names the
// previous one). Re-attaching a web ACL to a distribution that had none
// weakens nothing and is left alone. Failed calls are compared, but do
// not change what the distribution is known to have.
func CompareWebACLs(events []model.Event) {
	var idx []int
	for i := range events {
		if FollowsWebACL(&events[i]) {
			idx = append(idx, i)
		}
	}
	if len(idx) < 2 {
		return
	}
	slices.SortStableFunc(idx, func(a, b int) int { return WebACLOrder(&events[a], &events[b]) })
	var w WebACLs
	for _, i := range idx {
		w.Follow(&events[i])
	}
}

// FollowsWebACL reports an event CompareWebACLs compares.
func FollowsWebACL(ev *model.Event) bool {
	return ev.OperationKey == cloudFrontUpdate && ev.Resource.ID != ""
}

// WebACLOrder is the order CompareWebACLs follows calls in: by account
// and distribution, then oldest first (ties keep the events' order).
func WebACLOrder(a, b *model.Event) int {
	return cmp.Or(cmp.Compare(a.Account, b.Account), cmp.Compare(a.Resource.ID, b.Resource.ID), a.Time.Compare(b.Time),
		cmp.Compare(a.Source.File, b.Source.File), cmp.Compare(a.Source.Index, b.Source.Index))
}

// WebACLs is CompareWebACLs one call at a time, for calls too many to
// hold: Follow each event that FollowsWebACL, in WebACLOrder.
type WebACLs struct {
	dist string
	prev *knownACL
}

type knownACL struct {
	acl  string
	at   time.Time
	from string
}

// Follow compares ev with the calls before it on the same distribution.
func (w *WebACLs) Follow(ev *model.Event) {
	if key := ev.Account + "\x00" + ev.Resource.ID; key != w.dist {
		w.dist, w.prev = key, nil
	}
	acl, set := webACL(ev)
	if !set {
		return
	}
	if prev := w.prev; acl != "" && prev != nil && prev.acl != "" && !strings.EqualFold(prev.acl, acl) {
		if ev.Settings == nil {
			ev.Settings = map[string]string{}
		}
		ev.Settings[model.SettingPolicy] = acl
		ev.Notes = append(ev.Notes, fmt.Sprintf("web ACL was %s (UpdateDistribution of %s, %s)", prev.acl, prev.at.UTC().Format(time.RFC3339), prev.from))
	}
	if ev.Outcome != model.Failure {
		w.prev = &knownACL{acl: acl, at: ev.Time, from: ev.Source.File}
	}
}

// webACL returns the web ACL an UpdateDistribution call asked for ("" to
// clear it), and whether the call named one at all.
func webACL(ev *model.Event) (string, bool) {
	if len(ev.Targets) > 0 {
		return ev.Targets[0], true
	}
	if v, ok := ev.Settings[model.SettingPolicy]; ok && v == "" {
		return "", true
	}
	return "", false
}
