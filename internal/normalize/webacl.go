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
		if events[i].OperationKey == cloudFrontUpdate && events[i].Resource.ID != "" {
			idx = append(idx, i)
		}
	}
	if len(idx) < 2 {
		return
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		ea, eb := &events[a], &events[b]
		return cmp.Or(cmp.Compare(ea.Account, eb.Account), cmp.Compare(ea.Resource.ID, eb.Resource.ID), ea.Time.Compare(eb.Time),
			cmp.Compare(ea.Source.File, eb.Source.File), cmp.Compare(ea.Source.Index, eb.Source.Index))
	})
	type known struct {
		acl  string
		at   time.Time
		from string
	}
	var (
		dist string
		prev *known
	)
	for _, i := range idx {
		ev := &events[i]
		if key := ev.Account + "\x00" + ev.Resource.ID; key != dist {
			dist, prev = key, nil
		}
		acl, set := webACL(ev)
		if !set {
			continue
		}
		if acl != "" && prev != nil && prev.acl != "" && !strings.EqualFold(prev.acl, acl) {
			if ev.Settings == nil {
				ev.Settings = map[string]string{}
			}
			ev.Settings[model.SettingPolicy] = acl
			ev.Notes = append(ev.Notes, fmt.Sprintf("web ACL was %s (UpdateDistribution of %s, %s)", prev.acl, prev.at.UTC().Format(time.RFC3339), prev.from))
		}
		if ev.Outcome != model.Failure {
			prev = &known{acl: acl, at: ev.Time, from: ev.Source.File}
		}
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
