// Package correlate finds what single findings cannot show: sequences.
// Each correlation is a rule with its own id; it emits findings of its
// own, carrying that id, reasons and the ids of the findings it links,
// and links each member back (model.Finding.Related).
//
//	mass-change            one actor changing many firewalls in a short window
//	failed-then-succeeded  denied attempts, then a success, by the same identity or key, or another identity from the same address
//	short-lived-exposure   a rule opened, then removed again within an hour
//	first-seen-*           the first time a principal, source network, network class, user agent family or access key changes firewalls in an account, learned from the store
//
// Correlations read findings only (and, for first-seen, the store); they
// never change a member's severity.
package correlate

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"cloudwall/internal/model"
)

// Rule ids.
const (
	MassChange          = "mass-change"
	FailedThenSucceeded = "failed-then-succeeded"
	ShortLived          = "short-lived-exposure"
)

// Options tune the correlations; zero values take the defaults.
type Options struct {
	// MassWindow and MassMin: at least MassMin firewalls changed by one
	// actor within MassWindow (default 10 minutes, 5 firewalls).
	MassWindow time.Duration
	MassMin    int
	// FailWindow: how long before a success a denied attempt counts
	// (default 1 hour).
	FailWindow time.Duration
	// ShortWindow: an opening removed within it is short-lived (default 1 hour).
	ShortWindow time.Duration
}

func (o Options) withDefaults() Options {
	o.MassWindow = cmp.Or(o.MassWindow, 10*time.Minute)
	o.MassMin = cmp.Or(o.MassMin, 5)
	o.FailWindow = cmp.Or(o.FailWindow, time.Hour)
	o.ShortWindow = cmp.Or(o.ShortWindow, time.Hour)
	return o
}

// Run returns findings with the correlations' own findings appended and
// members linked to them. The input slice is not modified.
func Run(findings []model.Finding, opts Options) []model.Finding {
	opts = opts.withDefaults()
	out := slices.Clone(findings)
	idx := make(map[string]int, len(out))
	for i := range out {
		idx[out[i].ID] = i
	}
	var made []model.Finding
	made = append(made, massChange(out, opts)...)
	made = append(made, failedThenSucceeded(out, opts)...)
	made = append(made, shortLived(out, opts)...)
	return Link(out, made, idx)
}

// Link appends correlation findings to fs and adds to each member a
// Related entry for the correlation finding and for the other members.
func Link(fs, made []model.Finding, idx map[string]int) []model.Finding {
	for _, c := range made {
		for _, r := range c.Related {
			i, ok := idx[r.ID]
			if !ok {
				continue
			}
			m := &fs[i]
			m.Related = addRelated(m.Related, model.Related{ID: c.ID, Correlation: c.Rule})
			for _, other := range c.Related {
				if other.ID != m.ID {
					m.Related = addRelated(m.Related, model.Related{ID: other.ID, Correlation: c.Rule})
				}
			}
			m.Tags = addTag(m.Tags, c.Rule)
		}
	}
	return append(fs, made...)
}

func addRelated(rs []model.Related, r model.Related) []model.Related {
	if slices.Contains(rs, r) {
		return rs
	}
	return append(rs, r)
}

func addTag(tags []string, t string) []string {
	if slices.Contains(tags, t) {
		return tags
	}
	return append(tags, t)
}

// actorKey groups findings by who did them, per cloud and account.
func actorKey(f *model.Finding) string {
	who := cmp.Or(f.Actor.ID, f.Actor.Name)
	if who == "" {
		return ""
	}
	return string(f.Cloud) + "\x00" + f.Account + "\x00" + strings.ToLower(who)
}

// changed reports whether f is a change that took effect and weakened or
// touched a firewall (not a failed attempt, not a closing change).
func changed(f *model.Finding) bool {
	return f.Outcome == model.Success && f.Severity > model.Info && !slices.Contains(f.Tags, "dry-run")
}

// failed reports whether f is a denied or failed attempt.
func failed(f *model.Finding) bool {
	return f.Outcome == model.Failure || slices.Contains(f.Tags, "dry-run")
}

// newFinding builds a correlation finding from its members (oldest
// first); its id is stable for the same members.
func newFinding(rule, title string, sev model.Severity, members []*model.Finding, reasons []string) model.Finding {
	h := sha256.New()
	h.Write([]byte(rule))
	var rel []model.Related
	for _, m := range members {
		h.Write([]byte{0})
		h.Write([]byte(m.ID))
		rel = append(rel, model.Related{ID: m.ID, Correlation: rule})
	}
	first := members[0]
	return model.Finding{
		ID:        hex.EncodeToString(h.Sum(nil)[:8]),
		Rule:      rule,
		Title:     title,
		Severity:  sev,
		Cloud:     first.Cloud,
		Time:      first.Time,
		Account:   first.Account,
		Region:    first.Region,
		Resource:  first.Resource,
		Operation: first.Operation,
		Outcome:   model.Success,
		Actor:     first.Actor,
		SourceIP:  first.SourceIP,
		UserAgent: first.UserAgent,
		Changes:   []model.RuleChange{},
		Tags:      []string{"correlation"},
		Reasons:   reasons,
		Attack:    slices.Clone(model.AttackIDs),
		Event:     first.Event,
		Related:   rel,
	}
}

func byTime(fs []*model.Finding) {
	slices.SortFunc(fs, func(a, b *model.Finding) int { return cmp.Or(a.Time.Compare(b.Time), strings.Compare(a.ID, b.ID)) })
}

func maxSeverity(fs []*model.Finding) model.Severity {
	s := model.Info
	for _, f := range fs {
		s = max(s, f.Severity)
	}
	return s
}
